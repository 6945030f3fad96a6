import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getKernels,
  invertAffine,
  loadKernels,
  refKernels as R,
  type Kernels,
  type NormalizeOptions,
  type PixelFormat,
} from '../../dist/src/runtime/wasm.js';
import { EVAL, HAS_EVAL, ROOT } from '../helpers.js';

/** Deterministic pseudo-random bytes (xorshift32), so a failure reproduces. */
function noise(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = s & 255;
  }
  return a;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Bit-exact comparison that reports the first differing element instead of dumping arrays. */
function same(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) expect.fail(`${what}: element ${i} is ${a[i]} in WASM but ${b[i]} in the reference`);
  }
}

function nv21Bytes(w: number, h: number): number {
  return w * h + 2 * Math.ceil(w / 2) * Math.ceil(h / 2);
}

const BPP: Record<string, number> = { rgba: 4, rgb: 3, bgr: 3, gray: 1 };
const FROM: PixelFormat[] = ['rgba', 'rgb', 'bgr', 'gray', 'nv21'];
const TO = ['rgba', 'rgb', 'bgr', 'gray'] as const;
/** Odd sizes, 1-pixel sizes and sizes around the 16-pixel SIMD block. */
const SIZES: Array<[number, number]> = [[1, 1], [1, 7], [2, 3], [7, 5], [15, 2], [16, 16], [17, 9], [33, 31], [101, 77]];
const NORM_CASES: NormalizeOptions[] = [
  { layout: 'nchw', mean: [127.5], std: [127.5] },
  { layout: 'nhwc', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] },
  { layout: 'nchw', mean: [0], std: [255], swapRB: true },
  { layout: 'nhwc', mean: [10, 20, 30, 40], std: [1, 2, 3, 4], dropAlpha: false, swapRB: true },
];

/** Applies a normalise case to an image of `c` channels (mean/std length must fit). */
function normFor(o: NormalizeOptions, c: number): NormalizeOptions {
  const outC = c === 4 && o.dropAlpha !== false ? 3 : c;
  const fit = (v: readonly number[]) => (v.length === 1 || v.length === outC ? v : v.slice(0, 1));
  return { ...o, mean: fit(o.mean), std: fit(o.std) };
}

let K: Kernels;
beforeAll(async () => {
  K = await loadKernels();
});
afterAll(async () => {
  await K.dispose();
});

