// A continuous scan session reports a code once per sighting window, optionally only after two
// frames agree, and rejects frames after close(). Time comes from a fake clock (no sleeps).
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, ScanSession, HmpError } from '../../../dist/src/index.js';
import { hasEval, skipMsg, zxingDir } from './helpers.js';

describe.skipIf(!hasEval)(`ScanSession (${hasEval ? 'eval data' : skipMsg})`, () => {
  let engine: Engine;
  let qr: { data: Uint8Array; width: number; height: number; format: 'gray' };
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 2, verifyModels: false });
    const { data, info } = await sharp(join(zxingDir, 'qrcode-2', '1.png')).greyscale().raw().toBuffer({ resolveWithObject: true });
    qr = { data: new Uint8Array(data), width: info.width, height: info.height, format: 'gray' };
  });
  afterAll(async () => { await engine?.dispose(); });

  const frame = () => ({ ...qr, data: new Uint8Array(qr.data) }); // scan() transfers the buffer
  const blank = () => ({ data: new Uint8Array(qr.width * qr.height).fill(255), width: qr.width, height: qr.height, format: 'gray' as const });

  it('dedupes a code seen again within the window and reports it again after it left view', async () => {
    let t = 0;
    const s = new ScanSession(engine, { dedupeMs: 1000, now: () => t });
    expect((await s.scan(frame())).newCodes.map((c) => c.scanType)).toEqual(['QR_CODE']);
    t = 500;
    const again = await s.scan(frame());
    expect(again.newCodes).toEqual([]);
    expect(again.frame.codes).toHaveLength(1); // still decoded, just not new
    t = 1400; // 900 ms after the last sighting: still the same sighting
    expect((await s.scan(frame())).newCodes).toEqual([]);
    t = 1500;
    expect((await s.scan(blank())).newCodes).toEqual([]);
    t = 2500; // out of view for 1100 ms > window
    expect((await s.scan(frame())).newCodes).toHaveLength(1);
    await s.close();
  });

  it('confirmFrames: 2 waits for a second consecutive frame', async () => {
    let t = 0;
    const s = new ScanSession(engine, { confirmFrames: 2, now: () => t });
    expect((await s.scan(frame())).newCodes).toEqual([]);
    t = 40;
    expect((await s.scan(blank())).newCodes).toEqual([]); // streak broken
    t = 80;
    expect((await s.scan(frame())).newCodes).toEqual([]);
    t = 120;
    expect((await s.scan(frame())).newCodes.map((c) => c.scanType)).toEqual(['QR_CODE']);
    t = 160;
    expect((await s.scan(frame())).newCodes).toEqual([]);
    await s.close();
  });

  it('frames resolve in submission order even when scanned concurrently', async () => {
    let t = 0;
    const s = new ScanSession(engine, { now: () => t });
    const [a, b] = await Promise.all([s.scan(frame()), s.scan(frame())]);
    expect(a.newCodes).toHaveLength(1);
    expect(b.newCodes).toEqual([]);
    await s.close();
  });

  it('rejects bad session options and scans after close()', async () => {
    expect(() => new ScanSession(engine, { confirmFrames: 3 as never })).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE' }));
    expect(() => new ScanSession(engine, { formats: ['NOPE'] })).toThrow(expect.objectContaining({ code: 'HMP_ERR_BARCODE_FORMAT' }));
    const s = new ScanSession(engine);
    await s.close();
    await expect(s.scan(frame())).rejects.toBeInstanceOf(HmpError);
    await expect(s.scan(frame())).rejects.toMatchObject({ code: 'HMP_ERR_BARCODE_SESSION_CLOSED' });
  });
});
