/**
 * What every binding of `wasm/pkg/hmp_kernels.wasm` needs: finding the file, instantiating it
 * with a clear coded error, a reusable scratch block in linear memory, and one instance per
 * thread. The topic bindings (enhance, scene, audio) use these instead of each carrying a copy.
 * @internal
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createError, createErrorWith } from '../errors.js';

/** The slice of the WebAssembly API used here (the project compiles without the DOM lib). */
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The allocator exports every kernel module shares (wasm/src/lib.rs). */
export interface AllocExports {
  memory: { readonly buffer: ArrayBuffer };
  hmp_alloc(size: number): number;
  hmp_free(ptr: number, size: number): void;
}

/** Path of `wasm/pkg/hmp_kernels.wasm`, searched upwards from this module. @throws HMP_ERR_WASM_LOAD */
export function findKernelsWasm(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const p = join(dir, 'wasm', 'pkg', 'hmp_kernels.wasm');
    if (existsSync(p)) return p;
    if (dirname(dir) === dir) throw createError('HMP_ERR_WASM_LOAD', `wasm/pkg/hmp_kernels.wasm above ${start}`, 'file not found; run: bash wasm/build.sh');
  }
}

/**
 * Instantiates the kernels module and checks that `probe` is exported (a stale binary
 * otherwise fails later with a confusing TypeError).
 * @throws HMP_ERR_WASM_LOAD
 */
export async function instantiateKernels<T extends AllocExports>(path: string, probe: keyof T & string): Promise<T> {
  try {
    const { instance } = await WA.instantiate(await readFile(path), {});
    const x = instance.exports as T;
    if (typeof x[probe] !== 'function') throw new Error(`${probe} is not exported; rebuild with bash wasm/build.sh`);
    return x;
  } catch (err) {
    throw createErrorWith('HMP_ERR_WASM_LOAD', { cause: err }, path, (err as Error).message);
  }
}

/** One scratch block of linear memory, reused across calls and grown on demand. */
export class WasmScratch {
  #x: AllocExports;
  #ptr = 0;
  #size = 0;
  readonly #factor: number;
  readonly #minimum: number;

  /** Grows to `max(minimum, bytes * factor)` when a call needs more than it has. */
  constructor(x: AllocExports, factor = 1.25, minimum = 0) {
    this.#x = x;
    this.#factor = factor;
    this.#minimum = minimum;
  }

  /** Pointer to at least `bytes` bytes (valid until the next call). @throws HMP_ERR_WASM_ALLOC */
  get(bytes: number): number {
    if (bytes > this.#size) {
      if (this.#ptr) this.#x.hmp_free(this.#ptr, this.#size);
      const size = Math.max(this.#minimum, Math.ceil(bytes * this.#factor));
      const p = this.#x.hmp_alloc(size);
      if (!p) {
        this.#ptr = 0;
        this.#size = 0;
        throw createError('HMP_ERR_WASM_ALLOC', size);
      }
      this.#ptr = p;
      this.#size = size;
    }
    return this.#ptr;
  }
}

/**
 * One lazily created instance per thread (module state is per worker thread); a failed load is
 * forgotten so the next call retries.
 */
export function perThread<T>(load: () => Promise<T>): () => Promise<T> {
  let shared: Promise<T> | undefined;
  return () => {
    if (!shared) {
      const p = load();
      shared = p;
      p.catch(() => {
        if (shared === p) shared = undefined;
      });
    }
    return shared;
  };
}
