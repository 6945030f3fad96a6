import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../dist/src/engine/engine.js';
import { detectFaces, FaceTracker } from '../../../dist/src/tasks/face/index.js';

describe('detectFaces: bad calls and empty frames', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  it('rejects unknown options with HMP_ERR_OPTION_UNKNOWN naming the key', async () => {
    const frame = { data: new Uint8Array(16 * 16 * 4), width: 16, height: 16 };
    await expect(detectFaces(engine, frame, { minScor: 0.4 } as never)).rejects.toMatchObject({ code: 'HMP_ERR_OPTION_UNKNOWN', message: expect.stringContaining('minScor') });
  });

  it('rejects out-of-range options with HMP_ERR_ARG_RANGE naming the parameter', async () => {
    const frame = { data: new Uint8Array(16 * 16 * 4), width: 16, height: 16 };
    await expect(detectFaces(engine, frame, { minScore: 1.5 })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('options.minScore') });
    await expect(detectFaces(engine, frame, { maxFaces: 0 })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('options.maxFaces') });
    await expect(detectFaces(engine, frame, { minFaceSize: -1 })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('options.minFaceSize') });
    await expect(detectFaces(engine, frame, { descriptor: 'yes' } as never)).rejects.toMatchObject({ code: 'HMP_ERR_ARG_INVALID', message: expect.stringContaining('options.descriptor') });
    expect(() => new FaceTracker(engine, { maxMissingMs: -5 })).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('options.maxMissingMs') }));
  });

  it('rejects a frame whose bytes do not match its size with HMP_ERR_FRAME_SIZE', async () => {
    await expect(detectFaces(engine, { data: new Uint8Array(100), width: 16, height: 16, format: 'rgba' })).rejects.toMatchObject({ code: 'HMP_ERR_FRAME_SIZE' });
  });

  it('rejects bytes that are no image with HMP_ERR_IMAGE_UNSUPPORTED', async () => {
    await expect(detectFaces(engine, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).rejects.toMatchObject({ code: 'HMP_ERR_IMAGE_UNSUPPORTED' });
  });

  it('finds no face in a flat grey frame, in every pixel format, as an empty list', async () => {
    const w = 320;
    const h = 240;
    const frames = [
      { data: new Uint8Array(w * h * 4).fill(128), width: w, height: h, format: 'rgba' as const },
      { data: new Uint8Array(w * h * 3).fill(128), width: w, height: h, format: 'rgb' as const },
      { data: new Uint8Array(w * h).fill(128), width: w, height: h, format: 'gray' as const },
      { data: new Uint8Array(w * h + 2 * (w / 2) * (h / 2)).fill(128), width: w, height: h, format: 'nv21' as const },
    ];
    const rs = await detectFaces(engine, frames);
    expect(rs.map((r) => r.faces)).toEqual([[], [], [], []]);
    expect(rs[0]).toMatchObject({ width: w, height: h });
  });
});
