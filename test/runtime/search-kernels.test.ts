import { describe, expect, it } from 'vitest';
import { DescriptorIndex, plainSearch, quantizeI8, refSearchF32, refSearchI8 } from '../../dist/src/runtime/search-kernels.js';

/** Deterministic unit vectors (LCG), like descriptors: normalised, components ~ ±0.09. */
function unitRows(n: number, dim: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const v = s / 2 ** 32 - 0.5;
      out[i * dim + j] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[i * dim + j]! /= norm;
  }
  return out;
}

describe('WASM descriptor search', () => {
  const dim = 128;
  const n = 3003; // not a multiple of 4: covers the four-row pass and the tail loop
  const db = unitRows(n, dim, 7);
  const queries = unitRows(20, dim, 99);

  it('int8 kernel scores and ranks bit-identically to the TypeScript reference', async () => {
    const index = await DescriptorIndex.create({ dim, capacity: 16 }); // forces regrowth
    try {
      index.add(db.subarray(0, 1000 * dim));
      index.add([db.subarray(1000 * dim)]);
      expect(index.size).toBe(n);
      const q8 = new Int8Array(n * dim);
      const scales = new Float32Array(n);
      for (let i = 0; i < n; i++) scales[i] = quantizeI8(db.subarray(i * dim, (i + 1) * dim), q8.subarray(i * dim, (i + 1) * dim)).scale;
      for (let t = 0; t < 20; t++) {
        const q = queries.subarray(t * dim, (t + 1) * dim);
        const { q: qq, scale } = quantizeI8(q);
        expect(index.search(q, 10)).toEqual(refSearchI8(q8, scales, n, dim, qq, scale, 10));
      }
    } finally {
      index.dispose();
    }
  });

  it('f32 kernel matches its reference exactly and the plain loop to 1e-5', async () => {
    const index = await DescriptorIndex.create({ dim, precision: 'f32' });
    try {
      index.add(db);
      for (let t = 0; t < 5; t++) {
        const q = queries.subarray(t * dim, (t + 1) * dim);
        const got = index.search(q, 5);
        expect(got).toEqual(refSearchF32(db, n, dim, q, 5));
        const plain = plainSearch(db, n, dim, q, 5);
        expect(got.map((h) => h.index)).toEqual(plain.map((h) => h.index));
        got.forEach((h, i) => expect(Math.abs(h.score - plain[i]!.score)).toBeLessThan(1e-5));
      }
    } finally {
      index.dispose();
    }
  });

  it('finds each enrolled row as its own best match (int8 error far below the match margin)', async () => {
    const index = await DescriptorIndex.create({ dim });
    try {
      index.add(db);
      for (const row of [0, 1, 1234, n - 1]) {
        const [hit] = index.search(db.subarray(row * dim, (row + 1) * dim), 1);
        expect(hit!.index).toBe(row);
        expect(Math.abs(hit!.score - 1)).toBeLessThan(5e-3);
      }
    } finally {
      index.dispose();
    }
  });

  it('removeSwap moves the last row into the hole; search returns [] when empty', async () => {
    const index = await DescriptorIndex.create({ dim });
    try {
      index.add(db.subarray(0, 3 * dim));
      expect(index.removeSwap(0)).toBe(2);
      expect(index.search(db.subarray(2 * dim, 3 * dim), 1)[0]!.index).toBe(0);
      expect(index.removeSwap(1)).toBe(-1);
      expect(index.size).toBe(1);
      index.clear();
      expect(index.search(db.subarray(0, dim), 3)).toEqual([]);
    } finally {
      index.dispose();
    }
  });

  it('rejects bad calls with codes naming the parameter', async () => {
    await expect(DescriptorIndex.create({ dim: 100 })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('dim') });
    const index = await DescriptorIndex.create({ dim: 16 });
    expect(() => index.add(new Float32Array(15))).toThrow(expect.objectContaining({ code: 'HMP_ERR_RECOMMEND_DESCRIPTOR', message: expect.stringContaining('vectors[0]') }));
    const nan = new Float32Array(16);
    nan[3] = NaN;
    expect(() => index.search(nan)).toThrow(expect.objectContaining({ code: 'HMP_ERR_RECOMMEND_DESCRIPTOR', message: expect.stringContaining('query[3]') }));
    index.add(new Float32Array(16).fill(0.25));
    expect(() => index.search(new Float32Array(16), 0)).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('k') }));
    expect(() => index.removeSwap(5)).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('row') }));
    index.dispose();
    expect(() => index.search(new Float32Array(16))).toThrow(expect.objectContaining({ code: 'HMP_ERR_WASM_DISPOSED' }));
  });
});
