/**
 * Descriptor separation on a UTKFace-style folder (one photo per person, no identity labels):
 * each photo is shown in several synthetic "frames" of the same person — the padded crop, its
 * mirror image, and two re-framings (scaled, rotated, shifted into a 640x480 frame, darkened
 * or brightened, with noise) — and every frame goes through detection, alignment and the
 * embedding model as in the pipeline. Same-person pairs are the frames of one photo;
 * different-person pairs are frames of different photos. Runs on the calling thread.
 * @internal
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRgb } from '../../runtime/face-images.js';
import type { Kernels } from '../../runtime/wasm.js';
import { computeDescriptor, descriptorDistance, type DescriptorModel } from './descriptor.js';
import { detectBlazeface, type ModelRunner, type RgbImage } from './detect.js';

/** Distance statistics of one model. */
export interface SeparationFigures {
  model: string;
  scale: number;
  people: number;
  /** Frames where no face was found (left out of the pairs). */
  missed: number;
  samePairs: number;
  differentPairs: number;
  same: { mean: number; p95: number; max: number };
  different: { min: number; p01: number; p1: number; mean: number };
  /** Threshold where 0.1% of different-person pairs fall below, and the share of same-person pairs below it. */
  atFar001: { threshold: number; sameBelow: number };
  /** Equal error rate and its threshold. */
  eer: { rate: number; threshold: number };
  /** At fixed thresholds: share of same-person pairs below (kept) and of different-person pairs below (false matches). */
  at: { threshold: number; sameBelow: number; differentBelow: number }[];
  /** Different-person pairs closer than 0.05: duplicate photos in the set, not model errors. */
  duplicates: number;
}

const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))];

/** The synthetic frames of one photo (RGB). */
export function personFrames(k: Kernels, base: RgbImage): RgbImage[] {
  const W = base.width;
  const H = base.height;
  const mirror: RgbImage = { ...base, data: k.warpAffine(base.data, W, H, 3, [-1, 0, W - 1, 0, 1, 0], W, H) };
  const reframe = (scale: number, deg: number, tx: number, ty: number, gain: number, seed: number): RgbImage => {
    const a = (deg * Math.PI) / 180;
    const c = Math.cos(a) * scale;
    const s = Math.sin(a) * scale;
    // Rotate/scale about the photo centre, then place that centre at (tx, ty) of a 640x480 frame.
    const cx = W / 2;
    const cy = H / 2;
    const m = [c, -s, tx - c * cx + s * cy, s, c, ty - s * cx - c * cy];
    const out = k.warpAffine(base.data, W, H, 3, m, 640, 480, 90);
    let r = seed;
    for (let i = 0; i < out.length; i++) {
      r = (r * 1103515245 + 12345) % 2147483648;
      out[i] = Math.max(0, Math.min(255, Math.round(out[i] * gain + ((r / 2147483648) * 16 - 8))));
    }
    return { data: out, width: 640, height: 480, channels: 3 };
  };
  return [base, mirror, reframe(0.6, 10, 200, 260, 0.7, 1), reframe(1.1, -8, 400, 220, 1.2, 2)];
}

/**
 * Measures same/different-person descriptor distances of one embedding model.
 * @param dir a UTKFace-style folder (`labels.csv`, `images/`)
 */
export async function evalDescriptorSeparation(
  k: Kernels,
  run: ModelRunner,
  dir: string,
  m: DescriptorModel,
  o: { scale?: number; limit?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<SeparationFigures> {
  const scale = o.scale ?? m.scale;
  const files = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',')[0]).slice(0, o.limit ?? Infinity);
  const people: (Float32Array | undefined)[][] = [];
  let missed = 0;
  for (const file of files) {
    const f = await loadRgb(join(dir, 'images', file), { pad: 100 });
    const descs: (Float32Array | undefined)[] = [];
    for (const frame of personFrames(k, { data: f.data, width: f.width, height: f.height, channels: 3 })) {
      const dets = await detectBlazeface(k, run, 'blazeface-back', frame, { minScore: 0.5, iouThreshold: 0.3, maxFaces: 1, minFaceSize: 0 });
      if (dets.length === 0) {
        missed++;
        descs.push(undefined);
        continue;
      }
      descs.push(await computeDescriptor(k, run, frame, dets[0], m, scale));
    }
    people.push(descs);
    o.onProgress?.(people.length, files.length);
  }
  const same: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < people.length; i++) {
    const a = people[i];
    for (let x = 0; x < a.length; x++) for (let y = x + 1; y < a.length; y++) if (a[x] && a[y]) same.push(descriptorDistance(a[x]!, a[y]!));
    for (let j = i + 1; j < people.length; j++) {
      for (const p of a) for (const q of people[j]) if (p && q) diff.push(descriptorDistance(p, q));
    }
  }
  const S = Float64Array.from(same).sort();
  const D = Float64Array.from(diff).sort();
  const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
  const far = quantile(D, 0.001);
  const below = (v: Float64Array, t: number) => {
    let n = 0;
    while (n < v.length && v[n] < t) n++;
    return n / v.length;
  };
  // EER: scan thresholds at the same-pair distances.
  let eer = { rate: 1, threshold: 0 };
  let best = Infinity;
  for (let i = 0; i < S.length; i += Math.max(1, Math.floor(S.length / 400))) {
    const t = S[i];
    const frr = 1 - below(S, t);
    const fa = below(D, t);
    if (Math.abs(frr - fa) < best) {
      best = Math.abs(frr - fa);
      eer = { rate: (frr + fa) / 2, threshold: t };
    }
  }
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    model: m.name,
    scale,
    people: people.length,
    missed,
    samePairs: S.length,
    differentPairs: D.length,
    same: { mean: r3(mean(S)), p95: r3(quantile(S, 0.95)), max: r3(S[S.length - 1]) },
    different: { min: r3(D[0]), p01: r3(far), p1: r3(quantile(D, 0.01)), mean: r3(mean(D)) },
    atFar001: { threshold: r3(far), sameBelow: r3(below(S, far)) },
    eer: { rate: r3(eer.rate), threshold: r3(eer.threshold) },
    at: [0.25, 0.3, 0.35, 0.4, 0.45, 0.5].map((t) => ({ threshold: t, sameBelow: r3(below(S, t)), differentBelow: Math.round(below(D, t) * 1e5) / 1e5 })),
    duplicates: Math.round(below(D, 0.05) * D.length),
  };
}
