import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../dist/src/index.js';
import { getSceneKernels } from '../../../dist/src/runtime/scene-kernels.js';
import { loadSceneDataset } from '../../../dist/src/tasks/scene/dataset.js';
import { loadSceneModel } from '../../../dist/src/tasks/scene/model.js';
import { loadAnalysisFrame } from '../../../dist/src/tasks/scene/train.js';
import { noisy, replay } from '../../../dist/src/tasks/scene/evaluate.js';
import { boxBlur, coverBlob, saturate, shiftView } from '../../../dist/src/tasks/scene/augment.js';
import { EVAL } from '../../helpers.js';

const DIR = join(EVAL, 'scene');

describe.skipIf(!existsSync(DIR))('tamper on sequences synthesised from real frames (needs ../shared/eval/scene)', () => {
  let engine: Engine;
  const frames: Uint8Array[] = [];
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1 });
    const normals = loadSceneDataset(DIR).filter((s) => !s.fire && !s.smoke).slice(0, 3);
    for (const n of normals) frames.push(await loadAnalysisFrame(engine, n.path, 320, 240));
  });
  afterAll(() => engine.dispose());

  const W = 320, H = 240;
  const cases: [string, (f: Uint8Array) => Uint8Array][] = [
    ['tamper.covered', (f) => coverBlob(f, W, H, 0.5, 0.5, 0.62, 0.7, 3)],
    ['tamper.blinded', (f) => saturate(f)],
    ['tamper.defocused', (f) => boxBlur(f, W, H, 4, 3)],
    ['tamper.moved', (f) => shiftView(f, W, H, 32, 8)],
  ];
  for (const [kind, make] of cases) {
    it(`${kind} is raised within 2 s of the onset, and nothing else`, async () => {
      const model = loadSceneModel(engine.modelsDir);
      const k = await getSceneKernels();
      for (const f of frames) {
        const t = make(f);
        const seq = Array.from({ length: 40 }, (_, i) => noisy(i < 20 ? f : t, i + 1));
        const { raised } = replay(k, model, seq, 5);
        expect(raised[kind as keyof typeof raised], JSON.stringify(raised)).toBeGreaterThanOrEqual(4);
        expect(raised[kind as keyof typeof raised]!).toBeLessThanOrEqual(6);
        expect(Object.keys(raised).filter((x) => x !== kind)).toEqual([]);
      }
    });
  }

  it('the untouched still sequences raise nothing', async () => {
    const model = loadSceneModel(engine.modelsDir);
    const k = await getSceneKernels();
    for (const f of frames) {
      const { raised } = replay(k, model, Array.from({ length: 40 }, (_, i) => noisy(f, i + 1)), 5);
      expect(raised).toEqual({});
    }
  });
});
