/**
 * `hmp eval faces` 720p composites: faces of known sizes on real face-free backgrounds, the
 * camera case the issue asks about (1280x720 frames, faces of 30 px and more), generated at
 * eval time from `../shared/eval` (nothing is written to disk):
 * - background: a texture photo of ZXing's barcode false-positive folders (carpet, paper,
 *   fabric, print: real photos without faces, hard on detectors), resized to cover 1280x720;
 * - faces: UTKFace 200x200 crops resized (sharp, Lanczos) to a side drawn log-uniformly from
 *   30-200 px and pasted at random non-overlapping places, 6 per frame;
 * - seeded (Mulberry32), so every run draws the same frames.
 *
 * A pasted face is found when a detection's centre lies in the central half of the crop and its
 * height is 0.4-1.25x the crop side (detectors frame faces differently: BlazeFace boxes are
 * square and tight, FaceBoxes' WIDER-style ones taller; a box criterion would favour one style).
 * Every other detection is unmatched: the backgrounds contain no faces.
 * @internal
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../engine/engine.js';
import { loadRgb, loadRgbCover } from '../../runtime/face-images.js';
import { detectFaces } from './index.js';
import { FACE_DEFAULTS, type FaceDetector } from './types.js';
import { mulberry32 } from '../../random.js';

/** Crop-side buckets of the composites (px). */
export const COMPOSITE_BUCKETS = Object.freeze([
  { name: '30-40', min: 30, max: 40 },
  { name: '40-60', min: 40, max: 60 },
  { name: '60-100', min: 60, max: 100 },
  { name: '100-200', min: 100, max: 201 },
] as const);

export interface CompositeEvalOptions {
  detector?: FaceDetector;
  faceboxesSize?: number;
  /** Default 32 (the library default). */
  minFaceSize?: number;
  /** Faces per frame. Default 6. */
  facesPerFrame?: number;
  /** Default 1. */
  seed?: number;
  /** Thresholds to report. Default [0.5, 0.3]. */
  thresholds?: number[];
  onProgress?: (done: number, total: number) => void;
}

export interface CompositeEvalResult {
  detector: FaceDetector;
  minFaceSize: number;
  frames: number;
  width: number;
  height: number;
  byThreshold: {
    minScore: number;
    buckets: { bucket: string; faces: number; found: number; recall: number }[];
    all: { faces: number; found: number; recall: number };
    detections: number;
    unmatched: number;
  }[];
  msPerFrame: number;
}

const W = 1280;
const H = 720;

/** The background photos: `barcode/zxing/falsepositives*` under an eval root. */
export function compositeBackgrounds(evalRoot: string): string[] {
  const out: string[] = [];
  for (const d of ['falsepositives', 'falsepositives-2']) {
    const dir = join(evalRoot, 'barcode', 'zxing', d);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (/\.(png|jpe?g)$/i.test(f)) out.push(join(dir, f));
  }
  return out;
}

/**
 * Builds the composites and runs detection on each through the engine.
 * @param utkDir a UTKFace-style folder (`labels.csv`, `images/`); @param backgrounds photo paths
 */
export async function evalComposites(engine: Engine, utkDir: string, backgrounds: readonly string[], o: CompositeEvalOptions = {}): Promise<CompositeEvalResult> {
  const rnd = mulberry32(o.seed ?? 1);
  const perFrame = o.facesPerFrame ?? 6;
  const detector = o.detector ?? FACE_DEFAULTS.detector;
  const minFaceSize = o.minFaceSize ?? FACE_DEFAULTS.minFaceSize;
  const thresholds = [...(o.thresholds ?? [0.5, 0.3])].sort((a, b) => b - a);
  const low = thresholds[thresholds.length - 1] as number;
  const chips = readFileSync(join(utkDir, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => join(utkDir, 'images', l.split(',')[0] as string));
  // Seeded shuffle so each frame gets different people.
  for (let i = chips.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [chips[i], chips[j]] = [chips[j] as string, chips[i] as string];
  }
  const frames: { faces: { x: number; y: number; s: number }[]; dets: { cx: number; cy: number; h: number; score: number }[] }[] = [];
  let ms = 0;
  let next = 0;
  for (const bgFile of backgrounds) {
    const bg = (await loadRgbCover(bgFile, W, H)).data;
    const faces: { x: number; y: number; s: number }[] = [];
    for (let f = 0; f < perFrame; f++) {
      const s = Math.round(30 * Math.pow(200 / 30, rnd()));
      let placed = false;
      for (let attempt = 0; attempt < 200 && !placed; attempt++) {
        const x = Math.floor(rnd() * (W - s));
        const y = Math.floor(rnd() * (H - s));
        if (faces.some((p) => x < p.x + p.s + 16 && p.x < x + s + 16 && y < p.y + p.s + 16 && p.y < y + s + 16)) continue;
        const chip = await loadRgb(chips[next++ % chips.length] as string, { resize: { width: s, height: s } });
        for (let r = 0; r < s; r++) bg.set(chip.data.subarray(r * s * 3, (r + 1) * s * 3), ((y + r) * W + x) * 3);
        faces.push({ x, y, s });
        placed = true;
      }
    }
    const frame = { data: bg, width: W, height: H, format: 'rgb' as const };
    const t0 = performance.now();
    const r = await detectFaces(engine, frame, {
      detector,
      minFaceSize,
      minScore: low,
      attributes: false,
      maxFaces: 200,
      ...(o.faceboxesSize ? { faceboxesSize: o.faceboxesSize } : {}),
    });
    ms += performance.now() - t0;
    frames.push({ faces, dets: r.faces.map((d) => ({ cx: d.box.x + d.box.width / 2, cy: d.box.y + d.box.height / 2, h: d.box.height, score: d.score })) });
    o.onProgress?.(frames.length, backgrounds.length);
  }
  const byThreshold = thresholds.map((t) => {
    const found = COMPOSITE_BUCKETS.map(() => 0);
    const total = COMPOSITE_BUCKETS.map(() => 0);
    let detections = 0;
    let unmatched = 0;
    for (const fr of frames) {
      const dets = fr.dets.filter((d) => d.score >= t).sort((a, b) => b.score - a.score);
      detections += dets.length;
      const used = new Set<number>();
      for (const d of dets) {
        const hit = fr.faces.findIndex((p, i) => !used.has(i) && Math.abs(d.cx - (p.x + p.s / 2)) <= p.s / 4 && Math.abs(d.cy - (p.y + p.s / 2)) <= p.s / 4 && d.h >= 0.4 * p.s && d.h <= 1.25 * p.s);
        if (hit < 0) unmatched++;
        else used.add(hit);
      }
      fr.faces.forEach((p, i) => {
        const b = COMPOSITE_BUCKETS.findIndex((q) => p.s >= q.min && p.s < q.max);
        total[b]!++;
        if (used.has(i)) found[b]!++;
      });
    }
    const faces = total.reduce((a, b) => a + b, 0);
    const hits = found.reduce((a, b) => a + b, 0);
    return {
      minScore: t,
      buckets: COMPOSITE_BUCKETS.map((q, i) => ({ bucket: q.name, faces: total[i]!, found: found[i]!, recall: total[i] ? found[i]! / total[i]! : 0 })),
      all: { faces, found: hits, recall: faces ? hits / faces : 0 },
      detections,
      unmatched,
    };
  });
  return { detector, minFaceSize, frames: frames.length, width: W, height: H, byThreshold, msPerFrame: frames.length ? ms / frames.length : 0 };
}
