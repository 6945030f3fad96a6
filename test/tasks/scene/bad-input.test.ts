import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, createSceneSession } from '../../../dist/src/index.js';

const frame = (w = 64, h = 48) => ({ data: new Uint8Array(w * h * 4).fill(90), width: w, height: h, format: 'rgba' as const });
const code = (c: string, name: string) => expect.objectContaining({ code: c, message: expect.stringContaining(name) });

describe('scene sessions reject bad input with coded errors', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
  });
  afterAll(() => engine.dispose());

  it('unknown options and rule keys', async () => {
    await expect(createSceneSession(engine, { fps: 5 } as never)).rejects.toThrow(code('HMP_ERR_OPTION_UNKNOWN', 'options.fps'));
    await expect(createSceneSession(engine, { rules: { flood: {} } } as never)).rejects.toThrow(code('HMP_ERR_OPTION_UNKNOWN', 'options.rules.flood'));
    await expect(createSceneSession(engine, { rules: { fire: { onn: 1 } } } as never)).rejects.toThrow(code('HMP_ERR_OPTION_UNKNOWN', 'options.rules.fire.onn'));
  });

  it('out-of-range values name the parameter', async () => {
    await expect(createSceneSession(engine, { width: 8 })).rejects.toThrow(code('HMP_ERR_ARG_RANGE', 'options.width'));
    await expect(createSceneSession(engine, { rules: { smoke: { on: 1.5 } } })).rejects.toThrow(code('HMP_ERR_ARG_RANGE', 'options.rules.smoke.on'));
    await expect(createSceneSession(engine, { rules: { smoke: { on: 0.4, off: 0.6 } } })).rejects.toThrow(code('HMP_ERR_ARG_RANGE', 'options.rules.smoke.off'));
    await expect(createSceneSession(engine, { webhook: { url: 'ftp://x' } })).rejects.toThrow(code('HMP_ERR_ARG_INVALID', 'options.webhook.url'));
    await expect(createSceneSession(engine, { id: 'a b' })).rejects.toThrow(code('HMP_ERR_ARG_INVALID', 'options.id'));
  });

  it('bad frames, timestamps going back, pushes after close', async () => {
    const s = await createSceneSession(engine, { id: 'bad' });
    await expect(s.push({ data: new Uint8Array(10), width: 64, height: 48, format: 'rgba' }, { timestamp: 10 })).rejects.toThrow(code('HMP_ERR_FRAME_SIZE', 'image.data'));
    await expect(s.push({ ...frame(), format: 'yuv' as never }, { timestamp: 20 })).rejects.toThrow(code('HMP_ERR_FRAME_FORMAT', 'image.format'));
    await expect(s.push(new Uint8Array([1, 2, 3, 4]), { timestamp: 30 })).rejects.toThrow(expect.objectContaining({ code: 'HMP_ERR_IMAGE_UNSUPPORTED' }));
    // Frames that fail validation consume no frame number; the undecodable one did (it failed in the worker).
    await expect(s.push(frame(), { timestamp: 1000 })).resolves.toMatchObject({ frame: 2 });
    await expect(s.push(frame(), { timestamp: 1000 })).rejects.toThrow(code('HMP_ERR_SCENE_TIMESTAMP', 'options.timestamp'));
    await expect(s.push(frame(), { timestamp: 1200, fps: 3 } as never)).rejects.toThrow(code('HMP_ERR_OPTION_UNKNOWN', 'options.fps'));
    await s.close();
    await expect(s.push(frame())).rejects.toThrow(code('HMP_ERR_SCENE_SESSION_CLOSED', 'bad'));
  });

  it('keeps only the newest waiting frame when frames arrive faster than they are analysed', async () => {
    const s = await createSceneSession(engine, { id: 'burst' });
    const a = s.push(frame(), { timestamp: 1 });
    const b = s.push(frame(), { timestamp: 2 }).catch((e: unknown) => e);
    const c = s.push(frame(), { timestamp: 3 });
    await expect(a).resolves.toMatchObject({ frame: 1 });
    expect(await b).toMatchObject({ code: 'HMP_ERR_SCENE_FRAME_DROPPED', retryable: true });
    const r = await c;
    expect(r.frame).toBe(3);
    // Any frame size and format is accepted and resampled; the result is plain JSON.
    const nv = await s.push({ data: new Uint8Array(64 * 48 + 2 * 32 * 24).fill(128), width: 64, height: 48, format: 'nv21' }, { timestamp: 4 });
    expect(JSON.parse(JSON.stringify(nv))).toEqual(nv);
    await s.close();
  });
});
