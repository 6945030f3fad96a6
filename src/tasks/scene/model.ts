/**
 * The scene classifier as it runs: two frame-level models (fire, smoke) over the aggregated
 * block features give the frame scores; two block-level models give per-block scores, from
 * which the regions (boxes) are built. Model files live in models/scene/.
 * @internal
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createError } from '../../errors.js';
import { frameVector, NFEAT, NFRAME, BLOCK_FEATURE_NAMES, type Grid } from './features.js';
import { gbdtLogit, packGbdt, sigmoid, type GbdtModel, type GbdtParams, type PackedGbdt } from './gbdt.js';

/** File name of the committed model under the models directory. */
export const SCENE_MODEL_FILE = 'scene/scene-v1.json';

/** The committed model file (written by `hmp scene train`). */
export interface SceneModelFile {
  format: 'hmp-scene-gbdt';
  version: 1;
  spec: { width: number; height: number; grid: Grid };
  blockFeatures: readonly string[];
  frameFeatures: number;
  params: { frame: GbdtParams; block: GbdtParams };
  variants: readonly string[];
  /** Probability thresholds the alarm policy starts from (chosen on out-of-fold scores). */
  thresholds: { fire: number; smoke: number; block: number };
  split: { by: 'source_group'; folds: number; testFold: number; trainGroups: string[]; testGroups: string[]; trainFrames: number };
  frame: { fire: GbdtModel; smoke: GbdtModel };
  block: { fire: GbdtModel; smoke: GbdtModel };
}

/** A loaded model, ready to score. */
export interface SceneModel {
  file: SceneModelFile;
  frameFire: PackedGbdt;
  frameSmoke: PackedGbdt;
  blockFire: PackedGbdt;
  blockSmoke: PackedGbdt;
}

/** A detected region, in analysis-image fractions (0..1) so it maps to any frame size. */
export interface SceneRegion {
  type: 'fire' | 'smoke';
  /** Left, top, width, height as fractions of the frame. */
  box: [number, number, number, number];
  /** Highest block probability inside the region. */
  score: number;
  /** Blocks (row-major indices of the grid) in the region. */
  blocks: number[];
}

/** Validates and packs a parsed model file. @throws HMP_ERR_SCENE_MODEL */
export function loadSceneModelFrom(file: unknown, where: string): SceneModel {
  const f = file as SceneModelFile;
  if (!f || f.format !== 'hmp-scene-gbdt' || f.version !== 1) throw createError('HMP_ERR_SCENE_MODEL', where, 'not an hmp-scene-gbdt v1 file');
  if (f.blockFeatures?.length !== NFEAT || f.blockFeatures.some((n, i) => n !== BLOCK_FEATURE_NAMES[i]) || f.frameFeatures !== NFRAME) {
    throw createError('HMP_ERR_SCENE_MODEL', where, 'its feature list does not match this version of hmp');
  }
  return {
    file: f,
    frameFire: packGbdt(f.frame.fire),
    frameSmoke: packGbdt(f.frame.smoke),
    blockFire: packGbdt(f.block.fire),
    blockSmoke: packGbdt(f.block.smoke),
  };
}

const cache = new Map<string, SceneModel>();

/** Loads (once per thread) the committed model from a models directory. @throws HMP_ERR_SCENE_MODEL */
export function loadSceneModel(modelsDir: string): SceneModel {
  const path = join(modelsDir, SCENE_MODEL_FILE);
  let m = cache.get(path);
  if (m) return m;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw createError('HMP_ERR_SCENE_MODEL', path, (err as Error).message);
  }
  m = loadSceneModelFrom(json, path);
  cache.set(path, m);
  return m;
}

/** Scores of one frame. */
export interface FrameScores {
  fire: number;
  smoke: number;
  /** Per-block probabilities (row-major grid). */
  fireBlocks: Float32Array;
  smokeBlocks: Float32Array;
}

/** Runs the four models over one frame's block features (and the block sums they came from). */
export function scoreFrame(model: SceneModel, feats: Float32Array, sums: Float64Array, nb: number, fv: Float32Array = new Float32Array(NFRAME)): FrameScores {
  frameVector(feats, sums, nb, fv);
  const fireBlocks = new Float32Array(nb);
  const smokeBlocks = new Float32Array(nb);
  for (let b = 0; b < nb; b++) {
    fireBlocks[b] = sigmoid(gbdtLogit(model.blockFire, feats, b * NFEAT));
    smokeBlocks[b] = sigmoid(gbdtLogit(model.blockSmoke, feats, b * NFEAT));
  }
  return {
    fire: sigmoid(gbdtLogit(model.frameFire, fv, 0)),
    smoke: sigmoid(gbdtLogit(model.frameSmoke, fv, 0)),
    fireBlocks,
    smokeBlocks,
  };
}

/**
 * Regions: 4-connected components of blocks whose probability is at least `threshold`,
 * reported only when the frame score says the class is present (so an isolated warm lamp
 * does not draw a box on a quiet frame).
 */
export function regionsOf(type: 'fire' | 'smoke', probs: Float32Array, grid: Grid, threshold: number): SceneRegion[] {
  const { bx, by } = grid;
  const seen = new Uint8Array(bx * by);
  const out: SceneRegion[] = [];
  for (let s = 0; s < bx * by; s++) {
    if (seen[s] || probs[s] < threshold) continue;
    const stack = [s];
    seen[s] = 1;
    const blocks: number[] = [];
    let x0 = bx, y0 = by, x1 = -1, y1 = -1, best = 0;
    while (stack.length) {
      const b = stack.pop()!;
      blocks.push(b);
      const i = b % bx, j = (b / bx) | 0;
      x0 = Math.min(x0, i); x1 = Math.max(x1, i); y0 = Math.min(y0, j); y1 = Math.max(y1, j);
      best = Math.max(best, probs[b]);
      for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const ii = i + di, jj = j + dj;
        if (ii < 0 || jj < 0 || ii >= bx || jj >= by) continue;
        const q = jj * bx + ii;
        if (!seen[q] && probs[q] >= threshold) { seen[q] = 1; stack.push(q); }
      }
    }
    blocks.sort((a, b) => a - b);
    const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
    out.push({ type, box: [r4(x0 / bx), r4(y0 / by), r4((x1 - x0 + 1) / bx), r4((y1 - y0 + 1) / by)], score: r4(best), blocks });
  }
  out.sort((a, b) => b.score - a.score);
  return out;
}
