/**
 * Typed bindings to hmp's own WASM kernels (`wasm/pkg/hmp_kernels.wasm`, built from `wasm/`
 * by `wasm/build.sh`): pixel-format conversion, bilinear resize, crop, normalisation to
 * float tensors, affine warps and NMS, with SIMD. Results are bit-identical to the
 * TypeScript reference in `./kernels-ref.ts`, which also defines the semantics.
 *
 * One instance per thread ({@link getKernels}); each worker thread instantiates its own, so
 * no memory is shared and no locking is needed. Every call copies its input into one scratch
 * arena inside linear memory, runs the kernel, and copies the result out; the arena is reused
 * across calls and only grows to the largest call seen (see {@link Kernels.release}).
 *
 * @internal
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createError, createErrorWith, HmpError } from '../errors.js';
import {
  checkConvert,
  checkImage,
  checkNms,
  checkOutputSize,
  checkRect,
  checkSide,
  checkWarp,
  FORMAT_CODE,
  normParams,
  outputArray,
  type AffineMatrix,
  type Channels,
  type KernelOps,
  type NmsOptions,
  type NmsResult,
  type NormalizeOptions,
  type PackedFormat,
  type PixelFormat,
} from './kernels-ref.js';

export { invertAffine, refKernels } from './kernels-ref.js';
export type {
  AffineMatrix,
  Channels,
  KernelOps,
  NmsMethod,
  NmsOptions,
  NmsResult,
  NormalizeOptions,
  PackedFormat,
  PixelFormat,
  TensorLayout,
} from './kernels-ref.js';

/** ABI version the bindings were written for (`hmp_abi_version` in wasm/src/lib.rs). */
const ABI_VERSION = 1;
/** Status codes of wasm/src/lib.rs. */
const ERR_ARGS = -1;
const ERR_ALLOC = -2;
/** Arena regions start on v128 boundaries, as the kernels' aligned loads expect. */
const ALIGN = 16;
/** The arena grows in whole 64 KiB pages at least, by 1.5x, so a few sizes don't thrash it. */
const PAGE = 65536;

/**
 * The slice of the WebAssembly JS API used here. Typed locally because the project compiles
 * without the DOM lib (where TypeScript keeps the `WebAssembly` namespace) and a global
 * declaration could clash with another module's.
 */
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<{ exports: unknown }>;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Raw exports of hmp_kernels.wasm (pointers are u32 offsets into `memory`). */
interface Exports {
  memory: { readonly buffer: ArrayBuffer };
  hmp_abi_version(): number;
  hmp_alloc(size: number): number;
  hmp_free(ptr: number, size: number): void;
  hmp_convert(src: number, w: number, h: number, from: number, dst: number, to: number): number;
  hmp_resize_bilinear(src: number, sw: number, sh: number, c: number, dst: number, dw: number, dh: number): number;
  hmp_normalize(src: number, w: number, h: number, c: number, dst: number, flags: number, params: number): number;
  hmp_resize_normalize(src: number, sw: number, sh: number, c: number, dw: number, dh: number, dst: number, flags: number, params: number): number;
  hmp_warp_affine(src: number, sw: number, sh: number, c: number, dst: number, dw: number, dh: number, m: number, border: number): number;
  hmp_nms(
    boxes: number, scores: number, n: number, extras: number, k: number, iou: number, score: number,
    maxOut: number, method: number, outIdx: number, outBoxes: number, outScores: number, outExtras: number,
  ): number;
}

/** Options of {@link loadKernels}. */
export interface LoadKernelsOptions {
  /** Path of the .wasm file. Default: `wasm/pkg/hmp_kernels.wasm` of the hmp checkout or package. */
  path?: string;
}

let defaultPath: string | undefined;

/** Finds `wasm/pkg/hmp_kernels.wasm` walking up from this module (src/runtime or dist/src/runtime). */
function findWasm(): string {
  if (defaultPath) return defaultPath;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const p = join(dir, 'wasm', 'pkg', 'hmp_kernels.wasm');
    if (existsSync(p)) return (defaultPath = p);
    if (dirname(dir) === dir) throw createError('HMP_ERR_WASM_LOAD', `wasm/pkg/hmp_kernels.wasm above ${start}`, 'file not found; run: bash wasm/build.sh');
  }
}

/** Compiled modules by path: compiling once per thread is enough for any number of instances. */
const compiled = new Map<string, Promise<WasmModule>>();

function compile(path: string): Promise<WasmModule> {
  let m = compiled.get(path);
  if (!m) {
    m = readFile(path).then((bytes) => WA.compile(bytes));
    m.catch(() => compiled.delete(path));
    compiled.set(path, m);
  }
  return m;
}

