import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { Engine, HmpError } from '../../dist/src/index.js';

/** Our own render: a 40x30 gradient with a red square, so orientation and colour are checkable. */
async function render(): Promise<{ raw: Buffer; w: number; h: number }> {
  const w = 40, h = 30;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const o = (y * w + x) * 3;
    const red = x < 10 && y < 10;
    raw[o] = red ? 255 : x * 6; raw[o + 1] = red ? 0 : y * 8; raw[o + 2] = red ? 0 : 128;
  }
  return { raw, w, h };
}

function bmp24(raw: Buffer, w: number, h: number): Buffer {
  const stride = Math.ceil((w * 3) / 4) * 4;
  const b = Buffer.alloc(54 + stride * h);
  b.write('BM', 0); b.writeUInt32LE(b.length, 2); b.writeUInt32LE(54, 10); b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18); b.writeInt32LE(h, 22); b.writeUInt16LE(1, 26); b.writeUInt16LE(24, 28);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const s = (y * w + x) * 3, d = 54 + (h - 1 - y) * stride + x * 3;
    b[d] = raw[s + 2]!; b[d + 1] = raw[s + 1]!; b[d + 2] = raw[s]!;
  }
  return b;
}

describe('image input', () => {
  let engine: Engine;
  let src: { raw: Buffer; w: number; h: number };
  const encoded: Record<string, Buffer> = {};
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false, maxPixels: 4_000_000 });
    src = await render();
    const s = () => sharp(src.raw, { raw: { width: src.w, height: src.h, channels: 3 } });
    encoded.png = await s().png().toBuffer();
    encoded.jpeg = await s().jpeg({ quality: 95 }).toBuffer();
    encoded.webp = await s().webp({ lossless: true }).toBuffer();
    encoded.gif = await s().gif().toBuffer();
    encoded.tiff = await s().tiff({ compression: 'lzw' }).toBuffer();
    encoded.bmp = bmp24(src.raw, src.w, src.h);
  });
  afterAll(() => engine.dispose());

  it.each(['png', 'jpeg', 'webp', 'gif', 'tiff', 'bmp'])('decodes %s to RGBA with the right size and colours', async (fmt) => {
    const img = await engine.decode(Buffer.from(encoded[fmt]!));
    expect([img.width, img.height, img.format, img.data.length]).toEqual([40, 30, 'rgba', 40 * 30 * 4]);
    const tol = fmt === 'jpeg' || fmt === 'gif' ? 40 : 0;
    expect(Math.abs(img.data[(2 * 40 + 2) * 4]! - 255)).toBeLessThanOrEqual(tol); // red square
    expect(Math.abs(img.data[(20 * 40 + 30) * 4 + 1]! - 160)).toBeLessThanOrEqual(tol); // green ramp
    expect(img.data[3]).toBe(255);
  });

  it('auto-orients from EXIF', async () => {
    const rotated = await sharp(src.raw, { raw: { width: src.w, height: src.h, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const img = await engine.decode(rotated);
    expect([img.width, img.height]).toEqual([30, 40]);
  });

  it('truncated data fails as corrupt', async () => {
    const t = encoded.jpeg!.subarray(0, Math.floor(encoded.jpeg!.length / 2));
    const err = (await engine.decode(Buffer.from(t)).catch((e: unknown) => e)) as HmpError;
    expect(err.code).toBe('HMP_ERR_IMAGE_CORRUPT');
    expect(err.message).toContain('image');
  });

  it('a truncated BMP fails as corrupt', async () => {
    const err = (await engine.decode(Buffer.from(encoded.bmp!.subarray(0, 100))).catch((e: unknown) => e)) as HmpError;
    expect(err.code).toBe('HMP_ERR_IMAGE_CORRUPT');
  });

  it('non-image bytes fail as unsupported', async () => {
    const err = (await engine.decode(Buffer.from('{"not":"an image"}')).catch((e: unknown) => e)) as HmpError;
    expect(err.code).toBe('HMP_ERR_IMAGE_UNSUPPORTED');
    expect(err.status).toBe(415);
  });

  it('empty bytes fail before reaching a worker', async () => {
    const err = (await engine.decode(new Uint8Array(0)).catch((e: unknown) => e)) as HmpError;
    expect(err.code).toBe('HMP_ERR_IMAGE_EMPTY');
  });

  it('an image above the pixel limit fails without being decoded', async () => {
    // A valid PNG header claiming 30000 x 30000 pixels.
    const big = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#fff' } }).png({ compressionLevel: 9 }).toBuffer();
    const err = (await engine.decode(big).catch((e: unknown) => e)) as HmpError;
    expect(err.code).toBe('HMP_ERR_IMAGE_TOO_LARGE');
    expect(err.message).toContain('6000000');
  });

  it.each<[unknown, string, string]>([
    [{ data: new Uint8Array(100), width: 10, height: 10, format: 'rgba' }, 'HMP_ERR_FRAME_SIZE', 'image.data'],
    [{ data: new Uint8Array(149), width: 10, height: 10, format: 'nv21' }, 'HMP_ERR_FRAME_SIZE', 'needs 150 bytes'],
    [{ data: new Uint8Array(100), width: 10, height: 10, format: 'yuv' }, 'HMP_ERR_FRAME_FORMAT', 'image.format'],
    [{ data: new Uint8Array(0), width: 0, height: 10 }, 'HMP_ERR_ARG_RANGE', 'image.width'],
    [{ data: new Uint8Array(4), width: 1, height: -1 }, 'HMP_ERR_ARG_RANGE', 'image.height'],
    [{ data: new Uint8Array(4), width: 100_000, height: 1 }, 'HMP_ERR_ARG_RANGE', 'image.width'],
    [{ data: new Uint8Array(4), width: 5000, height: 5000 }, 'HMP_ERR_IMAGE_TOO_LARGE', 'image'],
    [{ data: 'abc', width: 1, height: 1 }, 'HMP_ERR_ARG_INVALID', 'image.data'],
    [{ data: new Uint8Array(4), width: 1, height: 1, stride: 4 }, 'HMP_ERR_OPTION_UNKNOWN', 'image.stride'],
    ['a string', 'HMP_ERR_ARG_INVALID', 'image'],
  ].map(([f, c, n]) => [c, n, f] as [string, string, unknown]))('fails with %s naming %s', async (code, name, frame) => {
    const err = (await engine.decode(frame as never).catch((e: unknown) => e)) as HmpError;
    expect(err).toBeInstanceOf(HmpError);
    expect(err.code).toBe(code);
    expect(err.message).toContain(name);
  });

  it('accepts well-sized NV21 frames with odd dimensions', async () => {
    const w = 5, h = 3;
    const img = await engine.decode({ data: new Uint8Array(w * h + 2 * 3 * 2), width: w, height: h, format: 'nv21' });
    expect([img.width, img.height, img.format]).toEqual([5, 3, 'nv21']);
  });

  it('a bad request leaves the engine healthy', async () => {
    await engine.decode(Buffer.from('garbage')).catch(() => undefined);
    const img = await engine.decode(Buffer.from(encoded.png!));
    expect(img.width).toBe(40);
    expect(engine.stats().workerRestarts).toBe(0);
  });
});