describe('WASM kernels match the TypeScript reference bit for bit (random images)', () => {
  it('convert: every format pair, odd and 1x1 sizes', () => {
    let seed = 1;
    for (const [w, h] of SIZES) {
      for (const from of FROM) {
        const src = noise(from === 'nv21' ? nv21Bytes(w, h) : w * h * BPP[from], seed++);
        for (const to of TO) same(K.convert(src, w, h, from, to), R.convert(src, w, h, from, to), `${from}->${to} ${w}x${h}`);
      }
    }
  });

  it('resizeBilinear: 1-4 channels, up and down, to and from 1 pixel', () => {
    let seed = 100;
    for (const [w, h] of SIZES) {
      for (const c of [1, 2, 3, 4] as const) {
        const src = noise(w * h * c, seed++);
        for (const [dw, dh] of [[1, 1], [w, h], [2 * w + 1, 2 * h + 3], [Math.ceil(w / 2), Math.ceil(h / 3)], [37, 19]]) {
          same(K.resizeBilinear(src, w, h, c, dw, dh), R.resizeBilinear(src, w, h, c, dw, dh), `${w}x${h}x${c} -> ${dw}x${dh}`);
        }
      }
    }
  });

  it('normalize and resizeNormalize: layouts, swapRB, dropAlpha, broadcast mean/std', () => {
    let seed = 200;
    for (const [w, h] of SIZES) {
      for (const c of [1, 3, 4] as const) {
        const src = noise(w * h * c, seed++);
        for (const base of NORM_CASES) {
          const o = normFor(base, c);
          same(K.normalize(src, w, h, c, o), R.normalize(src, w, h, c, o), `normalize ${w}x${h}x${c} ${JSON.stringify(o)}`);
          same(K.resizeNormalize(src, w, h, c, 13, 11, o), R.resizeNormalize(src, w, h, c, 13, 11, o), `resizeNormalize ${w}x${h}x${c}`);
        }
      }
    }
  });

  it('resizeNormalize equals resizeBilinear followed by normalize', () => {
    const src = noise(101 * 77 * 4, 7);
    const o: NormalizeOptions = { layout: 'nchw', mean: [127.5], std: [127.5] };
    same(K.resizeNormalize(src, 101, 77, 4, 128, 128, o), K.normalize(K.resizeBilinear(src, 101, 77, 4, 128, 128), 128, 128, 4, o), 'fused');
  });

  it('warpAffine: scale, rotation, shear, mostly-outside and per-channel borders', () => {
    let seed = 300;
    const mats = [
      [1, 0, 0, 0, 1, 0],
      [0.5, 0, 3.25, 0, 0.5, -1.5],
      [Math.cos(0.3) * 1.7, -Math.sin(0.3) * 1.7, 4, Math.sin(0.3) * 1.7, Math.cos(0.3) * 1.7, -6],
      [2.2, 0.4, -50, -0.3, 1.9, 10],
      [0.05, 0, 500, 0, 0.05, 500],
    ];
    for (const [w, h] of SIZES) {
      for (const c of [1, 2, 3, 4] as const) {
        const src = noise(w * h * c, seed++);
        const border = [9, 99, 199, 255].slice(0, c);
        for (const m of mats) {
          same(K.warpAffine(src, w, h, c, m, 23, 17, border), R.warpAffine(src, w, h, c, m, 23, 17, border), `${w}x${h}x${c} ${m}`);
        }
      }
    }
  });

  it('nms: hard and weighted, with extras, thresholds, maxOutput and score ties', () => {
    for (const n of [0, 1, 2, 7, 300, 2000]) {
      const r = rng(n + 1);
      const boxes = new Float32Array(4 * n);
      const scores = new Float32Array(n);
      const extras = new Float32Array(12 * n);
      for (let i = 0; i < n; i++) {
        const x = r() * 600;
        const y = r() * 400;
        const s = 8 + r() * 90;
        boxes.set([x, y, x + s, y + s * (0.7 + 0.6 * r())], 4 * i);
        scores[i] = Math.round(r() * 40) / 40; // coarse: plenty of ties
      }
      for (let i = 0; i < extras.length; i++) extras[i] = r() * 640;
      for (const method of ['hard', 'weighted'] as const) {
        for (const opts of [
          { method },
          { method, iouThreshold: 0.5, scoreThreshold: 0.25, extras },
          { method, iouThreshold: 0.1, maxOutput: 5, extras },
          { method, iouThreshold: 0, scoreThreshold: 0.9 },
        ]) {
          const a = K.nms(boxes, scores, opts);
          const b = R.nms(boxes, scores, opts);
          for (const key of ['indices', 'boxes', 'scores', 'extras'] as const) same(a[key], b[key], `nms n=${n} ${JSON.stringify({ ...opts, extras: !!opts.extras })} ${key}`);
        }
      }
    }
  });
});