/**
 * hmp's WASM kernels bound to one WebAssembly instance. Create with {@link loadKernels} (an
 * instance you own and dispose) or {@link getKernels} (the thread's shared instance). Methods
 * are synchronous, validate their arguments like {@link refKernels}, and return fresh arrays —
 * or fill and return `out` when given (same type and exact length).
 *
 * @example
 * const k = await getKernels();
 * k.convert(new Uint8Array([255, 0, 0, 255]), 1, 1, 'rgba', 'gray'); // Uint8Array [ 77 ]
 */
export class Kernels implements KernelOps {
  #x: Exports;
  #view: Uint8Array;
  #arenaPtr = 0;
  #arenaSize = 0;
  #disposed = false;

  private constructor(x: Exports) {
    this.#x = x;
    this.#view = new Uint8Array(x.memory.buffer);
  }

  /**
   * Instantiates the kernels from `options.path` (default: the committed `wasm/pkg` artifact).
   * @throws HMP_ERR_WASM_LOAD when the file is missing, invalid, or built for another ABI.
   */
  static async load(options: LoadKernelsOptions = {}): Promise<Kernels> {
    const path = options.path === undefined ? findWasm() : resolve(options.path);
    let instance: { exports: unknown };
    try {
      instance = await WA.instantiate(await compile(path), {});
    } catch (err) {
      throw createErrorWith('HMP_ERR_WASM_LOAD', { cause: err }, path, (err as Error).message);
    }
    const x = instance.exports as unknown as Exports;
    const abi = typeof x.hmp_abi_version === 'function' ? x.hmp_abi_version() : undefined;
    if (abi !== ABI_VERSION) throw createError('HMP_ERR_WASM_LOAD', path, `ABI version ${String(abi)}, expected ${ABI_VERSION}; rebuild with bash wasm/build.sh`);
    return new Kernels(x);
  }

  /** Bytes of linear memory this instance holds (for leak checks and metrics). */
  get memoryBytes(): number {
    return this.#x.memory.buffer.byteLength;
  }

  /** Bytes of the reusable scratch arena. */
  get scratchBytes(): number {
    return this.#arenaSize;
  }

  /** True after {@link dispose}, or after a kernel trapped. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Converts a frame between pixel formats. See `kernels-ref.ts` for the exact math
   * (BT.601 integer luma; NV21 full-range BT.601 in Q14 integers).
   * @param src `width·height·bpp` bytes (NV21: `w·h + 2·⌈w/2⌉·⌈h/2⌉`).
   * @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_FRAME_FORMAT (unknown format, or `nv21` as `to`),
   *   HMP_ERR_FRAME_SIZE, HMP_ERR_WASM_ALLOC, HMP_ERR_WASM_DISPOSED
   * @example k.convert(rgba, 640, 480, 'rgba', 'rgb') // Uint8Array(921600)
   */
  convert(src: Uint8Array, width: number, height: number, from: PixelFormat, to: PackedFormat, out?: Uint8Array): Uint8Array {
    this.#live();
    const a = checkConvert(src, width, height, from, to);
    const dst = out === undefined ? undefined : outputArray(out, Uint8Array, a.outBytes);
    const [ps, pd] = this.#arena([a.src.length, a.outBytes]);
    this.#mem().set(a.src, ps);
    this.#run('convert', () => this.#x.hmp_convert(ps, width, height, FORMAT_CODE[a.from], pd, FORMAT_CODE[a.to]));
    return this.#copyOut(pd, a.outBytes, dst);
  }

  /**
   * Bilinear resize with OpenCV `INTER_LINEAR` geometry (half-pixel centres, clamped edges, no
   * antialiasing when shrinking) in 11-bit fixed point: within ±1 of OpenCV, bit-exact with the reference.
   * @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_FRAME_SIZE, HMP_ERR_WASM_ALLOC, HMP_ERR_WASM_DISPOSED
   * @example k.resizeBilinear(rgba, 640, 480, 4, 320, 240) // Uint8Array(307200)
   */
  resizeBilinear(src: Uint8Array, width: number, height: number, channels: Channels, dstWidth: number, dstHeight: number, out?: Uint8Array): Uint8Array {
    this.#live();
    const img = checkImage(src, width, height, channels);
    const dw = checkSide(dstWidth, 'dstWidth');
    const dh = checkSide(dstHeight, 'dstHeight');
    checkOutputSize(dw, dh, img.c);
    const n = dw * dh * img.c;
    const dst = out === undefined ? undefined : outputArray(out, Uint8Array, n);
    const [ps, pd] = this.#arena([img.src.length, n]);
    this.#mem().set(img.src, ps);
    this.#run('resizeBilinear', () => this.#x.hmp_resize_bilinear(ps, img.w, img.h, img.c, pd, dw, dh));
    return this.#copyOut(pd, n, dst);
  }

