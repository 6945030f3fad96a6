/**
 * `hmp scene train`: builds the block features of the eval set, trains the fire and smoke
 * models, cross-validates them by source group, and writes models/scene/scene-v1.json.
 *
 * Reproducible by construction: samples are sorted, folds are assigned deterministically from
 * group sizes and names, augmentation is deterministic and the tree learner has no randomness.
 * @internal
 */
import type { Engine } from '../../engine/engine.js';
import { readFile } from 'node:fs/promises';
import { blockFeatures, blockSums, frameVector, NFEAT, NFRAME, NSUMS, toAnalysisRgba, BLOCK_FEATURE_NAMES, type Grid } from './features.js';
import type { SceneModelFile } from './model.js';
import { assignFolds, blockLabels, type SceneSample } from './dataset.js';
import { boxBlur, darken } from './augment.js';
import { gbdtLogit, packGbdt, sigmoid, trainGbdt, GBDT_DEFAULTS, type GbdtModel, type GbdtParams } from './gbdt.js';

/** Analysis settings the model was trained for. */
export interface SceneModelSpec {
  width: number;
  height: number;
  grid: Grid;
}

export const TRAIN_SPEC: Readonly<SceneModelSpec> = Object.freeze({ width: 320, height: 240, grid: Object.freeze({ bx: 8, by: 6 }) });
/** Variants each training frame contributes: the frame, blurred, darkened. */
export const TRAIN_VARIANTS = ['orig', 'blur', 'dark'] as const;
export const FOLDS = 5;
/** The fold held out of the committed model, so tests replay groups it never saw. */
export const TEST_FOLD = 0;

/** Features of one frame (all variants) and its labels. */
export interface FrameRecord {
  sample: SceneSample;
  /** Per variant: nBlocks x NFEAT. */
  feats: Float32Array[];
  /** Per variant: the frame-level vector (NFRAME). */
  frames: Float32Array[];
  fireBlocks: Int8Array;
  smokeBlocks: Int8Array;
}

/** Decodes one file and brings it to the analysis size (RGBA). */
export async function loadAnalysisFrame(engine: Engine, path: string, W: number, H: number): Promise<Uint8Array> {
  const img = await engine.decode(await readFile(path));
  return toAnalysisRgba(img.data, img.width, img.height, img.format, W, H);
}

/** Block feature vectors and the frame vector of an analysis-size RGBA frame (TS reference path). */
export function frameFeatures(rgba: Uint8Array, spec: SceneModelSpec): { feats: Float32Array; frame: Float32Array } {
  const nb = spec.grid.bx * spec.grid.by;
  const sums = new Float64Array(nb * NSUMS);
  blockSums(rgba, spec.width, spec.height, spec.grid, sums);
  const feats = new Float32Array(nb * NFEAT);
  blockFeatures(sums, spec.grid, feats);
  return { feats, frame: frameVector(feats, sums, nb) };
}

/** The deterministic augmentations, in {@link TRAIN_VARIANTS} order. */
export function variantsOf(rgba: Uint8Array, W: number, H: number): Uint8Array[] {
  return [rgba, boxBlur(rgba, W, H, 2, 2), darken(rgba, 0.5)];
}

/** Extracts features for every sample (decoding through the engine's workers). */
export async function extractRecords(engine: Engine, samples: SceneSample[], spec: SceneModelSpec, onProgress?: (i: number) => void): Promise<FrameRecord[]> {
  const out: FrameRecord[] = new Array(samples.length);
  let next = 0;
  const { bx, by } = spec.grid;
  // Two decodes in flight keep both workers busy while this thread computes features.
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= samples.length) return;
      const s = samples[i];
      const rgba = await loadAnalysisFrame(engine, s.path, spec.width, spec.height);
      const ff = variantsOf(rgba, spec.width, spec.height).map((v) => frameFeatures(v, spec));
      out[i] = { sample: s, feats: ff.map((f) => f.feats), frames: ff.map((f) => f.frame), fireBlocks: blockLabels(s.boxes, 'fire', bx, by), smokeBlocks: blockLabels(s.boxes, 'smoke', bx, by) };
      onProgress?.(i);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return out;
}

/** Parameters of the frame-level models. */
export const FRAME_PARAMS: Readonly<GbdtParams> = GBDT_DEFAULTS;
/** Parameters of the block-level models (localisation only: smaller, so training stays quick). */
export const BLOCK_PARAMS: Readonly<GbdtParams> = Object.freeze({ ...GBDT_DEFAULTS, trees: 60, depth: 3 });

/** Trains the block-level model of one class on the given records (all variants). */
export function trainBlockClass(records: FrameRecord[], cls: 'fire' | 'smoke', nb: number, params: GbdtParams = BLOCK_PARAMS): GbdtModel {
  const rows = records.length * TRAIN_VARIANTS.length * nb;
  const X = new Float32Array(rows * NFEAT);
  const y = new Uint8Array(rows);
  const w = new Float32Array(rows);
  let r = 0;
  for (const rec of records) {
    const lab = cls === 'fire' ? rec.fireBlocks : rec.smokeBlocks;
    const frameNeg = cls === 'fire' ? !rec.sample.fire : !rec.sample.smoke;
    for (const f of rec.feats) {
      for (let b = 0; b < nb; b++, r++) {
        X.set(f.subarray(b * NFEAT, (b + 1) * NFEAT), r * NFEAT);
        y[r] = lab[b] === 1 ? 1 : 0;
        // Blocks of frames without the class are certain negatives; blocks touching a box in a
        // positive frame without enough overlap are ambiguous (box edges, thin smoke): left out.
        w[r] = lab[b] === -1 && !frameNeg ? 0 : 1;
      }
    }
  }
  return trainGbdt(X, y, w, NFEAT, params);
}

