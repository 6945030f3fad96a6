/**
 * Typed bindings to the 1:N descriptor search kernels of `wasm/pkg/hmp_kernels.wasm`
 * (`wasm/src/search.rs`): a {@link DescriptorIndex} keeps enrolled face descriptors in its own
 * WebAssembly instance's linear memory and answers top-k inner-product queries with SIMD.
 *
 * Why a private instance rather than the thread's shared image-kernel instance
 * (`./wasm.ts`): an index is long-lived and large (1M int8 rows of 128 dims is 128 MiB), and
 * linear memory never shrinks; keeping it apart leaves the image kernels' arena small, and
 * disposing the index releases all of it.
 *
 * Scores are bit-identical to the reference in `./search-ref.ts`.
 * @internal
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createError, createErrorWith, describe, HmpError } from '../errors.js';
import { MAX_K, quantizeI8, type SearchHit } from './search-ref.js';

export { MAX_K, plainSearch, quantizeI8, refSearchF32, refSearchI8, type SearchHit } from './search-ref.js';

/** Row storage: int8 with a per-row scale (default; 4x smaller, fastest) or exact f32. */
export type SearchPrecision = 'i8' | 'f32';

interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Exports {
  memory: { readonly buffer: ArrayBuffer };
  hmp_alloc(size: number): number;
  hmp_free(ptr: number, size: number): void;
  hmp_search_i8(db: number, scales: number, n: number, dim: number, q: number, qScale: number, k: number, outIdx: number, outScore: number): number;
  hmp_search_f32(db: number, n: number, dim: number, q: number, k: number, outIdx: number, outScore: number): number;
}

/** Options of {@link DescriptorIndex.create}. */
export interface DescriptorIndexOptions {
  /** Descriptor length: a multiple of 16 for `i8`, of 4 for `f32`, at most 65536. */
  dim: number;
  /** Default `'i8'`. */
  precision?: SearchPrecision;
  /** Rows to reserve up front (avoids regrowth when the final size is known). Default 1024. */
  capacity?: number;
  /** Path of the .wasm file. Default: `wasm/pkg/hmp_kernels.wasm` of the hmp checkout or package. */
  path?: string;
}

function findWasm(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const p = join(dir, 'wasm', 'pkg', 'hmp_kernels.wasm');
    if (existsSync(p)) return p;
    if (dirname(dir) === dir) throw createError('HMP_ERR_WASM_LOAD', `wasm/pkg/hmp_kernels.wasm above ${start}`, 'file not found; run: bash wasm/build.sh');
  }
}

const bytesCache = new Map<string, Promise<Uint8Array>>();

/**
 * A growable set of descriptors in WASM linear memory with top-k inner-product search.
 * Rows are numbered in insertion order; {@link removeSwap} keeps them dense by moving the
 * last row into the hole (the caller keeps its id ↔ row map in step).
 *
 * @example
 * const index = await DescriptorIndex.create({ dim: 128 });
 * index.add(descriptors);            // Float32Array of n·128, L2-normalised rows
 * index.search(probe, 1);            // [ { index: 42, score: 0.83 } ]
 * index.dispose();
 */
export class DescriptorIndex {
  readonly dim: number;
  readonly precision: SearchPrecision;
  #x: Exports;
  #rowBytes: number;
  #size = 0;
  #cap = 0;
  #rows = 0;
  #scales = 0;
  #query: number;
  #outIdx: number;
  #outScore: number;
  #qbuf: Int8Array;
  #disposed = false;

  private constructor(x: Exports, dim: number, precision: SearchPrecision, capacity: number) {
    this.#x = x;
    this.dim = dim;
    this.precision = precision;
    this.#rowBytes = precision === 'i8' ? dim : dim * 4;
    this.#qbuf = new Int8Array(dim);
    this.#query = this.#alloc(dim * 4);
    this.#outIdx = this.#alloc(MAX_K * 4);
    this.#outScore = this.#alloc(MAX_K * 4);
    this.#grow(Math.max(1, capacity));
  }

