/**
 * Typed bindings of the barcode ladder's luminance enhancement kernels in
 * `wasm/pkg/hmp_kernels.wasm` (`wasm/src/enhance.rs`): unsharp mask, local contrast
 * normalisation, box blur and bilinear resize of 8-bit gray images. The plain TypeScript
 * reference is src/tasks/barcode/image.ts; outputs are byte-identical (tests compare them).
 *
 * One WebAssembly instance per thread ({@link getEnhanceKernels}); each call copies the image
 * into a reused scratch block, runs the kernel and copies the result out, so callers own
 * plain `Uint8Array`s and nothing aliases linear memory.
 * @internal
 */
import { createError } from '../errors.js';
import { findKernelsWasm, instantiateKernels, perThread, WasmScratch, type AllocExports } from './wasm-shared.js';

/** An 8-bit luminance image: `width * height` bytes, row-major, no padding. */
export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The enhancement operations the barcode ladder uses (WASM here, TypeScript in image.ts). */
export interface Enhancer {
  sharpen(g: GrayImage, radius: number, amount: number): GrayImage;
  normalizeLocal(g: GrayImage, radius: number): GrayImage;
  blur(g: GrayImage, radius: number): GrayImage;
  /** Bilinear resize to `scale` times the size (`max(1, round(side * scale))`). */
  resize(g: GrayImage, scale: number): GrayImage;
}

interface EnhanceExports extends AllocExports {
  hmp_enh_sharpen(src: number, w: number, h: number, radius: number, amount: number, dst: number): number;
  hmp_enh_normalize_local(src: number, w: number, h: number, radius: number, dst: number): number;
  hmp_enh_box_blur(src: number, w: number, h: number, radius: number, dst: number): number;
  hmp_enh_resize(src: number, w: number, h: number, dst: number, dw: number, dh: number): number;
  hmp_enh_luminance(src: number, w: number, h: number, channels: number, dst: number): number;
}

const MAX_SIDE = 1 << 15;
const ERR_ALLOC = -2;

function checkGray(g: GrayImage, name: string): void {
  const ok = Number.isInteger(g.width) && Number.isInteger(g.height) && g.width > 0 && g.height > 0 && g.width <= MAX_SIDE && g.height <= MAX_SIDE && g.data.length >= g.width * g.height;
  if (!ok) throw createError('HMP_ERR_ARG_RANGE', `gray image with 1..${MAX_SIDE} px sides and width*height bytes`, name, `${g.width}x${g.height} with ${g.data.length} bytes`);
}

function checkRadius(r: number, name: string): void {
  if (!Number.isInteger(r) || r < 0 || r > MAX_SIDE) throw createError('HMP_ERR_ARG_RANGE', `integer radius 0..${MAX_SIDE}`, name, String(r));
}

/** The enhancement kernels on one WebAssembly instance. */
export class WasmEnhancer implements Enhancer {
  #x: EnhanceExports;
  #scratch: WasmScratch;

  private constructor(x: EnhanceExports) {
    this.#x = x;
    this.#scratch = new WasmScratch(x);
  }

  /** @throws HMP_ERR_WASM_LOAD */
  static async load(path = findKernelsWasm()): Promise<WasmEnhancer> {
    return new WasmEnhancer(await instantiateKernels<EnhanceExports>(path, 'hmp_enh_sharpen'));
  }

  /**
   * Luminance of an RGBA or RGB frame (see image.ts `toGray`: zxing-wasm's weights, fully
   * transparent pixels white). @throws HMP_ERR_ARG_RANGE, HMP_ERR_WASM_ALLOC
   */
  luminance(data: Uint8Array, width: number, height: number, format: 'rgba' | 'rgb'): GrayImage {
    const c = format === 'rgba' ? 4 : 3;
    const ok = Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0 && width <= MAX_SIDE && height <= MAX_SIDE && data.length >= width * height * c;
    if (!ok) throw createError('HMP_ERR_ARG_RANGE', `${format} frame with 1..${MAX_SIDE} px sides and width*height*${c} bytes`, 'frame', `${width}x${height} with ${data.length} bytes`);
    return this.#run({ data: data.subarray(0, width * height * c), width: width * c, height }, width, height, 'hmp_enh_luminance', (s, d) => this.#x.hmp_enh_luminance(s, width, height, c, d));
  }

