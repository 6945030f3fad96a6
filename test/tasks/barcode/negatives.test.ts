// Negative images (ZXing's falsepositives folders) decode to an empty result, never an error.
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, scanCode } from '../../../dist/src/index.js';
import { hasEval, skipMsg, zxingDir } from './helpers.js';

describe.skipIf(!hasEval)(`negatives (${hasEval ? 'eval data' : skipMsg})`, () => {
  let engine: Engine;
  beforeAll(async () => { engine = await Engine.create({ poolSize: 2, verifyModels: false }); });
  afterAll(async () => { await engine?.dispose(); });

  // A sample of each negative folder (the whole folders run in `hmp eval barcode`).
  const sample = (folder: string, n: number) => (hasEval ? readdirSync(join(zxingDir, folder)).filter((f) => f.endsWith('.png')).sort().slice(0, n).map((f) => [folder, f]) : []);
  const files = [...sample('falsepositives', 6), ...sample('falsepositives-2', 6), ...sample('unsupported', 4)];

  it.each(files)('%s/%s yields no code', async (folder, file) => {
    const r = await scanCode(engine, await readFile(join(zxingDir, folder, file)));
    expect(r.codes).toEqual([]);
    expect(r.result).toBe('');
    expect(r.code_results).toEqual([]);
    expect(r.passes.slice(0, 2)).toEqual(['quick', 'fast']);
  });
});
