// Codes rotated by 90/180/270 degrees (exact, as ZXing's black-box tests rotate) still decode,
// and corner positions come back in the frame's own coordinates.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, scanCode } from '../../../dist/src/index.js';
import { hasEval, skipMsg, zxingDir } from './helpers.js';

async function grayFrame(file: string, angle: number) {
  const { data, info } = await sharp(file).rotate(angle).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, format: 'gray' as const };
}

describe.skipIf(!hasEval)(`rotation handling (${hasEval ? 'eval data' : skipMsg})`, () => {
  let engine: Engine;
  beforeAll(async () => { engine = await Engine.create({ poolSize: 2, verifyModels: false }); });
  afterAll(async () => { await engine?.dispose(); });

  for (const [folder, stem, scanType] of [['qrcode-2', '1', 'QR_CODE'], ['datamatrix-1', 'GUID', 'DATA_MATRIX'], ['ean13-1', '1', 'EAN_13']] as const) {
    it.each([0, 90, 180, 270])(`${folder}/${stem} rotated %i° decodes`, async (angle) => {
      const file = join(zxingDir, folder, `${stem}.png`);
      const expected = await readFile(join(zxingDir, folder, `${stem}.txt`), 'utf8');
      const frame = await grayFrame(file, angle);
      const { width, height } = frame;
      const r = await scanCode(engine, frame);
      const hit = r.codes.find((c) => c.scanType === scanType && c.text === expected);
      expect(hit, JSON.stringify(r.codes.map((c) => [c.scanType, c.text]))).toBeDefined();
      for (const p of Object.values(hit!.position)) {
        expect(p.x).toBeGreaterThanOrEqual(-2);
        expect(p.x).toBeLessThanOrEqual(width + 2);
        expect(p.y).toBeGreaterThanOrEqual(-2);
        expect(p.y).toBeLessThanOrEqual(height + 2);
      }
    });
  }

  it('a region of interest limits the search and positions stay in frame coordinates', async () => {
    const file = join(zxingDir, 'multi-1', '1.png');
    const frame = await grayFrame(file, 0);
    const all = await scanCode(engine, { ...frame, data: new Uint8Array(frame.data) });
    const qr = all.codes.find((c) => c.scanType === 'QR_CODE')!;
    const xs = Object.values(qr.position).map((p) => p.x), ys = Object.values(qr.position).map((p) => p.y);
    const pad = 20;
    const roi = {
      x: Math.max(0, Math.min(...xs) - pad) / frame.width,
      y: Math.max(0, Math.min(...ys) - pad) / frame.height,
      width: 0,
      height: 0,
    };
    roi.width = Math.min(1 - roi.x, (Math.max(...xs) - Math.min(...xs) + 2 * pad) / frame.width);
    roi.height = Math.min(1 - roi.y, (Math.max(...ys) - Math.min(...ys) + 2 * pad) / frame.height);
    const r = await scanCode(engine, frame, { roi });
    expect(r.codes.map((c) => c.scanType)).toEqual(['QR_CODE']);
    expect(Math.abs(r.codes[0]!.position.topLeft.x - qr.position.topLeft.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(r.codes[0]!.position.topLeft.y - qr.position.topLeft.y)).toBeLessThanOrEqual(2);
  });
});
