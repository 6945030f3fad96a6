/**
 * The image/detection kernel contract and its plain-TypeScript reference implementation.
 *
 * This file defines what every kernel computes — types, argument validation and the exact
 * integer/float arithmetic — and implements it as straightforward loops. The WASM kernels
 * (`wasm/src/*.rs`, bound by `./wasm.ts`) implement the same arithmetic with SIMD and are
 * tested to be **bit-exact** against this file; benchmarks use it as the baseline.
 *
 * Semantics shared by both implementations:
 * - Gray is BT.601 luma with 8-bit integer weights: `(77 R + 150 G + 29 B + 128) >> 8`.
 * - NV21 → RGB is BT.601 *full range* (JFIF, what Android cameras and `YuvImage` use) in Q14
 *   integer math; chroma planes of odd-sized frames are `ceil(w/2) × ceil(h/2)`.
 * - Bilinear resize has OpenCV `INTER_LINEAR` geometry (half-pixel centres, clamped edges, no
 *   antialiasing on downscale) with 11-bit fixed-point weights: within ±1 of OpenCV.
 * - Normalisation is `f32(f32(v · f32(1/std)) + f32(−mean/std))`.
 * - Affine warps take OpenCV `cv2.warpAffine`'s default src→dst matrix, sample bilinearly with
 *   pixel centres at integer coordinates and fade into a constant border.
 * - NMS compares IoU strictly greater than the threshold; weighted NMS follows MediaPipe.
 *
 * @internal
 */
import { createError, describe, type HmpError } from '../errors.js';
import { bytes, integer, invalid, isObject, knownKeys, oneOf, outOfRange } from '../is.js';

/** Pixel layouts a frame can arrive in. `nv21` (Android camera preview) is input-only. */
export type PixelFormat = 'rgba' | 'rgb' | 'bgr' | 'gray' | 'nv21';

/** Pixel layouts a kernel can produce. */
export type PackedFormat = Exclude<PixelFormat, 'nv21'>;

/** Interleaved channels per pixel accepted by resize, crop and warp. */
export type Channels = 1 | 2 | 3 | 4;

/** Tensor layout of a normalised image. */
export type TensorLayout = 'nhwc' | 'nchw';

/** Options of {@link KernelOps.normalize} and {@link KernelOps.resizeNormalize}. */
export interface NormalizeOptions {
  /** `nchw` (planes, what most ONNX vision models take) or `nhwc` (interleaved). */
  layout: TensorLayout;
  /** Per-output-channel mean on the 0..255 scale; one value is broadcast. ImageNet: `[123.675, 116.28, 103.53]`. */
  mean: readonly number[];
  /** Per-output-channel standard deviation on the 0..255 scale (non-zero); one value is broadcast. */
  std: readonly number[];
  /** Swap channels 0 and 2 (RGB ↔ BGR) of 3/4-channel input. Default `false`. */
  swapRB?: boolean;
  /** Drop the fourth channel of 4-channel input, giving 3 output channels. Default `true`. */
  dropAlpha?: boolean;
}

/** NMS flavour: greedy hard suppression, or MediaPipe's score-weighted cluster averaging. */
export type NmsMethod = 'hard' | 'weighted';

/** Options of {@link KernelOps.nms}. */
export interface NmsOptions {
  /** A box is suppressed by a better one when their IoU is strictly greater. 0..1, default `0.3` (MediaPipe BlazeFace). */
  iouThreshold?: number;
  /** Boxes scoring below this are dropped first. Default `-Infinity` (keep all). */
  scoreThreshold?: number;
  /** At most this many results. Default `Infinity`. */
  maxOutput?: number;
  /** Default `'hard'`. */
  method?: NmsMethod;
  /** Per-box payload, `n·k` floats (e.g. BlazeFace keypoints): copied for hard NMS, score-weighted averaged like the box for weighted NMS. */
  extras?: Float32Array;
}