describe('kernel semantics (known values)', () => {
  it('gray is BT.601 integer luma (77R + 150G + 29B + 128) >> 8', () => {
    const px = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 0]);
    expect([...K.convert(px, 4, 1, 'rgba', 'gray')]).toEqual([77, 149, 29, 255]);
    expect([...K.convert(new Uint8Array([1, 2, 3]), 1, 1, 'rgb', 'bgr')]).toEqual([3, 2, 1]);
    expect([...K.convert(new Uint8Array([7]), 1, 1, 'gray', 'rgba')]).toEqual([7, 7, 7, 255]);
  });

  it('NV21 decodes full-range BT.601 (JFIF) and handles odd sizes', () => {
    // 3x3 frame: Y plane, then ceil(3/2) x ceil(3/2) V,U pairs.
    const y = [0, 128, 255, 16, 235, 128, 64, 192, 100];
    const vu = [128, 128, 255, 0, 0, 255, 128, 128];
    const rgb = K.convert(new Uint8Array([...y, ...vu]), 3, 3, 'nv21', 'rgb');
    // Neutral chroma keeps gray; V=255,U=0 adds 1.402*127 to R and 1.772*(-128) to B.
    expect([...rgb.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect([...rgb.subarray(3, 6)]).toEqual([128, 128, 128]);
    const exact = (Y: number, U: number, V: number) => [Y + 1.402 * (V - 128), Y - 0.344136 * (U - 128) - 0.714136 * (V - 128), Y + 1.772 * (U - 128)].map((v) => Math.min(255, Math.max(0, Math.round(v))));
    expect([...rgb.subarray(6, 9)]).toEqual(exact(255, 0, 255));
    expect([...rgb.subarray(24, 27)]).toEqual(exact(100, 128, 128));
    expect([...K.convert(new Uint8Array([...y, ...vu]), 3, 3, 'nv21', 'gray')]).toEqual(y);
  });

  it('resize to the same size is the identity; constant images stay constant', () => {
    const src = noise(33 * 31 * 3, 5);
    same(K.resizeBilinear(src, 33, 31, 3, 33, 31), src, 'identity');
    const flat = new Uint8Array(40 * 30 * 4).fill(173);
    expect(K.resizeBilinear(flat, 40, 30, 4, 77, 13).every((v) => v === 173)).toBe(true);
  });

  it('resize has OpenCV INTER_LINEAR half-pixel geometry', () => {
    // 4 -> 2 samples at x = 0.5 and 2.5: the mean of each pair.
    expect([...K.resizeBilinear(new Uint8Array([0, 100, 200, 250]), 4, 1, 1, 2, 1)]).toEqual([50, 225]);
    // 2 -> 4 samples at -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
    expect([...K.resizeBilinear(new Uint8Array([0, 200]), 2, 1, 1, 4, 1)]).toEqual([0, 50, 150, 200]);
  });

  it('crop copies the rectangle', () => {
    const src = Uint8Array.from({ length: 5 * 4 * 2 }, (_, i) => i);
    const out = K.crop(src, 5, 4, 2, 1, 2, 3, 2);
    expect([...out]).toEqual([22, 23, 24, 25, 26, 27, 32, 33, 34, 35, 36, 37]);
    same(out, R.crop(src, 5, 4, 2, 1, 2, 3, 2), 'crop');
  });

  it('normalize writes (v - mean) / std in NCHW planes', () => {
    const px = new Uint8Array([0, 127, 255, 9, 255, 0, 51, 9]);
    const t = K.normalize(px, 2, 1, 4, { layout: 'nchw', mean: [127.5], std: [127.5] });
    expect([...t].map((v) => Math.round(v * 1e5) / 1e5)).toEqual([-1, 1, -0.00392, -1, 1, -0.6]);
  });

  it('warpAffine with the identity returns the image; invertAffine round-trips', () => {
    const src = noise(17 * 9 * 4, 3);
    same(K.warpAffine(src, 17, 9, 4, [1, 0, 0, 0, 1, 0], 17, 9), src, 'identity warp');
    const m = [1.3, -0.4, 12, 0.4, 1.3, -7];
    const back = invertAffine(invertAffine(m));
    back.forEach((v, i) => expect(v).toBeCloseTo(m[i], 12));
    // A 2x upscale by src->dst matrix: dst (2, 2) samples src (1, 1).
    const up = K.warpAffine(Uint8Array.from({ length: 9 }, (_, i) => i * 10), 3, 3, 1, [2, 0, 0, 0, 2, 0], 5, 5, 255);
    expect(up[2 * 5 + 2]).toBe(40);
  });

  it('weighted NMS averages a cluster by score, as MediaPipe does; hard NMS keeps the best', () => {
    const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 50, 50, 60, 60]);
    const scores = new Float32Array([0.6, 0.9, 0.3]);
    const extras = new Float32Array([1, 2, 3, 4, 100, 200]);
    const hard = K.nms(boxes, scores, { iouThreshold: 0.3, extras });
    expect([...hard.indices]).toEqual([1, 2]);
    expect([...hard.extras]).toEqual([3, 4, 100, 200]);
    const w = K.nms(boxes, scores, { iouThreshold: 0.3, method: 'weighted', extras });
    expect([...w.indices]).toEqual([1, 2]);
    expect(w.scores[0]).toBeCloseTo(0.9, 6);
    expect(w.boxes[0]).toBeCloseTo((0.9 * 1 + 0.6 * 0) / 1.5, 5);
    expect(w.extras[0]).toBeCloseTo((0.9 * 3 + 0.6 * 1) / 1.5, 5);
    expect(K.nms(new Float32Array(0), new Float32Array(0)).indices.length).toBe(0);
  });

  it('fills a caller-provided out buffer and returns it', () => {
    const src = noise(8 * 8 * 4, 11);
    const out = new Uint8Array(8 * 8 * 3);
    expect(K.convert(src, 8, 8, 'rgba', 'rgb', out)).toBe(out);
    same(out, R.convert(src, 8, 8, 'rgba', 'rgb'), 'out');
    const f = new Float32Array(4 * 4 * 3);
    expect(K.resizeNormalize(src, 8, 8, 4, 4, 4, { layout: 'nhwc', mean: [0], std: [1] }, f)).toBe(f);
  });
});