/** Trains the frame-level model of one class (all variants). */
export function trainFrameClass(records: FrameRecord[], cls: 'fire' | 'smoke', nb: number, params: GbdtParams = FRAME_PARAMS): GbdtModel {
  const rows = records.length * TRAIN_VARIANTS.length;
  const X = new Float32Array(rows * NFRAME);
  const y = new Uint8Array(rows);
  const w = new Float32Array(rows).fill(1);
  let r = 0;
  for (const rec of records) {
    for (const f of rec.frames) {
      X.set(f, r * NFRAME);
      y[r++] = rec.sample[cls] ? 1 : 0;
    }
  }
  return trainGbdt(X, y, w, NFRAME, params);
}

/** Out-of-fold frame scores (probabilities) for every record and variant. */
export interface CvResult {
  folds: Map<string, number>;
  /** [record][variant] -> fire / smoke frame probabilities. */
  oof: { fire: number; smoke: number }[][];
  /** Fold models (frame level), by fold. */
  models: { fire: GbdtModel; smoke: GbdtModel }[];
}

/** Group-wise k-fold cross-validation of the frame models (`seed`: which group split, see assignFolds). */
export function crossValidate(records: FrameRecord[], nb: number, k = FOLDS, log?: (m: string) => void, seed = 0): CvResult {
  const folds = assignFolds(records.map((r) => r.sample), k, seed);
  const oof: CvResult['oof'] = records.map(() => []);
  const models: CvResult['models'] = [];
  for (let f = 0; f < k; f++) {
    const train = records.filter((r) => folds.get(r.sample.group) !== f);
    const fire = trainFrameClass(train, 'fire', nb);
    const smoke = trainFrameClass(train, 'smoke', nb);
    models.push({ fire, smoke });
    const pf = packGbdt(fire), ps = packGbdt(smoke);
    records.forEach((r, i) => {
      if (folds.get(r.sample.group) !== f) return;
      oof[i] = r.frames.map((fv) => ({ fire: sigmoid(gbdtLogit(pf, fv, 0)), smoke: sigmoid(gbdtLogit(ps, fv, 0)) }));
    });
    log?.(`fold ${f}: trained on ${train.length} frames of ${records.length}`);
  }
  return { folds, oof, models };
}

/**
 * Alarm thresholds from out-of-fold scores: the 90th percentile of the scores of normal frames
 * (neither fire nor smoke), rounded up to 0.05 and clamped to [0.5, 0.9]. Persistence in time
 * (the alarm policy) and the motion requirement do the rest of the false-alarm suppression;
 * `hmp eval scene` reports what a stricter still-image threshold would cost.
 */
export function chooseThresholds(records: FrameRecord[], cv: CvResult): { fire: number; smoke: number; block: number } {
  const pick = (cls: 'fire' | 'smoke') => {
    const neg: number[] = [];
    records.forEach((r, i) => { if (!r.sample.fire && !r.sample.smoke) neg.push(cv.oof[i][0][cls]); });
    neg.sort((a, b) => a - b);
    const q = neg[Math.min(neg.length - 1, Math.floor(0.9 * neg.length))];
    return Number(Math.min(0.9, Math.max(0.5, Math.ceil(q * 20 - 1e-9) / 20)).toFixed(2));
  };
  return { fire: pick('fire'), smoke: pick('smoke'), block: 0.5 };
}

/** Trains the committed model: every fold but {@link TEST_FOLD}. */
export function trainFinal(records: FrameRecord[], spec: SceneModelSpec, thresholds: SceneModelFile['thresholds'], log?: (m: string) => void): SceneModelFile {
  const folds = assignFolds(records.map((r) => r.sample), FOLDS);
  const train = records.filter((r) => folds.get(r.sample.group) !== TEST_FOLD);
  const nb = spec.grid.bx * spec.grid.by;
  const groups = [...folds.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const frame = { fire: trainFrameClass(train, 'fire', nb), smoke: trainFrameClass(train, 'smoke', nb) };
  log?.('frame models trained');
  const block = { fire: trainBlockClass(train, 'fire', nb), smoke: trainBlockClass(train, 'smoke', nb) };
  log?.('block models trained');
  return {
    format: 'hmp-scene-gbdt',
    version: 1,
    spec: { width: spec.width, height: spec.height, grid: { bx: spec.grid.bx, by: spec.grid.by } },
    blockFeatures: BLOCK_FEATURE_NAMES,
    frameFeatures: NFRAME,
    params: { frame: { ...FRAME_PARAMS }, block: { ...BLOCK_PARAMS } },
    variants: TRAIN_VARIANTS,
    thresholds,
    split: {
      by: 'source_group', folds: FOLDS, testFold: TEST_FOLD,
      trainGroups: groups.filter(([, f]) => f !== TEST_FOLD).map(([g]) => g),
      testGroups: groups.filter(([, f]) => f === TEST_FOLD).map(([g]) => g),
      trainFrames: train.length,
    },
    frame,
    block,
  };
}

/** Rank AUC (ties count half). */
export function rocAuc(scores: number[], labels: boolean[]): number {
  const idx = scores.map((s, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0, nPos = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[idx[k]]) { rankSum += avg; nPos++; }
    i = j + 1;
  }
  const nNeg = labels.length - nPos;
  if (!nPos || !nNeg) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