/** Result of {@link KernelOps.nms}, best first. Nothing kept is empty arrays, not an error. */
export interface NmsResult {
  /** Index in the input of each kept box (for weighted NMS: the cluster's top box). */
  indices: Int32Array;
  /** Kept boxes, `m·4` as x1, y1, x2, y2 (weighted: the cluster mean). */
  boxes: Float32Array;
  /** Scores of the kept (top) boxes. */
  scores: Float32Array;
  /** Kept payloads, `m·k` (empty without `extras`). */
  extras: Float32Array;
}

/** A 2×3 affine matrix, row-major: `[a, b, c, d, e, f]` maps (x, y) to (a·x + b·y + c, d·x + e·y + f). */
export type AffineMatrix = readonly [number, number, number, number, number, number] | readonly number[];

/**
 * The kernel operations, implemented by {@link refKernels} (TypeScript) and by the WASM
 * `Kernels` class. Each returns a fresh array, or fills and returns `out` when given
 * (which must have exactly the output's type and length).
 */
export interface KernelOps {
  convert(src: Uint8Array, width: number, height: number, from: PixelFormat, to: PackedFormat, out?: Uint8Array): Uint8Array;
  resizeBilinear(src: Uint8Array, width: number, height: number, channels: Channels, dstWidth: number, dstHeight: number, out?: Uint8Array): Uint8Array;
  crop(src: Uint8Array, width: number, height: number, channels: Channels, x: number, y: number, w: number, h: number, out?: Uint8Array): Uint8Array;
  normalize(src: Uint8Array, width: number, height: number, channels: 1 | 3 | 4, opts: NormalizeOptions, out?: Float32Array): Float32Array;
  resizeNormalize(src: Uint8Array, width: number, height: number, channels: 1 | 3 | 4, dstWidth: number, dstHeight: number, opts: NormalizeOptions, out?: Float32Array): Float32Array;
  warpAffine(src: Uint8Array, width: number, height: number, channels: Channels, matrix: AffineMatrix, dstWidth: number, dstHeight: number, borderValue?: number | readonly number[], out?: Uint8Array): Uint8Array;
  nms(boxes: Float32Array, scores: Float32Array, opts?: NmsOptions): NmsResult;
}

// --- validation (shared with wasm.ts) -----------------------------------------------------

/** Largest accepted width or height. @internal */
export const MAX_SIDE = 32768;
/** Largest output a kernel call may produce, in bytes. @internal */
export const MAX_OUTPUT_BYTES = 1 << 30;

/** Format codes shared with `wasm/src/color.rs`. @internal */
export const FORMAT_CODE: Readonly<Record<PixelFormat, number>> = Object.freeze({ rgba: 0, rgb: 1, bgr: 2, gray: 3, nv21: 4 });
const INPUT_FORMATS: readonly PixelFormat[] = ['rgba', 'rgb', 'bgr', 'gray', 'nv21'];
const OUTPUT_FORMATS: readonly PackedFormat[] = ['rgba', 'rgb', 'bgr', 'gray'];
const CHANNELS: Readonly<Record<PackedFormat, number>> = { rgba: 4, rgb: 3, bgr: 3, gray: 1 };

/** Bytes of a `width`×`height` frame in `format`. @internal */
export function frameBytes(width: number, height: number, format: PixelFormat): number {
  if (format === 'nv21') return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
  return width * height * CHANNELS[format];
}

/** @internal */
export function checkSide(value: unknown, name: string): number {
  return integer(value, name, 1, MAX_SIDE);
}

/** @internal */
export function checkChannels<T extends number>(value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'number' || !(allowed as readonly number[]).includes(value)) {
    throw invalid(`one of ${allowed.join(', ')}`, 'channels', value);
  }
  return value as T;
}

/** Views `src` as bytes and checks it holds exactly one frame. @throws HMP_ERR_ARG_INVALID, HMP_ERR_FRAME_SIZE @internal */
export function checkFrame(src: unknown, width: number, height: number, what: string, needed: number): Uint8Array {
  const b = bytes(src, 'src');
  if (b.length !== needed) throw createError('HMP_ERR_FRAME_SIZE', 'src', b.length, width, height, what, needed);
  return b;
}

