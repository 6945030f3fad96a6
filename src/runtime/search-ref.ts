/**
 * TypeScript reference for the 1:N descriptor search kernels in `wasm/src/search.rs`: the
 * int8 quantisation, the exact scores the WASM kernels produce (bit for bit), and the plain
 * f32 loop that the benchmark compares against.
 * @internal
 */
import { createError, describe } from '../errors.js';

/** One search result: the row (enrolment order) and its inner product with the query. */
export interface SearchHit {
  /** Row index in the index (0-based). */
  index: number;
  /** Inner product with the query (cosine similarity for L2-normalised descriptors). */
  score: number;
}

/** Largest `k` the kernels accept. */
export const MAX_K = 1024;

/**
 * Quantises one descriptor to int8 with a per-vector scale: `q[i] = round(x[i] · 127 / max|x|)`,
 * `scale = max|x| / 127` (as f32), so `x ≈ q · scale`. An all-zero vector gets scale 0.
 * For a 128-d L2-normalised descriptor the inner-product error is ~1e-3, far below the gap
 * between same-person and different-person scores.
 * @example quantizeI8(new Float32Array([0.6, -0.8])) // { q: Int8Array [95, -127], scale: 0.0062992... }
 */
export function quantizeI8(x: Float32Array, out?: Int8Array): { q: Int8Array; scale: number } {
  const q = out ?? new Int8Array(x.length);
  let max = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (a > max) max = a;
  }
  if (max === 0) {
    q.fill(0);
    return { q, scale: 0 };
  }
  const f = 127 / max;
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(x[i]! * f);
    q[i] = v > 127 ? 127 : v < -127 ? -127 : v;
  }
  return { q, scale: Math.fround(max / 127) };
}

/** Inserts into a descending top list with the kernels' tie rule (earlier row first). */
function pushTop(top: SearchHit[], k: number, index: number, score: number): void {
  if (top.length === k) {
    if (!(score > top[k - 1]!.score)) return;
    top.pop();
  }
  let pos = top.length;
  while (pos > 0 && score > top[pos - 1]!.score) pos--;
  top.splice(pos, 0, { index, score });
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw createError('HMP_ERR_ARG_RANGE', `integer between 1 and ${MAX_K}`, 'k', describe(k));
}

/**
 * Reference of `hmp_search_i8`: top-`k` of `f32(Σ q·r) · rowScale · qScale` over `n` rows,
 * evaluated with the kernel's f32 rounding so scores match it exactly.
 */
export function refSearchI8(db: Int8Array, scales: Float32Array, n: number, dim: number, query: Int8Array, qScale: number, k: number): SearchHit[] {
  checkK(k);
  const top: SearchHit[] = [];
  const qs = Math.fround(qScale);
  for (let i = 0, off = 0; i < n; i++, off += dim) {
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += db[off + j]! * query[j]!;
    pushTop(top, k, i, Math.fround(Math.fround(Math.fround(dot) * scales[i]!) * qs));
  }
  return top;
}

/**
 * Reference of `hmp_search_f32`, with the kernel's summation order (quad `j` into
 * accumulator `j % 4`, then pairwise) and f32 rounding at every step, so scores match it
 * exactly.
 */
export function refSearchF32(db: Float32Array, n: number, dim: number, query: Float32Array, k: number): SearchHit[] {
  checkK(k);
  const f = Math.fround;
  const top: SearchHit[] = [];
  const acc = new Float32Array(16);
  for (let i = 0, off = 0; i < n; i++, off += dim) {
    acc.fill(0);
    for (let j = 0; j < dim / 4; j++) {
      const a = (j & 3) * 4;
      for (let l = 0; l < 4; l++) acc[a + l] = f(acc[a + l]! + f(db[off + 4 * j + l]! * query[4 * j + l]!));
    }
    const lane = (l: number): number => f(f(acc[l]! + acc[4 + l]!) + f(acc[8 + l]! + acc[12 + l]!));
    pushTop(top, k, i, f(f(lane(0) + lane(1)) + f(lane(2) + lane(3))));
  }
  return top;
}

/**
 * The plain TypeScript loop a reader would write first (f32 rows, one accumulator, JS
 * doubles): the baseline the WASM kernels are benchmarked against in bench/recommend.ts.
 */
export function plainSearch(db: Float32Array, n: number, dim: number, query: Float32Array, k: number): SearchHit[] {
  checkK(k);
  const top: SearchHit[] = [];
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += db[off + j]! * query[j]!;
    pushTop(top, k, i, s);
  }
  return top;
}