  /**
   * Copies the `w`×`h` rectangle at (`x`, `y`). Done in JS row by row on purpose: a WASM round
   * trip would copy the whole frame in just to copy part of it out.
   * @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE (rectangle not inside the image), HMP_ERR_FRAME_SIZE, HMP_ERR_WASM_DISPOSED
   * @example k.crop(rgba, 640, 480, 4, 100, 50, 64, 64) // Uint8Array(16384)
   */
  crop(src: Uint8Array, width: number, height: number, channels: Channels, x: number, y: number, w: number, h: number, out?: Uint8Array): Uint8Array {
    this.#live();
    const img = checkImage(src, width, height, channels);
    const r = checkRect(x, y, w, h, img.w, img.h);
    const rowBytes = r.w * img.c;
    const dst = outputArray(out, Uint8Array, rowBytes * r.h);
    for (let row = 0; row < r.h; row++) {
      const s = ((r.y + row) * img.w + r.x) * img.c;
      dst.set(img.src.subarray(s, s + rowBytes), row * rowBytes);
    }
    return dst;
  }

  /**
   * Converts a u8 image to a float32 tensor: per channel `(v − mean) / std`, computed as
   * `f32(f32(v·f32(1/std)) + f32(−mean/std))`. Output has `outC` = 3 channels for 4-channel
   * input unless `dropAlpha: false`; `swapRB` gives BGR from RGB(A).
   * @param opts `{layout, mean, std, swapRB = false, dropAlpha = true}`; `mean`/`std` on the 0..255 scale, length 1 or `outC`.
   * @returns `width·height·outC` floats, NCHW planes or NHWC interleaved.
   * @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_OPTION_UNKNOWN, HMP_ERR_FRAME_SIZE, HMP_ERR_WASM_ALLOC, HMP_ERR_WASM_DISPOSED
   * @example k.normalize(rgba, 2, 1, 4, { layout: 'nchw', mean: [127.5], std: [127.5] }) // Float32Array(6) in [-1, 1]
   */
  normalize(src: Uint8Array, width: number, height: number, channels: 1 | 3 | 4, opts: NormalizeOptions, out?: Float32Array): Float32Array {
    this.#live();
    const img = checkImage(src, width, height, channels, [1, 3, 4]);
    const p = normParams(img.c, opts);
    checkOutputSize(img.w, img.h, 4 * p.outCh);
    const n = img.w * img.h * p.outCh;
    const dst = out === undefined ? undefined : outputArray(out, Float32Array, n);
    const [ps, pd, pp] = this.#arena([img.src.length, 4 * n, 32]);
    this.#params(pp, p.scale, p.bias);
    this.#mem().set(img.src, ps);
    this.#run('normalize', () => this.#x.hmp_normalize(ps, img.w, img.h, img.c, pd, p.flags, pp));
    return this.#copyOutF32(pd, n, dst);
  }

  /**
   * Resize (as {@link resizeBilinear}) then normalise (as {@link normalize}) in one pass, one
   * destination row at a time: what a detector needs from a camera frame. Bit-exact with the
   * two calls in sequence.
   * @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_OPTION_UNKNOWN, HMP_ERR_FRAME_SIZE, HMP_ERR_WASM_ALLOC, HMP_ERR_WASM_DISPOSED
   * @example k.resizeNormalize(rgba, 640, 480, 4, 128, 128, { layout: 'nchw', mean: [127.5], std: [127.5] }) // Float32Array(49152)
   */
  resizeNormalize(
    src: Uint8Array,
    width: number,
    height: number,
    channels: 1 | 3 | 4,
    dstWidth: number,
    dstHeight: number,
    opts: NormalizeOptions,
    out?: Float32Array,
  ): Float32Array {
    this.#live();
    const img = checkImage(src, width, height, channels, [1, 3, 4]);
    const dw = checkSide(dstWidth, 'dstWidth');
    const dh = checkSide(dstHeight, 'dstHeight');
    const p = normParams(img.c, opts);
    checkOutputSize(dw, dh, 4 * p.outCh);
    const n = dw * dh * p.outCh;
    const dst = out === undefined ? undefined : outputArray(out, Float32Array, n);
    const [ps, pd, pp] = this.#arena([img.src.length, 4 * n, 32]);
    this.#params(pp, p.scale, p.bias);
    this.#mem().set(img.src, ps);
    this.#run('resizeNormalize', () => this.#x.hmp_resize_normalize(ps, img.w, img.h, img.c, dw, dh, pd, p.flags, pp));
    return this.#copyOutF32(pd, n, dst);
  }