/** @internal */
export function checkOutputSize(dstWidth: number, dstHeight: number, perPixel: number): void {
  const n = dstWidth * dstHeight * perPixel;
  if (n > MAX_OUTPUT_BYTES) throw outOfRange(`an output of at most ${MAX_OUTPUT_BYTES} bytes`, 'dstWidth x dstHeight', `${dstWidth} x ${dstHeight} (${n} bytes)`);
}

/** Returns `out` if it fits, or a fresh array. @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE @internal */
export function outputArray<T extends Uint8Array | Float32Array>(out: unknown, ctor: { new (n: number): T; name: string }, length: number): T {
  if (out === undefined) return new ctor(length);
  if (!(out instanceof ctor)) throw invalid(ctor.name, 'out', out);
  if ((out as T).length !== length) throw outOfRange(`${ctor.name} of length ${length}`, 'out', `length ${(out as T).length}`);
  return out as T;
}

/** Validated arguments of a format conversion. @internal */
export interface ConvertArgs {
  src: Uint8Array;
  from: PixelFormat;
  to: PackedFormat;
  outBytes: number;
}

/** @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_FRAME_FORMAT, HMP_ERR_FRAME_SIZE @internal */
export function checkConvert(src: unknown, width: unknown, height: unknown, from: unknown, to: unknown): ConvertArgs {
  const w = checkSide(width, 'width');
  const h = checkSide(height, 'height');
  if (typeof from !== 'string' || !(INPUT_FORMATS as readonly string[]).includes(from)) {
    throw createError('HMP_ERR_FRAME_FORMAT', INPUT_FORMATS.join(', '), 'from', describe(from));
  }
  if (typeof to !== 'string' || !(OUTPUT_FORMATS as readonly string[]).includes(to)) {
    throw createError('HMP_ERR_FRAME_FORMAT', OUTPUT_FORMATS.join(', '), 'to', describe(to));
  }
  const f = from as PixelFormat;
  const t = to as PackedFormat;
  return { src: checkFrame(src, w, h, f, frameBytes(w, h, f)), from: f, to: t, outBytes: frameBytes(w, h, t) };
}

/** @internal */
export function checkImage(src: unknown, width: unknown, height: unknown, channels: unknown, allowed: readonly number[] = [1, 2, 3, 4]) {
  const w = checkSide(width, 'width');
  const h = checkSide(height, 'height');
  const c = checkChannels(channels, allowed);
  return { src: checkFrame(src, w, h, `x ${c} channels`, w * h * c), w, h, c };
}

/** Validated crop rectangle. @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE @internal */
export function checkRect(x: unknown, y: unknown, w: unknown, h: unknown, width: number, height: number) {
  const rx = integer(x, 'x', 0, width - 1);
  const ry = integer(y, 'y', 0, height - 1);
  const rw = integer(w, 'w', 1, width - rx);
  const rh = integer(h, 'h', 1, height - ry);
  return { x: rx, y: ry, w: rw, h: rh };
}

/** Scale/bias per output channel and the layout flags, as `wasm/src/normalize.rs` takes them. @internal */
export interface NormParams {
  outCh: number;
  nchw: boolean;
  /** Input channel feeding each output channel. */
  map: number[];
  /** `f32(1/std)`, padded to 4. */
  scale: Float32Array;
  /** `f32(−mean/std)`, padded to 4. */
  bias: Float32Array;
  /** Flag word for the WASM export: 1 NCHW, 2 drop alpha, 4 swap R/B. */
  flags: number;
}

const NORM_KEYS = ['layout', 'mean', 'std', 'swapRB', 'dropAlpha'] as const;

