// The ladder rescues what the fast pass misses, confirms weak 1D reads across passes and
// never lets a lone weak read through; the budget bounds which passes run.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, scanCode } from '../../../dist/src/index.js';
import { PASSES } from '../../../dist/src/tasks/barcode/ladder.js';
import { hasEval, skipMsg, zxingDir } from './helpers.js';

describe.skipIf(!hasEval)(`robustness ladder (${hasEval ? 'eval data' : skipMsg})`, () => {
  let engine: Engine;
  beforeAll(async () => { engine = await Engine.create({ poolSize: 1, verifyModels: false }); });
  afterAll(async () => { await engine?.dispose(); });
  // A generous budget: these tests are about which reads are accepted, not about time.
  const opts = { budgetMs: 20_000 };

  it('upce-3/04: a blurred UPC-E only local normalisation reads is returned once three binarisers agree', async () => {
    const r = await scanCode(engine, await readFile(join(zxingDir, 'upce-3', '04.png')), opts);
    const c = r.codes.find((x) => x.scanType === 'UPC_E');
    expect(c?.text).toBe('04965802');
    expect(r.passes.slice(0, 2)).toEqual(['quick', 'fast']);
    expect(c?.pass).toMatch(/^normalize/);
    expect(c?.confirmedBy).toMatch(/^normalize/);
  });

  it('upca-2/48: a rival misread on the same bars (EAN-13 1077778003259) is never returned', async () => {
    const r = await scanCode(engine, await readFile(join(zxingDir, 'upca-2', '48.png')), opts);
    expect(r.codes.map((c) => c.text)).not.toContain('1077778003259');
    expect(r.codes.map((c) => `${c.scanType} ${c.text}`)).toEqual(['UPC_A 075720003259']);
  });

  it('budgetMs 0 runs the quick and fast passes only; a negative image runs every pass with room to spare', async () => {
    const file = join(zxingDir, 'falsepositives', '01.png');
    // scanCode transfers the bytes to the worker: read them once per call.
    expect((await scanCode(engine, await readFile(file), { budgetMs: 0 })).passes).toEqual(['quick', 'fast']);
    const all = await scanCode(engine, await readFile(file), opts);
    expect(all.codes).toEqual([]);
    const applicable = PASSES.map((p) => p.name);
    expect(all.passes.every((p) => applicable.includes(p))).toBe(true);
    expect(all.passes.length).toBeGreaterThan(4);
  });
});