  /**
   * Affine warp with bilinear sampling and a constant border. `matrix` maps **source to
   * destination** like `cv2.warpAffine(src, M, (dstWidth, dstHeight))` without
   * `WARP_INVERSE_MAP` (what a landmark→template similarity estimate gives); pass
   * `invertAffine(m)` if you hold a dst→src matrix. Pixel centres sit at integer coordinates.
   * @param borderValue one value for all channels, or one per channel. Default `0`.
   * @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE (incl. a singular matrix), HMP_ERR_FRAME_SIZE, HMP_ERR_WASM_ALLOC, HMP_ERR_WASM_DISPOSED
   * @example k.warpAffine(rgba, 640, 480, 4, [0.5, 0, -10, 0, 0.5, -20], 112, 112) // Uint8Array(50176)
   */
  warpAffine(
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
    this.#live();
    const img = checkImage(src, width, height, channels);
    const { inv, dw, dh, border } = checkWarp(matrix, dstWidth, dstHeight, img.c, borderValue);
    const n = dw * dh * img.c;
    const dst = out === undefined ? undefined : outputArray(out, Uint8Array, n);
    const [ps, pd, pm, pb] = this.#arena([img.src.length, n, 48, 4]);
    const mem = this.#mem();
    new Float64Array(mem.buffer, pm, 6).set(inv);
    mem.set(border, pb);
    mem.set(img.src, ps);
    this.#run('warpAffine', () => this.#x.hmp_warp_affine(ps, img.w, img.h, img.c, pd, dw, dh, pm, pb));
    return this.#copyOut(pd, n, dst);
  }