/** @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_OPTION_UNKNOWN @internal */
export function normParams(channels: number, opts: unknown): NormParams {
  if (!isObject(opts)) throw invalid('an options object', 'opts', opts);
  knownKeys(opts, NORM_KEYS, 'opts');
  const layout = oneOf(opts.layout, 'opts.layout', ['nhwc', 'nchw'] as const);
  const swap = opts.swapRB === undefined ? false : boolOpt(opts.swapRB, 'opts.swapRB');
  const drop = opts.dropAlpha === undefined ? true : boolOpt(opts.dropAlpha, 'opts.dropAlpha');
  const outCh = channels === 4 && drop ? 3 : channels;
  const mean = perChannel(opts.mean, 'opts.mean', outCh, false);
  const std = perChannel(opts.std, 'opts.std', outCh, true);
  const map = [0, 1, 2, 3].slice(0, outCh);
  if (swap && channels >= 3) [map[0], map[2]] = [map[2], map[0]];
  const scale = new Float32Array(4);
  const bias = new Float32Array(4);
  for (let c = 0; c < outCh; c++) {
    scale[c] = 1 / std[c];
    bias[c] = -mean[c] / std[c];
  }
  const nchw = layout === 'nchw';
  return { outCh, nchw, map, scale, bias, flags: (nchw ? 1 : 0) | (channels === 4 && drop ? 2 : 0) | (swap ? 4 : 0) };
}

function boolOpt(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw invalid('boolean', name, v);
  return v;
}

function perChannel(v: unknown, name: string, n: number, nonZero: boolean): number[] {
  if (!Array.isArray(v) && !ArrayBuffer.isView(v)) throw invalid(`an array of ${n === 1 ? '1' : `1 or ${n}`} numbers`, name, v);
  const a = Array.from(v as ArrayLike<unknown>);
  if (a.length !== 1 && a.length !== n) throw outOfRange(`an array of ${n === 1 ? '1' : `1 or ${n}`} numbers`, name, v);
  return Array.from({ length: n }, (_, c) => {
    const x = a.length === 1 ? a[0] : a[c];
    if (typeof x !== 'number' || !Number.isFinite(x) || (nonZero && x === 0)) {
      throw invalid(nonZero ? 'finite non-zero numbers' : 'finite numbers', `${name}[${a.length === 1 ? 0 : c}]`, x);
    }
    return x;
  });
}

/**
 * Inverts a 2×3 affine matrix (dst→src from src→dst and back).
 * @throws HMP_ERR_ARG_INVALID when `matrix` is not 6 finite numbers, HMP_ERR_ARG_RANGE when it is singular.
 * @example invertAffine([2, 0, 10, 0, 2, 20]) // [0.5, 0, -5, 0, 0.5, -10]
 */
export function invertAffine(matrix: AffineMatrix): number[] {
  const m = checkMatrix(matrix);
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw outOfRange('an invertible affine matrix', 'matrix', m);
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

function checkMatrix(matrix: unknown): number[] {
  if ((!Array.isArray(matrix) && !ArrayBuffer.isView(matrix)) || (matrix as ArrayLike<unknown>).length !== 6) {
    throw invalid('an array of 6 numbers', 'matrix', matrix);
  }
  const m = Array.from(matrix as ArrayLike<unknown>);
  m.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw invalid('a finite number', `matrix[${i}]`, x);
  });
  return m as number[];
}

/** Validated warp arguments: the dst→src matrix both implementations sample with. @internal */
export function checkWarp(matrix: unknown, dstWidth: unknown, dstHeight: unknown, channels: number, borderValue: unknown) {
  const inv = invertAffine(checkMatrix(matrix));
  const dw = checkSide(dstWidth, 'dstWidth');
  const dh = checkSide(dstHeight, 'dstHeight');
  checkOutputSize(dw, dh, channels);
  const border = new Uint8Array(4);
  if (typeof borderValue === 'number') {
    border.fill(integer(borderValue, 'borderValue', 0, 255));
  } else if (Array.isArray(borderValue) && borderValue.length === channels) {
    borderValue.forEach((v, i) => (border[i] = integer(v, `borderValue[${i}]`, 0, 255)));
  } else {
    throw invalid(`an integer 0..255 or an array of ${channels}`, 'borderValue', borderValue);
  }
  return { inv, dw, dh, border };
}

/** Validated NMS arguments. @internal */
export interface NmsArgs {
  n: number;
  k: number;
  iou: number;
  score: number;
  maxOutput: number;
  weighted: boolean;
  extras: Float32Array | undefined;
}

const NMS_KEYS = ['iouThreshold', 'scoreThreshold', 'maxOutput', 'method', 'extras'] as const;

