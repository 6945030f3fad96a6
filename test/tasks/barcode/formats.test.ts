// Each format family decodes from a real image of ZXing's black-box suite, with WeChat names.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, scanCode } from '../../../dist/src/index.js';
import { hasEval, skipMsg, zxingDir } from './helpers.js';

const CASES: [folder: string, stem: string, scanType: string][] = [
  ['qrcode-2', '1', 'QR_CODE'],
  ['datamatrix-1', 'GUID', 'DATA_MATRIX'],
  ['pdf417-1', '01', 'PDF_417'],
  ['aztec-1', '7', 'AZTEC'],
  ['maxicode-1', 'MODE2', 'MAXICODE'],
  ['ean13-1', '1', 'EAN_13'],
  ['ean8-1', '1', 'EAN_8'],
  ['upca-1', '2', 'UPC_A'],
  ['upce-1', '1', 'UPC_E'],
  ['code128-1', '1', 'CODE_128'],
  ['code39-1', '1', 'CODE_39'],
  ['code93-1', '1', 'CODE_93'],
  ['codabar-1', '01', 'CODABAR'],
  ['itf-1', '1', 'ITF'],
  ['rss14-1', '1', 'RSS_14'],
  ['rssexpanded-1', '1', 'RSS_EXPANDED'],
];

describe.skipIf(!hasEval)(`scanCode: one real image per format family (${hasEval ? 'eval data' : skipMsg})`, () => {
  let engine: Engine;
  beforeAll(async () => { engine = await Engine.create({ poolSize: 2, verifyModels: false }); });
  afterAll(async () => { await engine?.dispose(); });

  it.each(CASES)('%s/%s decodes as %s with the expected text', async (folder, stem, scanType) => {
    const bytes = await readFile(join(zxingDir, folder, `${stem}.png`));
    const expected = await readFile(join(zxingDir, folder, `${stem}.txt`), 'utf8');
    const r = await scanCode(engine, bytes);
    const hit = r.codes.find((c) => c.scanType === scanType && c.text === expected);
    expect(hit, JSON.stringify(r.codes.map((c) => [c.scanType, c.text]))).toBeDefined();
    // wx.scanCode fields describe the first code; base64 rawData round-trips to the bytes.
    expect(r.scanType).toBe(r.codes[0]!.scanType);
    expect(r.result).toBe(r.codes[0]!.text);
    expect(r.rawData).toBe(r.codes[0]!.bytes);
    expect(r.code_results[0]!.type_name).toBe(r.codes[0]!.scanType);
    expect(r.img_size.w).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('finds both codes of multi-1 (UPC-A and QR)', async () => {
    const r = await scanCode(engine, await readFile(join(zxingDir, 'multi-1', '1.png')));
    expect(r.codes.map((c) => `${c.scanType}:${c.text}`).sort()).toEqual(['QR_CODE:www.airtable.com/jobs', 'UPC_A:031415926531']);
  });

  it('restricts formats: a QR-only call on multi-1 returns only the QR code', async () => {
    const r = await scanCode(engine, await readFile(join(zxingDir, 'multi-1', '1.png')), { formats: ['QR_CODE'] });
    expect(r.codes.map((c) => c.scanType)).toEqual(['QR_CODE']);
  });
});