  /**
   * Non-maximum suppression. `hard`: greedy, best first. `weighted` (MediaPipe BlazeFace): the
   * best remaining box and all boxes overlapping it (IoU > threshold) form a cluster, replaced
   * by their score-weighted mean box (and mean `extras`, e.g. keypoints) with the best score.
   * @param boxes `n·4` floats as x1, y1, x2, y2. @param scores `n` floats.
   * @param opts `{iouThreshold = 0.3, scoreThreshold = -Infinity, maxOutput = Infinity, method = 'hard', extras}`.
   * @throws HMP_ERR_ARG_INVALID (incl. non-finite values), HMP_ERR_ARG_RANGE, HMP_ERR_OPTION_UNKNOWN, HMP_ERR_WASM_ALLOC, HMP_ERR_WASM_DISPOSED
   * @example k.nms(new Float32Array([0,0,10,10, 1,1,11,11]), new Float32Array([0.9, 0.8])).indices // Int32Array [ 0 ]
   */
  nms(boxes: Float32Array, scores: Float32Array, opts?: NmsOptions): NmsResult {
    this.#live();
    const a = checkNms(boxes, scores, opts);
    const { n, k } = a;
    const [pb, ps, pe, oi, ob, os, oe] = this.#arena([16 * n, 4 * n, 4 * n * k, 4 * n, 16 * n, 4 * n, 4 * n * k]);
    const buf = this.#mem().buffer;
    new Float32Array(buf, pb, 4 * n).set(boxes);
    new Float32Array(buf, ps, n).set(scores);
    if (a.extras) new Float32Array(buf, pe, n * k).set(a.extras);
    const m = this.#run('nms', () => this.#x.hmp_nms(pb, ps, n, pe, k, a.iou, a.score, a.maxOutput, a.weighted ? 1 : 0, oi, ob, os, oe),
    );
    const b = this.#mem().buffer;
    const indices = new Int32Array(m);
    indices.set(new Int32Array(b, oi, m));
    return {
      indices,
      boxes: this.#copyOutF32(ob, 4 * m, undefined),
      scores: this.#copyOutF32(os, m, undefined),
      extras: this.#copyOutF32(oe, m * k, undefined),
    };
  }

  /** Frees the scratch arena (it is re-created on the next call). Linear memory itself never shrinks. */
  release(): void {
    if (this.#arenaSize > 0 && !this.#disposed) this.#x.hmp_free(this.#arenaPtr, this.#arenaSize);
    this.#arenaPtr = 0;
    this.#arenaSize = 0;
  }

  /**
   * Releases the scratch arena and marks the instance unusable. Do not dispose the shared
   * instance from {@link getKernels}; dispose instances from {@link loadKernels}.
   */
  async dispose(): Promise<void> {
    this.release();
    this.#disposed = true;
  }

  #live(): void {
    if (this.#disposed) throw createError('HMP_ERR_WASM_DISPOSED');
  }

  /** Current byte view of linear memory; re-created after memory growth detached the old one. */
  #mem(): Uint8Array {
    if (this.#view.buffer !== this.#x.memory.buffer) this.#view = new Uint8Array(this.#x.memory.buffer);
    return this.#view;
  }

  /**
   * Lays out `sizes` (bytes) as 16-byte-aligned regions of the scratch arena, growing it if
   * needed, and returns their addresses. Call before taking views: growth may move memory.
   */
  #arena(sizes: readonly number[]): number[] {
    let total = 0;
    const offs = sizes.map((s) => {
      const o = total;
      total += Math.ceil(s / ALIGN) * ALIGN;
      return o;
    });
    if (total > this.#arenaSize) {
      const size = Math.ceil(Math.max(total, this.#arenaSize * 1.5) / PAGE) * PAGE;
      this.release();
      const ptr = this.#trap('alloc', () => this.#x.hmp_alloc(size)) >>> 0;
      if (ptr === 0) throw createError('HMP_ERR_WASM_ALLOC', size);
      this.#arenaPtr = ptr;
      this.#arenaSize = size;
    }
    return offs.map((o) => this.#arenaPtr + o);
  }

  #params(ptr: number, scale: Float32Array, bias: Float32Array): void {
    const f = new Float32Array(this.#mem().buffer, ptr, 8);
    f.set(scale, 0);
    f.set(bias, 4);
  }

  // Copies use `new T(n)` + `set` rather than `view.slice()`: on views over WASM memory,
  // V8's slice intermittently took a slow path (~25x slower in profiles of this module).
  #copyOut(ptr: number, n: number, out: Uint8Array | undefined): Uint8Array {
    const dst = out ?? new Uint8Array(n);
    dst.set(new Uint8Array(this.#mem().buffer, ptr, n));
    return dst;
  }

  #copyOutF32(ptr: number, n: number, out: Float32Array | undefined): Float32Array {
    const dst = out ?? new Float32Array(n);
    dst.set(new Float32Array(this.#mem().buffer, ptr, n));
    return dst;
  }

  /** Runs a kernel export and maps its status to an error; returns non-negative results unchanged. */
  #run(kernel: string, call: () => number): number {
    const rc = this.#trap(kernel, call);
    if (rc >= 0) return rc;
    if (rc === ERR_ALLOC) throw createError('HMP_ERR_WASM_ALLOC', 'temporary');
    throw createError('HMP_ERR_WASM_KERNEL', kernel, rc === ERR_ARGS ? 'arguments rejected' : `status ${rc}`);
  }

  /** Runs `fn`; a trap leaves the instance in an unknown state, so it is retired. */
  #trap<T>(kernel: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof HmpError) throw err;
      this.#disposed = true;
      if (shared && sharedValue === this) shared = undefined;
      throw createErrorWith('HMP_ERR_WASM_KERNEL', { cause: err }, kernel, (err as Error).message);
    }
  }
}

/**
 * Instantiates a new, private {@link Kernels} (dispose it when done). Most code wants the
 * thread's shared instance from {@link getKernels} instead.
 * @throws HMP_ERR_WASM_LOAD
 * @example const k = await loadKernels(); try { k.convert(...) } finally { await k.dispose(); }
 */
export function loadKernels(options?: LoadKernelsOptions): Promise<Kernels> {
  return Kernels.load(options);
}

let shared: Promise<Kernels> | undefined;
let sharedValue: Kernels | undefined;

/**
 * The calling thread's shared {@link Kernels}, instantiated on first use. Module state is per
 * thread in Node, so every worker gets its own instance and memory. A retired instance (one
 * that trapped) is replaced transparently.
 * @throws HMP_ERR_WASM_LOAD
 * @example const k = await getKernels(); k.resizeBilinear(rgba, 640, 480, 4, 320, 240)
 */
export async function getKernels(): Promise<Kernels> {
  if (!shared) {
    const p = Kernels.load().then((k) => (sharedValue = k));
    shared = p;
    p.catch(() => {
      if (shared === p) shared = undefined;
    });
  }
  const k = await shared;
  if (k.disposed) {
    if (sharedValue === k) shared = undefined;
    return getKernels();
  }
  return k;
}