/** @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_OPTION_UNKNOWN @internal */
export function checkNms(boxes: unknown, scores: unknown, opts: unknown): NmsArgs {
  if (!(boxes instanceof Float32Array)) throw invalid('Float32Array', 'boxes', boxes);
  if (!(scores instanceof Float32Array)) throw invalid('Float32Array', 'scores', scores);
  const n = scores.length;
  if (boxes.length !== 4 * n) throw outOfRange(`Float32Array of length ${4 * n} (4 per score)`, 'boxes', `length ${boxes.length}`);
  const o = opts === undefined ? {} : opts;
  if (!isObject(o)) throw invalid('an options object', 'opts', opts);
  knownKeys(o, NMS_KEYS, 'opts');
  const iou = o.iouThreshold === undefined ? 0.3 : numberIn(o.iouThreshold, 'opts.iouThreshold', 0, 1);
  const score = o.scoreThreshold === undefined ? -Infinity : numberIn(o.scoreThreshold, 'opts.scoreThreshold', -Infinity, Infinity);
  let maxOutput = n;
  if (o.maxOutput !== undefined && o.maxOutput !== Infinity) maxOutput = Math.min(n, integer(o.maxOutput, 'opts.maxOutput', 0, 2 ** 31 - 1));
  const method = o.method === undefined ? 'hard' : oneOf(o.method, 'opts.method', ['hard', 'weighted'] as const);
  let extras: Float32Array | undefined;
  let k = 0;
  if (o.extras !== undefined) {
    if (!(o.extras instanceof Float32Array)) throw invalid('Float32Array', 'opts.extras', o.extras);
    if (n > 0 && o.extras.length % n !== 0) throw outOfRange(`Float32Array whose length is a multiple of ${n} boxes`, 'opts.extras', `length ${o.extras.length}`);
    extras = o.extras;
    k = n > 0 ? o.extras.length / n : 0;
  }
  // Non-finite values would make min/max and sorting differ between implementations.
  for (let i = 0; i < boxes.length; i++) if (!Number.isFinite(boxes[i])) throw invalid('finite numbers', `boxes[${i}]`, boxes[i]);
  for (let i = 0; i < n; i++) if (!Number.isFinite(scores[i])) throw invalid('finite numbers', `scores[${i}]`, scores[i]);
  return { n, k, iou, score, maxOutput, weighted: method === 'weighted', extras };
}

function numberIn(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw invalid(`number between ${min} and ${max}`, name, v);
  if (v < min || v > max) throw outOfRange(`number between ${min} and ${max}`, name, v);
  return v;
}

// --- reference kernels ---------------------------------------------------------------------

/** Channel offsets of R, G, B, A (−1: none) in a packed format. */
function layoutOf(f: PackedFormat): [number, number, number, number] {
  switch (f) {
    case 'rgba':
      return [0, 1, 2, 3];
    case 'rgb':
      return [0, 1, 2, -1];
    case 'bgr':
      return [2, 1, 0, -1];
    case 'gray':
      return [0, 0, 0, -1];
  }
}

/** BT.601 full-range chroma offsets (Q14), see `wasm/src/color.rs`. */
function chroma(u: number, v: number): [number, number, number] {
  const du = u - 128;
  const dv = v - 128;
  return [(22970 * dv + 8192) >> 14, (-5638 * du - 11700 * dv + 8192) >> 14, (29032 * du + 8192) >> 14];
}

const clamp8 = (x: number): number => (x < 0 ? 0 : x > 255 ? 255 : x);

function writePixel(dst: Uint8Array, o: number, to: PackedFormat, r: number, g: number, b: number, a: number): void {
  switch (to) {
    case 'rgba':
      dst[o] = r;
      dst[o + 1] = g;
      dst[o + 2] = b;
      dst[o + 3] = a;
      break;
    case 'rgb':
      dst[o] = r;
      dst[o + 1] = g;
      dst[o + 2] = b;
      break;
    case 'bgr':
      dst[o] = b;
      dst[o + 1] = g;
      dst[o + 2] = r;
      break;
    case 'gray':
      dst[o] = (77 * r + 150 * g + 29 * b + 128) >> 8;
      break;
  }
}