describe('real images', () => {
  const fixture = join(ROOT, 'test', 'fixtures', 'kernels-gradient-64x48.png');

  async function check(file: string): Promise<void> {
    const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const { width: w, height: h } = info;
    for (const to of TO) same(K.convert(src, w, h, 'rgba', to), R.convert(src, w, h, 'rgba', to), `${file} rgba->${to}`);
    const rgb = K.convert(src, w, h, 'rgba', 'rgb');
    same(K.resizeBilinear(rgb, w, h, 3, 128, 96), R.resizeBilinear(rgb, w, h, 3, 128, 96), `${file} resize`);
    const o: NormalizeOptions = { layout: 'nchw', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] };
    same(K.resizeNormalize(src, w, h, 4, 128, 128, o), R.resizeNormalize(src, w, h, 4, 128, 128, o), `${file} resizeNormalize`);
    const m = [0.6, 0.1, -5, -0.1, 0.6, 3];
    same(K.warpAffine(src, w, h, 4, m, 112, 112), R.warpAffine(src, w, h, 4, m, 112, 112), `${file} warp`);
  }

  it('the committed synthetic fixture (test/fixtures/kernels-gradient-64x48.png)', async () => {
    await check(fixture);
    // Spot-check decoding and the alpha strip so the fixture itself is what we think it is.
    const { data } = await sharp(fixture).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const gray = K.convert(new Uint8Array(data), 64, 48, 'rgba', 'gray');
    expect(gray[0]).toBe((77 * 0 + 150 * 0 + 29 * 32 + 128) >> 8);
  });

  const faces = join(EVAL, 'faces', 'utkface-200', 'images');
  const scenes = join(EVAL, 'scene', 'cctv-fire-smoke', 'normal');
  const pick = (dir: string, n: number) => (existsSync(dir) ? readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(0, n).map((f) => join(dir, f)) : []);

  it.skipIf(!HAS_EVAL || !existsSync(faces))('UTKFace photos from ../shared/eval/faces/utkface-200 (skipped when ../shared is absent)', async () => {
    for (const f of pick(faces, 4)) await check(f);
  });

  it.skipIf(!HAS_EVAL || !existsSync(scenes))('CCTV scene photos from ../shared/eval/scene/cctv-fire-smoke/normal (skipped when ../shared is absent)', async () => {
    for (const f of pick(scenes, 3)) await check(f);
  });
});

