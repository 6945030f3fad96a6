// Bad calls fail with coded errors naming the parameter; nothing found is not an error.
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, scanCode, HmpError } from '../../../dist/src/index.js';

async function code(p: Promise<unknown>): Promise<HmpError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(HmpError);
    return err as HmpError;
  }
  throw new Error('expected a rejection');
}

/** A real 8x8 gray PNG (own render). */
function png(): Buffer {
  const crc = (b: Buffer) => { let c = ~0; for (const x of b) { c ^= x; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); } return ~c >>> 0; };
  const chunk = (type: string, data: Buffer) => { const t = Buffer.from(type); const len = Buffer.alloc(4); len.writeUInt32BE(data.length); const c = Buffer.alloc(4); c.writeUInt32BE(crc(Buffer.concat([t, data]))); return Buffer.concat([len, t, data, c]); };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(8, 0); ihdr.writeUInt32BE(8, 4); ihdr[8] = 8; ihdr[9] = 0;
  const raw = Buffer.alloc(8 * 9, 200); for (let y = 0; y < 8; y++) raw[y * 9] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describe('scanCode: bad input', () => {
  let engine: Engine;
  beforeAll(async () => { engine = await Engine.create({ poolSize: 1, verifyModels: false, maxPixels: 50_000_000 }); });
  afterAll(async () => { await engine?.dispose(); });

  it('a blank image is an empty result, not an error', async () => {
    const r = await scanCode(engine, png());
    expect(r.codes).toEqual([]);
    expect(r).toMatchObject({ result: '', scanType: '', rawData: '', img_size: { w: 8, h: 8 } });
  });

  it('non-image bytes: HMP_ERR_IMAGE_UNSUPPORTED', async () => {
    const e = await code(scanCode(engine, Buffer.from('this is not an image at all')));
    expect(e.code).toBe('HMP_ERR_IMAGE_UNSUPPORTED');
    expect(e.message).toContain('image');
  });

  it('truncated PNG: HMP_ERR_IMAGE_CORRUPT', async () => {
    const b = png();
    const e = await code(scanCode(engine, b.subarray(0, b.length - 30)));
    expect(e.code).toBe('HMP_ERR_IMAGE_CORRUPT');
  });

  it('empty bytes: HMP_ERR_IMAGE_EMPTY', async () => {
    expect((await code(scanCode(engine, new Uint8Array(0)))).code).toBe('HMP_ERR_IMAGE_EMPTY');
  });

  it('zero width frame: HMP_ERR_ARG_RANGE naming image.width', async () => {
    const e = await code(scanCode(engine, { data: new Uint8Array(0), width: 0, height: 10, format: 'gray' }));
    expect(e.code).toBe('HMP_ERR_ARG_RANGE');
    expect(e.message).toContain('image.width');
  });

  it('huge frame: HMP_ERR_IMAGE_TOO_LARGE before any allocation', async () => {
    const e = await code(scanCode(engine, { data: new Uint8Array(16), width: 30_000, height: 30_000, format: 'gray' }));
    expect(e.code).toBe('HMP_ERR_IMAGE_TOO_LARGE');
  });

  it('frame byte length not width x height x channels: HMP_ERR_FRAME_SIZE', async () => {
    const e = await code(scanCode(engine, { data: new Uint8Array(640 * 480 * 3), width: 640, height: 480, format: 'rgba' }));
    expect(e.code).toBe('HMP_ERR_FRAME_SIZE');
    expect(e.message).toContain('image.data');
  });

  it('NV21 frame of the right size is accepted', async () => {
    const r = await scanCode(engine, { data: new Uint8Array(64 * 48 + 2 * 32 * 24).fill(128), width: 64, height: 48, format: 'nv21' });
    expect(r.codes).toEqual([]);
  });

  it('unknown format name: HMP_ERR_BARCODE_FORMAT naming options.formats[1]', async () => {
    const e = await code(scanCode(engine, png(), { formats: ['QR_CODE', 'QR_KODE'] }));
    expect(e.code).toBe('HMP_ERR_BARCODE_FORMAT');
    expect(e.message).toContain('options.formats[1]');
  });

  it('unknown scanType group: HMP_ERR_BARCODE_FORMAT', async () => {
    const e = await code(scanCode(engine, png(), { scanType: ['barcode' as never] }));
    expect(e.code).toBe('HMP_ERR_BARCODE_FORMAT');
    expect(e.message).toContain('options.scanType[0]');
  });

  it('unknown option key: HMP_ERR_OPTION_UNKNOWN', async () => {
    const e = await code(scanCode(engine, png(), { tryHarder: true } as never));
    expect(e.code).toBe('HMP_ERR_OPTION_UNKNOWN');
    expect(e.message).toContain('options.tryHarder');
  });

  it('negative budget: HMP_ERR_ARG_RANGE naming options.budgetMs', async () => {
    const e = await code(scanCode(engine, png(), { budgetMs: -1 }));
    expect(e.code).toBe('HMP_ERR_ARG_RANGE');
    expect(e.message).toContain('options.budgetMs');
  });

  it('region of interest past the edge: HMP_ERR_ARG_RANGE naming options.roi.width', async () => {
    const e = await code(scanCode(engine, png(), { roi: { x: 0.5, y: 0, width: 0.6, height: 1 } }));
    expect(e.code).toBe('HMP_ERR_ARG_RANGE');
    expect(e.message).toContain('options.roi.width');
  });
});