function convertRef(src: Uint8Array, width: number, height: number, from: PixelFormat, to: PackedFormat, out?: Uint8Array): Uint8Array {
  const a = checkConvert(src, width, height, from, to);
  const dst = outputArray(out, Uint8Array, a.outBytes);
  const w = width;
  const h = height;
  const oc = CHANNELS[a.to];
  const s = a.src;
  if (a.from === 'nv21') {
    const stride = 2 * Math.ceil(w / 2);
    for (let y = 0; y < h; y++) {
      const crow = w * h + (y >> 1) * stride;
      for (let x = 0; x < w; x++) {
        const yy = s[y * w + x];
        if (a.to === 'gray') {
          dst[y * w + x] = yy; // the Y plane is the luma
          continue;
        }
        const ci = crow + (x >> 1) * 2;
        const [ro, go, bo] = chroma(s[ci + 1], s[ci]); // NV21 stores V before U
        writePixel(dst, (y * w + x) * oc, a.to, clamp8(yy + ro), clamp8(yy + go), clamp8(yy + bo), 255);
      }
    }
    return dst;
  }
  const ic = CHANNELS[a.from];
  const [ri, gi, bi, ai] = layoutOf(a.from);
  const n = w * h;
  for (let p = 0; p < n; p++) {
    const i = p * ic;
    if (a.from === 'gray' && a.to === 'gray') dst[p] = s[i];
    else writePixel(dst, p * oc, a.to, s[i + ri], s[i + gi], s[i + bi], ai < 0 ? 255 : s[i + ai]);
  }
  return dst;
}

/** One axis of the bilinear sampling table (integer-only; mirrors `tap` in resize.rs). @internal */
export function resizeTaps(sn: number, dn: number): { i0: Int32Array; i1: Int32Array; w1: Int32Array } {
  const i0 = new Int32Array(dn);
  const i1 = new Int32Array(dn);
  const w1 = new Int32Array(dn);
  const den = 2 * dn;
  for (let d = 0; d < dn; d++) {
    const num = (2 * d + 1) * sn - dn;
    let a = 0;
    let wt = 0;
    if (num > 0) {
      a = Math.floor(num / den);
      wt = Math.floor(((num - a * den) * 2048 + dn) / den);
    }
    if (a >= sn - 1) {
      a = sn - 1;
      wt = 0;
    }
    i0[d] = a;
    i1[d] = a + 1 < sn ? a + 1 : a;
    w1[d] = wt;
  }
  return { i0, i1, w1 };
}

function resizeRaw(s: Uint8Array, sw: number, sh: number, c: number, dw: number, dh: number, dst: Uint8Array): void {
  const xt = resizeTaps(sw, dw);
  const yt = resizeTaps(sh, dh);
  for (let dy = 0; dy < dh; dy++) {
    const r0 = yt.i0[dy] * sw * c;
    const r1 = yt.i1[dy] * sw * c;
    const wy1 = yt.w1[dy];
    const wy0 = 2048 - wy1;
    for (let dx = 0; dx < dw; dx++) {
      const x0 = xt.i0[dx] * c;
      const x1 = xt.i1[dx] * c;
      const wx1 = xt.w1[dx];
      const wx0 = 2048 - wx1;
      for (let k = 0; k < c; k++) {
        const h0 = s[r0 + x0 + k] * wx0 + s[r0 + x1 + k] * wx1;
        const h1 = s[r1 + x0 + k] * wx0 + s[r1 + x1 + k] * wx1;
        dst[(dy * dw + dx) * c + k] = (h0 * wy0 + h1 * wy1 + (1 << 21)) >> 22;
      }
    }
  }
}

function resizeRef(src: Uint8Array, width: number, height: number, channels: Channels, dstWidth: number, dstHeight: number, out?: Uint8Array): Uint8Array {
  const { src: s, w, h, c } = checkImage(src, width, height, channels);
  const dw = checkSide(dstWidth, 'dstWidth');
  const dh = checkSide(dstHeight, 'dstHeight');
  checkOutputSize(dw, dh, c);
  const dst = outputArray(out, Uint8Array, dw * dh * c);
  resizeRaw(s, w, h, c, dw, dh, dst);
  return dst;
}