describe('bad calls', () => {
  function code(fn: () => unknown): { code: string; message: string } {
    try {
      fn();
    } catch (e) {
      return e as { code: string; message: string };
    }
    throw new Error('expected a throw');
  }
  const px = new Uint8Array(4 * 4 * 4);

  it('wrong buffer lengths give HMP_ERR_FRAME_SIZE naming src', () => {
    for (const e of [
      code(() => K.convert(px.subarray(1), 4, 4, 'rgba', 'rgb')),
      code(() => K.convert(px, 4, 4, 'nv21', 'rgb')),
      code(() => K.resizeBilinear(px, 4, 4, 3, 2, 2)),
      code(() => K.normalize(px, 5, 4, 4, { layout: 'nchw', mean: [0], std: [1] })),
      code(() => K.warpAffine(px, 4, 3, 4, [1, 0, 0, 0, 1, 0], 2, 2)),
    ]) {
      expect(e.code).toBe('HMP_ERR_FRAME_SIZE');
      expect(e.message).toMatch(/^Frame src has \d+ bytes/);
    }
  });

  it('bad formats give HMP_ERR_FRAME_FORMAT naming from/to', () => {
    let e = code(() => K.convert(px, 4, 4, 'yuv' as PixelFormat, 'rgb'));
    expect(e.code).toBe('HMP_ERR_FRAME_FORMAT');
    expect(e.message).toContain('for from');
    e = code(() => K.convert(px, 4, 4, 'rgba', 'nv21' as 'rgb'));
    expect(e.code).toBe('HMP_ERR_FRAME_FORMAT');
    expect(e.message).toContain('for to');
  });

  it('zero, negative and fractional sizes give HMP_ERR_ARG_RANGE naming the parameter', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => K.convert(px, 0, 4, 'rgba', 'rgb'), 'width'],
      [() => K.convert(px, 4, -3, 'rgba', 'rgb'), 'height'],
      [() => K.resizeBilinear(px, 4, 4, 4, 0, 2), 'dstWidth'],
      [() => K.resizeBilinear(px, 4, 4, 4, 2, 1.5), 'dstHeight'],
      [() => K.crop(px, 4, 4, 4, 3, 0, 2, 1), 'w'],
      [() => K.crop(px, 4, 4, 4, -1, 0, 1, 1), 'x'],
      [() => K.warpAffine(px, 4, 4, 4, [0, 0, 0, 0, 0, 0], 2, 2), 'matrix'],
      [() => K.warpAffine(px, 4, 4, 4, [1, 0, 0, 0, 1, 0], 2, 2, 256), 'borderValue'],
      [() => K.nms(new Float32Array(4), new Float32Array(1), { iouThreshold: 1.5 }), 'opts.iouThreshold'],
      [() => K.nms(new Float32Array(3), new Float32Array(1)), 'boxes'],
      [() => K.normalize(px, 4, 4, 4, { layout: 'nchw', mean: [0, 1], std: [1] }), 'opts.mean'],
      [() => K.convert(px, 4, 4, 'rgba', 'rgb', new Uint8Array(5)), 'out'],
    ];
    for (const [fn, name] of cases) {
      const e = code(fn);
      expect(e.code, name).toBe('HMP_ERR_ARG_RANGE');
      expect(e.message, name).toContain(`for ${name} `);
    }
  });

  it('wrong types give HMP_ERR_ARG_INVALID naming the parameter', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => K.convert('abc' as unknown as Uint8Array, 1, 1, 'gray', 'gray'), 'src'],
      [() => K.convert(px, '4' as unknown as number, 4, 'rgba', 'rgb'), 'width'],
      [() => K.resizeBilinear(px, 4, 4, 5 as 4, 2, 2), 'channels'],
      [() => K.normalize(px, 4, 4, 4, { layout: 'chw' as 'nchw', mean: [0], std: [1] }), 'opts.layout'],
      [() => K.normalize(px, 4, 4, 4, { layout: 'nchw', mean: [0], std: [0] }), 'opts.std[0]'],
      [() => K.warpAffine(px, 4, 4, 4, [1, 0, 0], 2, 2), 'matrix'],
      [() => K.nms(new Float32Array([0, 0, NaN, 1]), new Float32Array(1)), 'boxes[2]'],
      [() => K.nms([0, 0, 1, 1] as unknown as Float32Array, new Float32Array(1)), 'boxes'],
      [() => K.nms(new Float32Array(4), new Float32Array(1), { method: 'soft' as 'hard' }), 'opts.method'],
      [() => K.normalize(px, 4, 4, 4, { layout: 'nchw', mean: [0], std: [1] }, new Float64Array(48) as unknown as Float32Array), 'out'],
    ];
    for (const [fn, name] of cases) {
      const e = code(fn);
      expect(e.code, name).toBe('HMP_ERR_ARG_INVALID');
      expect(e.message, name).toContain(`for ${name} `);
    }
  });

  it('the reference validates identically', () => {
    expect(code(() => R.convert(px, 0, 4, 'rgba', 'rgb')).code).toBe('HMP_ERR_ARG_RANGE');
    expect(code(() => R.resizeBilinear(px, 4, 4, 3, 2, 2)).code).toBe('HMP_ERR_FRAME_SIZE');
  });

  it('unknown option keys give HMP_ERR_OPTION_UNKNOWN', () => {
    expect(code(() => K.nms(new Float32Array(4), new Float32Array(1), { iou: 0.5 } as object)).code).toBe('HMP_ERR_OPTION_UNKNOWN');
  });

  it('a missing .wasm gives HMP_ERR_WASM_LOAD; a disposed instance HMP_ERR_WASM_DISPOSED', async () => {
    await expect(loadKernels({ path: join(ROOT, 'no', 'such.wasm') })).rejects.toMatchObject({ code: 'HMP_ERR_WASM_LOAD' });
    const k = await loadKernels();
    await k.dispose();
    expect(code(() => k.convert(px, 4, 4, 'rgba', 'rgb')).code).toBe('HMP_ERR_WASM_DISPOSED');
  });
});

