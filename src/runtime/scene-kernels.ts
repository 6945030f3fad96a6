/**
 * Scene monitor kernels: typed bindings of `hmp_scene_block_sums` (wasm/src/scene.rs) and the
 * JPEG snapshot encoder (sharp). The plain TypeScript reference of the kernel lives with the
 * task (src/tasks/scene/features.ts, stream.ts) and is bit-identical.
 *
 * One WebAssembly instance per thread (each worker gets its own memory); the frame is copied
 * into a reused scratch block, the kernel runs, and the sums are copied out.
 * @internal
 */
import { createError, createErrorWith } from '../errors.js';
import { findKernelsWasm, instantiateKernels, perThread, WasmScratch, type AllocExports } from './wasm-shared.js';

interface SceneExports extends AllocExports {
  hmp_scene_block_sums(rgba: number, w: number, h: number, bx: number, by: number, sums: number, thumb: number): number;
}

/** Sums per block the kernel writes (src/tasks/scene/features.ts `NSUMS`; the kernel tests compare the two). */
const NSUMS = 52;

/** The scene kernels on one WebAssembly instance of `hmp_kernels.wasm`. */
export class WasmSceneKernels {
  #x: SceneExports;
  #scratch: WasmScratch;

  private constructor(x: SceneExports) {
    this.#x = x;
    this.#scratch = new WasmScratch(x);
  }

  /** @throws HMP_ERR_WASM_LOAD */
  static async load(path = findKernelsWasm()): Promise<WasmSceneKernels> {
    return new WasmSceneKernels(await instantiateKernels<SceneExports>(path, 'hmp_scene_block_sums'));
  }

  /**
   * Block sums (`bx*by*52`, layout of features.ts `SUM`) and the 4x4 luma thumbnail of an RGBA
   * frame, written into `sums` and `thumb`. Sizes are validated here, so the kernel never sees
   * a bad pointer/size pair.
   * @throws HMP_ERR_ARG_RANGE, HMP_ERR_WASM_ALLOC, HMP_ERR_WASM_KERNEL
   */
  blockSums(rgba: Uint8Array, W: number, H: number, bx: number, by: number, sums: Float64Array, thumb: Float32Array): void {
    const nb = bx * by;
    const tl = Math.floor(W / 4) * Math.floor(H / 4);
    if (rgba.length !== W * H * 4 || sums.length < nb * NSUMS || thumb.length < tl || bx < 1 || by < 1 || bx > W || by > H || W < 2 || H < 2) {
      throw createError('HMP_ERR_ARG_RANGE', `RGBA ${W}x${H} with ${nb * NSUMS} sums and ${tl} thumbnail cells`, 'blockSums', `${rgba.length} bytes, ${sums.length} sums, ${thumb.length} cells`);
    }
    const inBytes = (rgba.length + 15) & ~15;
    const sumBytes = nb * NSUMS * 8;
    const base = this.#scratch.get(inBytes + sumBytes + tl * 4);
    const mem = this.#x.memory;
    new Uint8Array(mem.buffer, base, rgba.length).set(rgba);
    const rc = this.#x.hmp_scene_block_sums(base, W, H, bx, by, base + inBytes, base + inBytes + sumBytes);
    if (rc !== 0) throw createError('HMP_ERR_WASM_KERNEL', 'hmp_scene_block_sums', `status ${rc}`);
    // Memory may have grown inside the kernel (scratch vectors): take fresh views.
    sums.set(new Float64Array(mem.buffer, base + inBytes, nb * NSUMS));
    thumb.set(new Float32Array(mem.buffer, base + inBytes + sumBytes, tl));
  }
}

/** The calling thread's scene kernels, instantiated on first use. @throws HMP_ERR_WASM_LOAD */
export const getSceneKernels: () => Promise<WasmSceneKernels> = perThread(() => WasmSceneKernels.load());

/**
 * Encodes an RGBA frame as a small JPEG (the alarm snapshot), scaled to `width` pixels wide.
 * @throws HMP_ERR_IMAGE_CORRUPT when libvips fails
 */
export async function encodeSnapshot(rgba: Uint8Array, W: number, H: number, width = 160, quality = 70): Promise<Uint8Array> {
  const sharp = (await import('sharp')).default;
  try {
    const buf = await sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width: W, height: H, channels: 4 } })
      .removeAlpha()
      .resize({ width: Math.min(width, W) })
      .jpeg({ quality })
      .toBuffer();
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    throw createErrorWith('HMP_ERR_IMAGE_CORRUPT', { cause: err }, 'snapshot', (err as Error).message);
  }
}