  /** Copies `g` in, runs `kernel(src, dst)`, copies `dw x dh` bytes out. */
  #run(g: GrayImage, dw: number, dh: number, name: string, kernel: (src: number, dst: number) => number): GrayImage {
    const n = g.width * g.height;
    const inBytes = (n + 15) & ~15;
    const base = this.#scratch.get(inBytes + dw * dh);
    new Uint8Array(this.#x.memory.buffer, base, n).set(g.data.subarray(0, n));
    const rc = kernel(base, base + inBytes);
    if (rc === ERR_ALLOC) throw createError('HMP_ERR_WASM_ALLOC', n);
    if (rc !== 0) throw createError('HMP_ERR_WASM_KERNEL', name, `status ${rc}`);
    // The kernel's scratch vectors may have grown memory: take a fresh view.
    return { data: new Uint8Array(this.#x.memory.buffer, base + inBytes, dw * dh).slice(), width: dw, height: dh };
  }

  /** Unsharp mask (see image.ts `sharpen`). @throws HMP_ERR_ARG_RANGE, HMP_ERR_WASM_ALLOC */
  sharpen(g: GrayImage, radius: number, amount: number): GrayImage {
    checkGray(g, 'image');
    checkRadius(radius, 'radius');
    if (!Number.isFinite(amount)) throw createError('HMP_ERR_ARG_RANGE', 'finite number', 'amount', String(amount));
    return this.#run(g, g.width, g.height, 'hmp_enh_sharpen', (s, d) => this.#x.hmp_enh_sharpen(s, g.width, g.height, radius, amount, d));
  }

  /** Local contrast normalisation (see image.ts `normalizeLocal`). @throws HMP_ERR_ARG_RANGE, HMP_ERR_WASM_ALLOC */
  normalizeLocal(g: GrayImage, radius: number): GrayImage {
    checkGray(g, 'image');
    checkRadius(radius, 'radius');
    return this.#run(g, g.width, g.height, 'hmp_enh_normalize_local', (s, d) => this.#x.hmp_enh_normalize_local(s, g.width, g.height, radius, d));
  }

  /** Box blur (see image.ts `blur`). @throws HMP_ERR_ARG_RANGE, HMP_ERR_WASM_ALLOC */
  blur(g: GrayImage, radius: number): GrayImage {
    checkGray(g, 'image');
    checkRadius(radius, 'radius');
    return this.#run(g, g.width, g.height, 'hmp_enh_box_blur', (s, d) => this.#x.hmp_enh_box_blur(s, g.width, g.height, radius, d));
  }

  /** Bilinear resize (see image.ts `resize`). @throws HMP_ERR_ARG_RANGE, HMP_ERR_WASM_ALLOC */
  resize(g: GrayImage, scale: number): GrayImage {
    checkGray(g, 'image');
    const W = Math.max(1, Math.round(g.width * scale));
    const H = Math.max(1, Math.round(g.height * scale));
    if (!Number.isFinite(scale) || scale <= 0 || W > MAX_SIDE || H > MAX_SIDE) throw createError('HMP_ERR_ARG_RANGE', `scale giving sides of 1..${MAX_SIDE} px`, 'scale', String(scale));
    return this.#run(g, W, H, 'hmp_enh_resize', (s, d) => this.#x.hmp_enh_resize(s, g.width, g.height, d, W, H));
  }
}

/** The calling thread's enhancement kernels, instantiated on first use. @throws HMP_ERR_WASM_LOAD */
export const getEnhanceKernels: () => Promise<WasmEnhancer> = perThread(() => WasmEnhancer.load());