describe('resources', () => {
  it('memory stays bounded over many calls of varying sizes', () => {
    const sizes: Array<[number, number]> = [[640, 480], [320, 240], [17, 9], [1, 1], [401, 299]];
    const frames = sizes.map(([w, h], i) => noise(w * h * 4, 900 + i));
    const round = () =>
      sizes.forEach(([w, h], i) => {
        K.convert(frames[i], w, h, 'rgba', 'rgb');
        K.resizeNormalize(frames[i], w, h, 4, 128, 128, { layout: 'nchw', mean: [127.5], std: [127.5] });
        K.warpAffine(frames[i], w, h, 4, [0.5, 0, 0, 0, 0.5, 0], 112, 112);
        K.nms(new Float32Array(400).map((_, j) => (j % 4 < 2 ? j : j + 20)), new Float32Array(100).fill(0.5), { method: 'weighted' });
      });
    round();
    const mem = K.memoryBytes;
    const scratch = K.scratchBytes;
    for (let r = 0; r < 40; r++) round();
    expect(K.memoryBytes).toBe(mem);
    expect(K.scratchBytes).toBe(scratch);
  });

  it('getKernels returns one instance per thread; a worker gets its own and the same results', async () => {
    const a = await getKernels();
    expect(await getKernels()).toBe(a);
    const src = noise(31 * 7 * 4, 42);
    const url = new URL('../../dist/src/runtime/wasm.js', import.meta.url).href;
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.url).then(async ({ getKernels }) => {
        const k = await getKernels();
        const again = await getKernels();
        parentPort.postMessage({ same: k === again, out: k.convert(workerData.src, 31, 7, 'rgba', 'gray') });
      });`;
    const w = new Worker(code, { eval: true, workerData: { url, src } });
    const msg = await new Promise<{ same: boolean; out: Uint8Array }>((res, rej) => {
      w.once('message', res);
      w.once('error', rej);
    });
    await w.terminate();
    expect(msg.same).toBe(true);
    same(msg.out, a.convert(src, 31, 7, 'rgba', 'gray'), 'worker');
  });
});
