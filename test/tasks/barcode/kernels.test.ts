// The ladder's pure pieces: GS1 HRI formatting, exact rotations, resampling, format names.
import { describe, expect, it } from 'vitest';
import { gs1Hri } from '../../../dist/src/tasks/barcode/gs1.js';
import { rotate90, resize, rotateAny, sharpen, normalizeLocal, toGray } from '../../../dist/src/tasks/barcode/image.js';
import { FORMAT_NAMES, readerFormats, formatInfo } from '../../../dist/src/tasks/barcode/formats.js';

describe('barcode kernels', () => {
  it('gs1Hri formats fixed and variable AIs like ZXing', () => {
    expect(gs1Hri('0190012345678908\u001d3922795')).toBe('(01)90012345678908(3922)795');
    expect(gs1Hri('01988987654321061599123131030017501012A\u001d422123\u001d21123456')).toBe('(01)98898765432106(15)991231(3103)001750(10)12A(422)123(21)123456');
    expect(gs1Hri('not gs1')).toBeUndefined();
  });

  it('rotate90 four times is the identity and 90 moves the top-left pixel to the top-right', () => {
    const g = { data: Uint8Array.from({ length: 12 }, (_, i) => i), width: 4, height: 3 };
    const r = rotate90(g, 90);
    expect([r.width, r.height]).toEqual([3, 4]);
    expect(r.data[2]).toBe(0); // (0,0) -> (h-1, 0)
    const back = rotate90(rotate90(rotate90(r, 90), 90), 90);
    expect([...back.data]).toEqual([...g.data]);
    expect([...rotate90(rotate90(g, 180), 180).data]).toEqual([...g.data]);
  });

  it('resize, rotateAny, sharpen and normalizeLocal keep sizes and a flat image flat', () => {
    const flat = { data: new Uint8Array(40 * 30).fill(100), width: 40, height: 30 };
    const up = resize(flat, 2);
    expect([up.width, up.height]).toEqual([80, 60]);
    expect(up.data.every((v) => v === 100)).toBe(true);
    expect(sharpen(flat, 2, 1.5).data.every((v) => v === 100)).toBe(true);
    expect(normalizeLocal(flat, 4).data.every((v) => v === 128)).toBe(true);
    const { image, toSource } = rotateAny(flat, 30);
    expect(image.width).toBeGreaterThan(40);
    const c = toSource(image.width / 2, image.height / 2);
    expect(c.x).toBeCloseTo(20, 5);
    expect(c.y).toBeCloseTo(15, 5);
  });

  it('toGray uses zxing-wasm luminance weights and NV21 is a zero-copy view of Y', () => {
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
    expect([...toGray(rgba, 4, 1, 'rgba').data]).toEqual([(306 * 255 + 512) >> 10, (601 * 255 + 512) >> 10, (117 * 255 + 512) >> 10, 255]);
    // Fully transparent pixels are white, as in ZXing's BufferedImageLuminanceSource.
    expect([...toGray(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1]), 2, 1, 'rgba').data]).toEqual([255, 0]);
    const nv21 = new Uint8Array(4 * 2 + 4).fill(7);
    expect(toGray(nv21, 4, 2, 'nv21').data.buffer).toBe(nv21.buffer);
  });

  it('accepts zxing-cpp names, WeChat names and groups; UPC-A is read through EAN-13', () => {
    for (const n of ['QRCode', 'QR_CODE', 'EAN_13', 'UPC_A', 'barCode', 'qrCode', 'datamatrix', 'pdf417', 'RSS_EXPANDED']) expect(FORMAT_NAMES).toContain(n);
    expect(readerFormats(['UPC_A'])).toEqual(expect.arrayContaining(['UPCA', 'EAN13']));
    expect(formatInfo('DataBarExp').scanType).toBe('RSS_EXPANDED');
  });
});