  /**
   * Instantiates a private kernels instance and an empty index.
   * @throws HMP_ERR_ARG_RANGE (dim, capacity), HMP_ERR_ARG_INVALID (precision), HMP_ERR_WASM_LOAD, HMP_ERR_WASM_ALLOC
   */
  static async create(options: DescriptorIndexOptions): Promise<DescriptorIndex> {
    const precision = options.precision ?? 'i8';
    if (precision !== 'i8' && precision !== 'f32') throw createError('HMP_ERR_ARG_INVALID', "'i8' or 'f32'", 'precision', describe(precision));
    const mult = precision === 'i8' ? 16 : 4;
    const dim = options.dim;
    if (!Number.isInteger(dim) || dim < mult || dim > 65536 || dim % mult !== 0) {
      throw createError('HMP_ERR_ARG_RANGE', `multiple of ${mult} between ${mult} and 65536`, 'dim', describe(dim));
    }
    const capacity = options.capacity ?? 1024;
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > 1 << 28) throw createError('HMP_ERR_ARG_RANGE', 'integer between 0 and 2^28', 'capacity', describe(capacity));
    const path = options.path === undefined ? findWasm() : resolve(options.path);
    let bytes = bytesCache.get(path);
    if (!bytes) {
      bytes = readFile(path).then((b) => new Uint8Array(b));
      bytes.catch(() => bytesCache.delete(path));
      bytesCache.set(path, bytes);
    }
    let exports: Exports;
    try {
      exports = (await WA.instantiate(await bytes, {})).instance.exports as Exports;
    } catch (err) {
      throw createErrorWith('HMP_ERR_WASM_LOAD', { cause: err }, path, (err as Error).message);
    }
    if (typeof exports.hmp_search_i8 !== 'function' || typeof exports.hmp_search_f32 !== 'function') {
      throw createError('HMP_ERR_WASM_LOAD', path, 'no hmp_search_* exports; rebuild with bash wasm/build.sh');
    }
    return new DescriptorIndex(exports, dim, precision, capacity);
  }

  /** Number of rows. */
  get size(): number {
    return this.#size;
  }

  /** Bytes the rows (and scales) occupy at the current size. */
  get dataBytes(): number {
    return this.#size * (this.#rowBytes + (this.precision === 'i8' ? 4 : 0));
  }

  /** Bytes of linear memory this index's instance holds (rows, spare capacity, allocator). */
  get memoryBytes(): number {
    return this.#x.memory.buffer.byteLength;
  }

  /** True after {@link dispose} or after a kernel trapped. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Appends rows: one descriptor, an array of them, or `n·dim` floats back to back.
   * Returns the row index of the first one added.
   * @throws HMP_ERR_RECOMMEND_DESCRIPTOR (length, non-finite values), HMP_ERR_WASM_ALLOC, HMP_ERR_WASM_DISPOSED
   */
  add(vectors: Float32Array | readonly Float32Array[]): number {
    this.#live();
    const list = Array.isArray(vectors) ? (vectors as readonly Float32Array[]) : [vectors as Float32Array];
    let rows = 0;
    for (let v = 0; v < list.length; v++) rows += this.#checkRows(list[v]!, `vectors[${v}]`);
    const first = this.#size;
    if (first + rows > this.#cap) this.#grow(Math.max(first + rows, Math.ceil(this.#cap * 1.5)));
    let r = first;
    for (const flat of list) {
      for (let off = 0; off < flat.length; off += this.dim) this.#write(r++, flat.subarray(off, off + this.dim));
    }
    this.#size = r;
    return first;
  }

  /**
   * Overwrites row `row` with `vector`.
   * @throws HMP_ERR_ARG_RANGE (row), HMP_ERR_RECOMMEND_DESCRIPTOR, HMP_ERR_WASM_DISPOSED
   */
  set(row: number, vector: Float32Array): void {
    this.#live();
    this.#checkRow(row);
    if (this.#checkRows(vector, 'vector') !== 1) throw createError('HMP_ERR_RECOMMEND_DESCRIPTOR', `${this.dim} finite numbers`, 'vector', `${vector.length} numbers`);
    this.#write(row, vector);
  }

  /**
   * Removes row `row` by moving the last row into its place. Returns the previous index of
   * the moved row (`size - 1` before the call), or -1 when `row` was the last one.
   * @throws HMP_ERR_ARG_RANGE (row), HMP_ERR_WASM_DISPOSED
   */
  removeSwap(row: number): number {
    this.#live();
    this.#checkRow(row);
    const last = this.#size - 1;
    this.#size = last;
    if (row === last) return -1;
    const mem = new Uint8Array(this.#x.memory.buffer);
    mem.copyWithin(this.#rows + row * this.#rowBytes, this.#rows + last * this.#rowBytes, this.#rows + (last + 1) * this.#rowBytes);
    if (this.precision === 'i8') mem.copyWithin(this.#scales + row * 4, this.#scales + last * 4, this.#scales + last * 4 + 4);
    return last;
  }

  /** Removes every row (keeps the memory for reuse). */
  clear(): void {
    this.#live();
    this.#size = 0;
  }

  /**
   * Top-`k` rows by inner product with `query`, best first (ties: lower row first);
   * `[]` when the index is empty.
   * @param k default 1, at most 1024
   * @throws HMP_ERR_RECOMMEND_DESCRIPTOR (length, non-finite), HMP_ERR_ARG_RANGE (k), HMP_ERR_WASM_DISPOSED
   */
  search(query: Float32Array, k = 1): SearchHit[] {
    this.#live();
    if (this.#checkRows(query, 'query') !== 1) throw createError('HMP_ERR_RECOMMEND_DESCRIPTOR', `${this.dim} finite numbers`, 'query', `${query.length} numbers`);
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw createError('HMP_ERR_ARG_RANGE', `integer between 1 and ${MAX_K}`, 'k', describe(k));
    if (this.#size === 0) return [];
    const x = this.#x;
    let count: number;
    if (this.precision === 'i8') {
      const { scale } = quantizeI8(query, this.#qbuf);
      new Int8Array(x.memory.buffer, this.#query, this.dim).set(this.#qbuf);
      count = this.#run('search_i8', () => x.hmp_search_i8(this.#rows, this.#scales, this.#size, this.dim, this.#query, scale, k, this.#outIdx, this.#outScore));
    } else {
      new Float32Array(x.memory.buffer, this.#query, this.dim).set(query);
      count = this.#run('search_f32', () => x.hmp_search_f32(this.#rows, this.#size, this.dim, this.#query, k, this.#outIdx, this.#outScore));
    }
    const idx = new Uint32Array(x.memory.buffer, this.#outIdx, count);
    const score = new Float32Array(x.memory.buffer, this.#outScore, count);
    const out: SearchHit[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = { index: idx[i]!, score: score[i]! };
    return out;
  }

  /** Releases the instance (its whole linear memory goes with it). Idempotent. */
  dispose(): void {
    this.#disposed = true;
    this.#size = 0;
    // Dropping the last reference to the instance frees its memory; nothing else to do.
    this.#x = undefined as unknown as Exports;
  }

  #write(row: number, v: Float32Array): void {
    const buf = this.#x.memory.buffer;
    if (this.precision === 'i8') {
      const { scale } = quantizeI8(v, new Int8Array(buf, this.#rows + row * this.dim, this.dim));
      new Float32Array(buf, this.#scales + row * 4, 1)[0] = scale;
    } else {
      new Float32Array(buf, this.#rows + row * this.#rowBytes, this.dim).set(v);
    }
  }

  #checkRows(v: Float32Array, name: string): number {
    if (!(v instanceof Float32Array) || v.length === 0 || v.length % this.dim !== 0) {
      throw createError('HMP_ERR_RECOMMEND_DESCRIPTOR', `Float32Array of a multiple of ${this.dim} numbers`, name, v instanceof Float32Array ? `${v.length} numbers` : describe(v));
    }
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) throw createError('HMP_ERR_RECOMMEND_DESCRIPTOR', 'finite numbers', `${name}[${i}]`, describe(v[i]));
    }
    return v.length / this.dim;
  }

  #checkRow(row: number): void {
    if (!Number.isInteger(row) || row < 0 || row >= this.#size) throw createError('HMP_ERR_ARG_RANGE', `integer between 0 and ${this.#size - 1}`, 'row', describe(row));
  }

  #alloc(bytes: number): number {
    const p = this.#x.hmp_alloc(bytes);
    if (p === 0) throw createError('HMP_ERR_WASM_ALLOC', bytes);
    return p;
  }

  /** Moves rows (and scales) into blocks of `cap` rows. */
  #grow(cap: number): void {
    const rows = this.#alloc(cap * this.#rowBytes);
    let scales = 0;
    try {
      if (this.precision === 'i8') scales = this.#alloc(cap * 4);
    } catch (err) {
      this.#x.hmp_free(rows, cap * this.#rowBytes);
      throw err;
    }
    const mem = new Uint8Array(this.#x.memory.buffer);
    if (this.#cap > 0) {
      mem.copyWithin(rows, this.#rows, this.#rows + this.#size * this.#rowBytes);
      this.#x.hmp_free(this.#rows, this.#cap * this.#rowBytes);
      if (this.precision === 'i8') {
        mem.copyWithin(scales, this.#scales, this.#scales + this.#size * 4);
        this.#x.hmp_free(this.#scales, this.#cap * 4);
      }
    }
    this.#rows = rows;
    this.#scales = scales;
    this.#cap = cap;
  }

  #live(): void {
    if (this.#disposed) throw createError('HMP_ERR_WASM_DISPOSED');
  }

  #run(kernel: string, call: () => number): number {
    let rc: number;
    try {
      rc = call();
    } catch (err) {
      if (err instanceof HmpError) throw err;
      this.dispose();
      throw createErrorWith('HMP_ERR_WASM_KERNEL', { cause: err }, kernel, (err as Error).message);
    }
    if (rc < 0) throw createError('HMP_ERR_WASM_KERNEL', kernel, `status ${rc}`);
    return rc;
  }
}
