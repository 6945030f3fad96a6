/**
 * `hmp eval faces`: detection recall/AP per face-height bucket on a WIDER-style folder and age
 * MAE / gender accuracy per age bin on a UTKFace-style folder, run through the engine exactly
 * as an application calls it.
 * @internal
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../engine/engine.js';
import { loadRgb } from '../../runtime/face-images.js';
import { detectFaces } from './index.js';
import { FACE_DEFAULTS, type FaceDetector } from './types.js';
import { attributeFigures, detectionFigures, matchDetections, type AttributeFigures, type AttributeSample, type DetectionFigures, type DetectionSample } from './metrics.js';

/** WIDER-style annotations (`annotations.json` of ../shared/eval/faces/wider-val-416). */
interface WiderImage {
  file: string;
  width: number;
  height: number;
  orig_width: number;
  orig_height_est: number;
  faces: { x: number; y: number; w: number; h: number; invalid: number; pose?: number }[];
}

export interface WiderEvalOptions {
  /** Detector(s) passed to detectFaces. Default: the library default (`FACE_DEFAULTS.detector`). */
  detector?: FaceDetector;
  /** `faceboxesSize` passed to detectFaces (FaceBoxes input long side; 0 = from `minFaceSize`). Default 0. */
  faceboxesSize?: number;
  /** `minFaceSize` passed to detectFaces. Default 20 (256-px tiles on these images). */
  minFaceSize?: number;
  /** Score thresholds to report recall at; AP uses every detection ≥ the smallest. Default [0.5, 0.3]. */
  thresholds?: number[];
  /**
   * The set's images were stretched to 416x416; restore the original aspect ratio (width
   * 416·W/H, height kept, so face heights and buckets are unchanged) before detection.
   * Default true: a camera never delivers anamorphic frames.
   */
  restoreAspect?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface WiderEvalResult {
  detector: FaceDetector;
  faceboxesSize: number;
  minFaceSize: number;
  restoreAspect: boolean;
  /** Figures per score threshold. */
  byThreshold: { minScore: number; figures: DetectionFigures }[];
  /**
   * The attention flag against WIDER's pose label, on labelled faces >= 20 px found at score
   * >= 0.5 (the detection figures' matching, IoU >= 0.5): `typical` faces mostly face the camera, `atypical` ones
   * (WIDER: "atypical pose", mostly profiles and steep angles) mostly do not.
   */
  attention: AttentionFigures;
  msPerImage: number;
}

/** How often the attention flag is set, per group of faces. */
export interface AttentionFigures {
  typical: AttentionGroup;
  atypical: AttentionGroup;
}

/** One pose group: faces, how many are flagged attentive, how many have template keypoints. */
export interface AttentionGroup {
  faces: number;
  attentive: number;
  rate: number;
  /** Faces whose keypoints are a template (never attentive; excluded from the yaw median). */
  unmeasured: number;
  medianAbsYaw: number;
}

/** Attention rates of matched faces by pose label (see {@link WiderEvalResult.attention}). */
export function attentionFigures(samples: readonly { truth: { x: number; y: number; w: number; h: number; pose: number; ignore: boolean }[]; dets: { x: number; y: number; w: number; h: number; score: number; attention: boolean; yaw: number; measured: boolean }[] }[]): AttentionFigures {
  type M = { attention: boolean; yaw: number; measured: boolean };
  const groups = { typical: [] as M[], atypical: [] as M[] };
  for (const s of samples) {
    // The detection figures' matching at score 0.5, then only labelled faces >= 20 px count.
    const dets = s.dets.filter((d) => d.score >= 0.5);
    for (const m of matchDetections(s.truth, dets)) {
      const t = m.truth >= 0 ? s.truth[m.truth] : undefined;
      if (!t || t.ignore || t.h < 20) continue;
      const d = dets[m.det];
      (t.pose === 1 ? groups.atypical : groups.typical).push({ attention: d.attention, yaw: Math.abs(d.yaw), measured: d.measured });
    }
  }
  const fig = (g: M[]): AttentionGroup => {
    const yaws = g.filter((x) => x.measured).map((x) => x.yaw).sort((a, b) => a - b);
    const attentive = g.filter((x) => x.attention).length;
    return { faces: g.length, attentive, rate: g.length ? attentive / g.length : NaN, unmeasured: g.length - yaws.length, medianAbsYaw: yaws.length ? yaws[(yaws.length - 1) >> 1] : NaN };
  };
  return { typical: fig(groups.typical), atypical: fig(groups.atypical) };
}

/** Runs face detection over a WIDER-style folder. */
export async function evalWider(engine: Engine, dir: string, o: WiderEvalOptions = {}): Promise<WiderEvalResult> {
  const ann = JSON.parse(readFileSync(join(dir, 'annotations.json'), 'utf8')) as WiderImage[];
  const minFaceSize = o.minFaceSize ?? 20;
  const detector = o.detector ?? FACE_DEFAULTS.detector;
  const faceboxesSize = o.faceboxesSize ?? FACE_DEFAULTS.faceboxesSize;
  const thresholds = [...(o.thresholds ?? [0.5, 0.3])].sort((a, b) => b - a);
  const restore = o.restoreAspect ?? true;
  const low = thresholds[thresholds.length - 1];
  const raw: { truth: DetectionSample['truth']; dets: DetectionSample['detections'] }[] = [];
  const att: Parameters<typeof attentionFigures>[0][number][] = [];
  let ms = 0;
  let done = 0;
  for (const a of ann) {
    const width = restore ? Math.round((a.height * a.orig_width) / a.orig_height_est) : a.width;
    const frame = await loadRgb(join(dir, 'images', a.file), { resize: { width, height: a.height } });
    const t0 = performance.now();
    const r = await detectFaces(engine, frame, { detector, faceboxesSize, minFaceSize, minScore: low, attributes: false, maxFaces: 1000 });
    ms += performance.now() - t0;
    const fx = a.width / width;
    raw.push({
      truth: a.faces.map((f) => ({ x: f.x, y: f.y, w: f.w, h: f.h, ignore: f.invalid === 1 })),
      dets: r.faces.map((f) => ({ x: f.box.x * fx, y: f.box.y, w: f.box.width * fx, h: f.box.height, score: f.score })),
    });
    att.push({
      truth: a.faces.map((f) => ({ x: f.x, y: f.y, w: f.w, h: f.h, pose: f.pose ?? 0, ignore: f.invalid === 1 })),
      dets: r.faces.map((f) => ({ x: f.box.x * fx, y: f.box.y, w: f.box.width * fx, h: f.box.height, score: f.score, attention: f.attention, yaw: f.angles.yaw, measured: f.keypointsMeasured })),
    });
    o.onProgress?.(++done, ann.length);
  }
  return {
    detector,
    faceboxesSize,
    minFaceSize,
    restoreAspect: restore,
    byThreshold: thresholds.map((t) => ({
      minScore: t,
      figures: detectionFigures(raw.map((s) => ({ truth: s.truth, detections: s.dets.filter((d) => d.score >= t) }))),
    })),
    attention: attentionFigures(att),
    msPerImage: ms / ann.length,
  };
}

export interface UtkEvalResult {
  /** Border added around each 200x200 crop (black), so the face fills ~1/4 of the frame. */
  pad: number;
  faces: number;
  /** Crops where no face was found (counted as wrong gender, excluded from MAE). */
  missed: number;
  /** Found faces with the attention flag set (the crops are aligned, mostly frontal portraits). */
  attentive: number;
  figures: AttributeFigures;
  msPerImage: number;
}

/** Runs detection + age/gender over a UTKFace-style folder (`labels.csv`, `images/`). */
export async function evalUtk(engine: Engine, dir: string, o: { pad?: number; detector?: FaceDetector; onProgress?: (done: number, total: number) => void } = {}): Promise<UtkEvalResult> {
  const pad = o.pad ?? 100;
  const rows = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
  const samples: AttributeSample[] = [];
  let missed = 0;
  let attentive = 0;
  let ms = 0;
  for (const [file, age, gender] of rows) {
    const frame = await loadRgb(join(dir, 'images', file), { pad });
    const t0 = performance.now();
    const r = await detectFaces(engine, frame, { maxFaces: 1, ...(o.detector ? { detector: o.detector } : {}) });
    ms += performance.now() - t0;
    const f = r.faces[0];
    if (!f) missed++;
    else if (f.attention) attentive++;
    samples.push({ age: Number(age), gender: gender as 'male' | 'female', predictedAge: f?.age, predictedGender: f?.gender });
    o.onProgress?.(samples.length, rows.length);
  }
  return { pad, faces: rows.length, missed, attentive, figures: attributeFigures(samples), msPerImage: ms / rows.length };
}

/** Which sets of a `faces` eval folder are present. */
export function faceEvalSets(dir: string): { wider?: string; utk?: string } {
  const wider = join(dir, 'wider-val-416');
  const utk = join(dir, 'utkface-200');
  return {
    ...(existsSync(join(wider, 'annotations.json')) ? { wider } : {}),
    ...(existsSync(join(utk, 'labels.csv')) ? { utk } : {}),
  };
}
