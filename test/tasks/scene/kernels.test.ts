import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WasmSceneKernels } from '../../../dist/src/runtime/scene-kernels.js';
import { refSceneKernels } from '../../../dist/src/tasks/scene/analyze.js';
import { NSUMS, toAnalysisRgba } from '../../../dist/src/tasks/scene/features.js';
import { Engine } from '../../../dist/src/index.js';
import { EVAL, ROOT } from '../../helpers.js';

function both(rgba: Uint8Array, W: number, H: number, bx: number, by: number) {
  const tl = Math.floor(W / 4) * Math.floor(H / 4);
  const a = { sums: new Float64Array(bx * by * NSUMS), thumb: new Float32Array(tl) };
  const b = { sums: new Float64Array(bx * by * NSUMS), thumb: new Float32Array(tl) };
  return { a, b, run: async () => {
    const k = await WasmSceneKernels.load();
    k.blockSums(rgba, W, H, bx, by, a.sums, a.thumb);
    refSceneKernels.blockSums(rgba, W, H, bx, by, b.sums, b.thumb);
  } };
}

describe('hmp_scene_block_sums (WASM) equals the TypeScript reference exactly', () => {
  it('on a pseudo-random frame of odd size with an uneven grid', async () => {
    const W = 123, H = 77;
    const rgba = new Uint8Array(W * H * 4);
    let s = 12345;
    for (let i = 0; i < rgba.length; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; rgba[i] = s >>> 24; }
    const t = both(rgba, W, H, 7, 5);
    await t.run();
    expect(Array.from(t.a.sums)).toEqual(Array.from(t.b.sums));
    expect(Array.from(t.a.thumb)).toEqual(Array.from(t.b.thumb));
    // Sanity: every pixel counted once.
    let n = 0;
    for (let b = 0; b < 35; b++) n += t.a.sums[b * NSUMS + 19];
    expect(n).toBe(W * H);
  });

  it('on a wide frame with extreme values (16-bit SIMD lanes flushed before they overflow)', async () => {
    // One block 2600 px wide: the kernel's 1024-pixel flush and 8-pixel tails both run; a
    // 0/255 checkerboard maximises |dx|+|dy| (510) and r-g, g-b reach both ends of their range.
    const W = 2600, H = 9;
    const rgba = new Uint8Array(W * H * 4);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const o = (y * W + x) * 4, on = (x + y) & 1;
        rgba[o] = on ? 255 : 0; rgba[o + 1] = x % 3 === 0 ? 255 : 0; rgba[o + 2] = on ? 0 : 255; rgba[o + 3] = 255;
      }
    }
    const t = both(rgba, W, H, 1, 2);
    await t.run();
    expect(Array.from(t.a.sums)).toEqual(Array.from(t.b.sums));
    expect(Array.from(t.a.thumb)).toEqual(Array.from(t.b.thumb));
  });

  it('on the committed gradient fixture resampled to 320x240', async () => {
    const engine = await Engine.create({ poolSize: 1, verifyModels: false });
    try {
      const img = await engine.decode(readFileSync(join(ROOT, 'test', 'fixtures', 'kernels-gradient-64x48.png')));
      const rgba = toAnalysisRgba(img.data, img.width, img.height, img.format, 320, 240);
      const t = both(rgba, 320, 240, 8, 6);
      await t.run();
      expect(Array.from(t.a.sums)).toEqual(Array.from(t.b.sums));
      expect(Array.from(t.a.thumb)).toEqual(Array.from(t.b.thumb));
    } finally {
      await engine.dispose();
    }
  });

  const fire = join(EVAL, 'scene', 'cctv-fire-smoke', 'fire');
  describe.skipIf(!existsSync(fire))('on a real fire frame (needs ../shared/eval/scene; skipped in a plain clone)', () => {
    it('matches and sees flame-coloured pixels', async () => {
      const engine = await Engine.create({ poolSize: 1, verifyModels: false });
      try {
        const file = join(fire, 'fire2_mp4-28_jpg.rf.27cad783f34b8f9f162d91a0c5776350.jpg');
        const img = await engine.decode(readFileSync(file));
        const rgba = toAnalysisRgba(img.data, img.width, img.height, img.format, 320, 240);
        const t = both(rgba, 320, 240, 8, 6);
        await t.run();
        expect(Array.from(t.a.sums)).toEqual(Array.from(t.b.sums));
        let fireB = 0;
        for (let b = 0; b < 48; b++) fireB += t.a.sums[b * NSUMS + 6];
        expect(fireB).toBeGreaterThan(20);
      } finally {
        await engine.dispose();
      }
    });
  });

  it('rejects a buffer that does not match the size (HMP_ERR_ARG_RANGE naming blockSums)', async () => {
    const k = await WasmSceneKernels.load();
    expect(() => k.blockSums(new Uint8Array(10), 320, 240, 8, 6, new Float64Array(48 * NSUMS), new Float32Array(4800)))
      .toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('blockSums') }));
  });
});