function cropRef(src: Uint8Array, width: number, height: number, channels: Channels, x: number, y: number, w: number, h: number, out?: Uint8Array): Uint8Array {
  const img = checkImage(src, width, height, channels);
  const r = checkRect(x, y, w, h, img.w, img.h);
  const c = img.c;
  const dst = outputArray(out, Uint8Array, r.w * r.h * c);
  for (let row = 0; row < r.h; row++) {
    for (let i = 0; i < r.w * c; i++) dst[row * r.w * c + i] = img.src[((r.y + row) * img.w + r.x) * c + i];
  }
  return dst;
}

function normalizeRaw(s: Uint8Array, n: number, inCh: number, p: NormParams, dst: Float32Array): void {
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < p.outCh; c++) {
      const v = s[i * inCh + p.map[c]];
      // Float32Array stores round to f32, completing f32(f32(v·scale) + bias).
      dst[p.nchw ? c * n + i : i * p.outCh + c] = Math.fround(v * p.scale[c]) + p.bias[c];
    }
  }
}

function normalizeRef(src: Uint8Array, width: number, height: number, channels: 1 | 3 | 4, opts: NormalizeOptions, out?: Float32Array): Float32Array {
  const img = checkImage(src, width, height, channels, [1, 3, 4]);
  const p = normParams(img.c, opts);
  const n = img.w * img.h;
  checkOutputSize(img.w, img.h, 4 * p.outCh);
  const dst = outputArray(out, Float32Array, n * p.outCh);
  normalizeRaw(img.src, n, img.c, p, dst);
  return dst;
}

function resizeNormalizeRef(
  src: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
  dstWidth: number,
  dstHeight: number,
  opts: NormalizeOptions,
  out?: Float32Array,
): Float32Array {
  const img = checkImage(src, width, height, channels, [1, 3, 4]);
  const dw = checkSide(dstWidth, 'dstWidth');
  const dh = checkSide(dstHeight, 'dstHeight');
  const p = normParams(img.c, opts);
  checkOutputSize(dw, dh, 4 * p.outCh);
  const dst = outputArray(out, Float32Array, dw * dh * p.outCh);
  // The reference is literally resize then normalise; the WASM kernel fuses them per row.
  const tmp = new Uint8Array(dw * dh * img.c);
  resizeRaw(img.src, img.w, img.h, img.c, dw, dh, tmp);
  normalizeRaw(tmp, dw * dh, img.c, p, dst);
  return dst;
}

/** Quantises a source coordinate to 1/2048 px (mirrors `quantise` in warp.rs). */
function quantise(s: number, n: number): number {
  return Math.floor(Math.min(Math.max(s, -2), n + 1) * 2048 + 0.5);
}

function warpRef(
  src: Uint8Array,
  width: number,
  height: number,
  channels: Channels,
  matrix: AffineMatrix,
  dstWidth: number,
  dstHeight: number,
  borderValue: number | readonly number[] = 0,
  out?: Uint8Array,
): Uint8Array {
  const { src: s, w, h, c } = checkImage(src, width, height, channels);
  const { inv: m, dw, dh, border } = checkWarp(matrix, dstWidth, dstHeight, c, borderValue);
  const dst = outputArray(out, Uint8Array, dw * dh * c);
  const tap = (x: number, y: number, k: number): number => (x >= 0 && y >= 0 && x < w && y < h ? s[(y * w + x) * c + k] : border[k]);
  for (let dy = 0; dy < dh; dy++) {
    const bx = m[1] * dy + m[2];
    const by = m[4] * dy + m[5];
    for (let dx = 0; dx < dw; dx++) {
      const qx = quantise(m[0] * dx + bx, w);
      const qy = quantise(m[3] * dx + by, h);
      const x0 = qx >> 11;
      const fx = qx & 2047;
      const y0 = qy >> 11;
      const fy = qy & 2047;
      for (let k = 0; k < c; k++) {
        const h0 = tap(x0, y0, k) * (2048 - fx) + tap(x0 + 1, y0, k) * fx;
        const h1 = tap(x0, y0 + 1, k) * (2048 - fx) + tap(x0 + 1, y0 + 1, k) * fx;
        dst[(dy * dw + dx) * c + k] = (h0 * (2048 - fy) + h1 * fy + (1 << 21)) >> 22;
      }
    }
  }
  return dst;
}

