/**
 * Kernel micro-benchmarks at 640x480: each operation twice, `kernels.<op>.wasm` (SIMD WASM via
 * src/runtime/wasm.ts) and `kernels.<op>.ref` (the TypeScript reference), so the harness can
 * report WASM/ref ratios measured in the same run.
 *
 * Inputs are fixed (deterministic noise, not random per run) and every op writes into a
 * preallocated `out` buffer: both sides then measure the kernel plus, for WASM, the copies in
 * and out of linear memory — not the allocator, which on a loaded 2-core box adds milliseconds
 * of noise per fresh 1 MB array to either side.
 */
import { getKernels, refKernels, type KernelOps, type Kernels, type NormalizeOptions } from '../src/runtime/wasm.js';
import type { BenchDef } from './types.js';

const W = 640;
const H = 480;

function noise(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = s & 255;
  }
  return a;
}

const rgba = noise(W * H * 4, 1);
const nv21 = noise(W * H + 2 * (W / 2) * (H / 2), 2);
const out8 = new Uint8Array(W * H * 4);
const outF = new Float32Array(W * H * 3);
const NORM: NormalizeOptions = { layout: 'nchw', mean: [127.5], std: [127.5] };
/** A face-alignment-like src->dst similarity: a ~190 px face around (300, 220) to 112x112. */
const ALIGN = [0.55, 0.08, -168, -0.08, 0.55, -90];

/** 2000 detector-like boxes in clusters (anchors firing around ~60 objects), fixed seed. */
const N_BOXES = 2000;
const boxes = new Float32Array(4 * N_BOXES);
const scores = new Float32Array(N_BOXES);
const keypoints = new Float32Array(12 * N_BOXES);
{
  const r = noise(N_BOXES * 8, 3);
  for (let i = 0; i < N_BOXES; i++) {
    const c = i % 60;
    const cx = 20 + (c % 10) * 60 + r[8 * i] / 32;
    const cy = 20 + Math.floor(c / 10) * 75 + r[8 * i + 1] / 32;
    const s = 30 + r[8 * i + 2] / 8;
    boxes.set([cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2], 4 * i);
    scores[i] = r[8 * i + 3] / 255;
    for (let k = 0; k < 12; k++) keypoints[12 * i + k] = cx + r[8 * i + (k % 8)] / 16;
  }
}

let wasm: Kernels | undefined;

/** Operations by name; each runs one kernel on the fixed input. */
const OPS: Record<string, (k: KernelOps) => unknown> = {
  rgba2rgb: (k) => k.convert(rgba, W, H, 'rgba', 'rgb', out8.subarray(0, W * H * 3)),
  rgba2gray: (k) => k.convert(rgba, W, H, 'rgba', 'gray', out8.subarray(0, W * H)),
  nv21ToRgba: (k) => k.convert(nv21, W, H, 'nv21', 'rgba', out8),
  resize320x240: (k) => k.resizeBilinear(rgba, W, H, 4, 320, 240, out8.subarray(0, 320 * 240 * 4)),
  normalize: (k) => k.normalize(rgba, W, H, 4, NORM, outF),
  resizeNormalize128: (k) => k.resizeNormalize(rgba, W, H, 4, 128, 128, NORM, outF.subarray(0, 128 * 128 * 3)),
  warpAffine112: (k) => k.warpAffine(rgba, W, H, 4, ALIGN, 112, 112, 0, out8.subarray(0, 112 * 112 * 4)),
  nmsHard2000: (k) => k.nms(boxes, scores, { iouThreshold: 0.3, scoreThreshold: 0.1 }),
  nmsWeighted2000: (k) => k.nms(boxes, scores, { iouThreshold: 0.3, scoreThreshold: 0.1, method: 'weighted', extras: keypoints }),
};

/** Kernel benchmarks, paired by name: `kernels.<op>.wasm` vs `kernels.<op>.ref`. */
export const benchmarks: BenchDef[] = Object.entries(OPS).flatMap(([op, run]): BenchDef[] => [
  {
    name: `kernels.${op}.wasm`,
    group: 'kernels',
    gate: true,
    setup: async () => {
      wasm = await getKernels();
      // Warm up so V8 tiers the WASM function up from its baseline compiler before timing.
      for (let i = 0; i < 30; i++) run(wasm);
    },
    fn: () => run(wasm!),
  },
  {
    name: `kernels.${op}.ref`,
    group: 'kernels',
    gate: true,
    setup: () => {
      for (let i = 0; i < 5; i++) run(refKernels);
    },
    fn: () => run(refKernels),
  },
]);
