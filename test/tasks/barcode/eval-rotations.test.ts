// `hmp eval barcode` scores every rotation expectations.json lists, in one pass over each
// folder's decoded images (a per-folder sample here; the whole suite runs in the command).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../dist/src/index.js';
import { runBarcodeEval } from '../../../dist/src/cli/commands/eval-barcode.js';
import { evalDir, hasEval, skipMsg } from './helpers.js';

describe.skipIf(!hasEval)(`eval at all rotations (${hasEval ? 'eval data' : skipMsg})`, () => {
  let engine: Engine;
  beforeAll(async () => { engine = await Engine.create({ poolSize: 2, verifyModels: false }); });
  afterAll(async () => { await engine?.dispose(); });

  it('inverted (4 rotations) and code93-1 (0 and 180) meet tryHarderPass with the baseline alongside', async () => {
    const rep = await runBarcodeEval({ data: evalDir, rotations: [0, 90, 180, 270], folders: ['inverted', 'code93-1'], baseline: true, scan: {}, engine });
    expect(rep.rows.map((r) => `${r.folder}@${r.rotation}`)).toEqual(['code93-1@0', 'code93-1@180', 'inverted@0', 'inverted@90', 'inverted@180', 'inverted@270']);
    for (const r of rep.rows) {
      expect(r.met, `${r.folder}@${r.rotation}`).toBe(true);
      expect(r.hmp.images).toBe(r.images);
      expect(r.baseline?.images).toBe(r.images);
      expect(r.hmp.misreads).toBe(0);
    }
  });
});