function area(b: Float32Array, i: number): number {
  const w = b[4 * i + 2] - b[4 * i];
  const h = b[4 * i + 3] - b[4 * i + 1];
  return w > 0 && h > 0 ? w * h : 0;
}

/** IoU of boxes i and j; 0 for an empty union. Mirrors `iou` in nms.rs. @internal */
export function iouOf(b: Float32Array, i: number, ai: number, j: number, aj: number): number {
  const ix = Math.min(b[4 * i + 2], b[4 * j + 2]) - Math.max(b[4 * i], b[4 * j]);
  const iy = Math.min(b[4 * i + 3], b[4 * j + 3]) - Math.max(b[4 * i + 1], b[4 * j + 1]);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = ai + aj - inter;
  return union > 0 ? inter / union : 0;
}

function nmsRef(boxes: Float32Array, scores: Float32Array, opts?: NmsOptions): NmsResult {
  const a = checkNms(boxes, scores, opts);
  const { n, k } = a;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (scores[i] >= a.score) order.push(i);
  order.sort((i, j) => scores[j] - scores[i] || i - j);
  const areas = new Float64Array(n);
  for (const i of order) areas[i] = area(boxes, i);
  const idx: number[] = [];
  const ob: number[] = [];
  const ex: number[] = [];
  if (!a.weighted) {
    for (const i of order) {
      if (idx.length >= a.maxOutput) break;
      if (idx.some((j) => iouOf(boxes, j, areas[j], i, areas[i]) > a.iou)) continue;
      idx.push(i);
      for (let q = 0; q < 4; q++) ob.push(boxes[4 * i + q]);
      for (let q = 0; q < k; q++) ex.push(a.extras![k * i + q]);
    }
  } else {
    let rest = order;
    while (rest.length > 0 && idx.length < a.maxOutput) {
      const top = rest[0];
      const acc = new Float64Array(4 + k);
      let total = 0;
      const next: number[] = [];
      rest.forEach((i, pos) => {
        if (pos === 0 || iouOf(boxes, top, areas[top], i, areas[i]) > a.iou) {
          const s = scores[i];
          total += s;
          for (let q = 0; q < 4; q++) acc[q] += boxes[4 * i + q] * s;
          for (let q = 0; q < k; q++) acc[4 + q] += a.extras![k * i + q] * s;
        } else {
          next.push(i);
        }
      });
      idx.push(top);
      for (let q = 0; q < 4; q++) ob.push(total > 0 ? acc[q] / total : boxes[4 * top + q]);
      for (let q = 0; q < k; q++) ex.push(total > 0 ? acc[4 + q] / total : a.extras![k * top + q]);
      rest = next;
    }
  }
  return {
    indices: Int32Array.from(idx),
    boxes: Float32Array.from(ob),
    scores: Float32Array.from(idx, (i) => scores[i]),
    extras: Float32Array.from(ex),
  };
}

/**
 * The reference kernels: plain TypeScript, same signatures and bit-identical results as the
 * WASM `Kernels` (see this module's doc for the arithmetic). For tests, benchmarks, and as a
 * fallback where WASM is unavailable.
 * @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_FRAME_SIZE, HMP_ERR_FRAME_FORMAT, HMP_ERR_OPTION_UNKNOWN
 * @example
 * refKernels.convert(new Uint8Array([255, 0, 0, 255]), 1, 1, 'rgba', 'gray') // Uint8Array [ 77 ]
 */
export const refKernels: KernelOps = Object.freeze({
  convert: convertRef,
  resizeBilinear: resizeRef,
  crop: cropRef,
  normalize: normalizeRef,
  resizeNormalize: resizeNormalizeRef,
  warpAffine: warpRef,
  nms: nmsRef,
});

/** Re-exported for callers that only need the error type when catching. @internal */
export type { HmpError };
