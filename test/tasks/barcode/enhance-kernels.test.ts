// The WASM enhancement kernels (wasm/src/enhance.rs) produce the same bytes as the TypeScript
// reference in src/tasks/barcode/image.ts, on synthetic and (when present) real eval images.
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { getEnhanceKernels, type WasmEnhancer } from '../../../dist/src/runtime/enhance-kernels.js';
import { refEnhancer, toGray } from '../../../dist/src/tasks/barcode/image.js';
import { hasEval, zxingDir } from './helpers.js';

/** Deterministic pseudo-random gray image with structure (bars + noise), so windows differ. */
function synth(w: number, h: number, seed: number) {
  const data = new Uint8Array(w * h);
  let s = seed;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const bar = ((x >> 2) + (y >> 4)) % 3 === 0 ? 40 : 200;
      data[y * w + x] = Math.max(0, Math.min(255, bar + ((s >>> 24) % 50) - 25));
    }
  }
  return { data, width: w, height: h };
}

const same = (a: { data: Uint8Array; width: number; height: number }, b: { data: Uint8Array; width: number; height: number }) => {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let diff = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) diff++;
  expect(diff, 'differing bytes').toBe(0);
};

describe('barcode enhancement kernels: WASM = TypeScript reference', () => {
  let k: WasmEnhancer;
  beforeAll(async () => { k = await getEnhanceKernels(); });

  const sizes: [number, number][] = [[1, 1], [2, 3], [17, 5], [64, 48], [333, 211]];
  for (const [w, h] of sizes) {
    it(`${w}x${h}: sharpen, normalizeLocal, blur, resize`, () => {
      const g = synth(w, h, w * 7919 + h);
      for (const r of [0, 1, 3, 9]) {
        same(k.sharpen(g, r, 1.5), refEnhancer.sharpen(g, r, 1.5));
        same(k.normalizeLocal(g, r), refEnhancer.normalizeLocal(g, r));
        same(k.blur(g, r), refEnhancer.blur(g, r));
      }
      for (const s of [0.5, 1, 1.37, 2, 3]) same(k.resize(g, s), refEnhancer.resize(g, s));
    });
  }

  it.skipIf(!hasEval)('a real photo (ean13-2/01.png) at ladder settings', async () => {
    const { data, info } = await sharp(join(zxingDir, 'ean13-2', '01.png')).greyscale().raw().toBuffer({ resolveWithObject: true });
    const g = { data: new Uint8Array(data), width: info.width, height: info.height };
    const r = Math.max(1, Math.round(Math.min(g.width, g.height) / 240));
    same(k.sharpen(g, r, 1.5), refEnhancer.sharpen(g, r, 1.5));
    same(k.normalizeLocal(g, Math.max(8, Math.round(Math.min(g.width, g.height) / 16))), refEnhancer.normalizeLocal(g, Math.max(8, Math.round(Math.min(g.width, g.height) / 16))));
    same(k.resize(g, 1400 / Math.max(g.width, g.height)), refEnhancer.resize(g, 1400 / Math.max(g.width, g.height)));
    same(k.resize(k.blur(g, 1), 0.5), refEnhancer.resize(refEnhancer.blur(g, 1), 0.5));
  });

  it('luminance of RGBA and RGB frames equals toGray (transparent pixels white)', () => {
    const w = 37, h = 11;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 2654435761) >>> 24;
    for (let i = 3; i < rgba.length; i += 28) rgba[i] = 0;
    const rgb = rgba.subarray(0, w * h * 3);
    same(k.luminance(rgba, w, h, 'rgba'), toGray(rgba, w, h, 'rgba'));
    same(k.luminance(rgb, w, h, 'rgb'), toGray(rgb, w, h, 'rgb'));
    expect(() => k.luminance(rgba.subarray(0, 10), w, h, 'rgba')).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('frame') }));
  });

  it('bad arguments are coded errors naming the parameter', () => {
    const g = synth(8, 8, 1);
    expect(() => k.sharpen(g, -1, 1)).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('radius') }));
    expect(() => k.resize(g, 0)).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('scale') }));
    expect(() => k.blur({ data: new Uint8Array(10), width: 8, height: 8 }, 1)).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('image') }));
  });
});
