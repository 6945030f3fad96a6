import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainGbdt, packGbdt, gbdtLogit } from '../../../dist/src/tasks/scene/gbdt.js';
import { assignFolds, loadSceneDataset } from '../../../dist/src/tasks/scene/dataset.js';
import { SCENE_MODEL_FILE, loadSceneModelFrom } from '../../../dist/src/tasks/scene/model.js';
import { TEST_FOLD, FOLDS } from '../../../dist/src/tasks/scene/train.js';
import { EVAL, ROOT } from '../../helpers.js';

function problem(n: number, d: number) {
  const X = new Float32Array(n * d), y = new Uint8Array(n), w = new Float32Array(n).fill(1);
  let s = 7;
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < d; f++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; X[i * d + f] = (s >>> 8) / 2 ** 24; }
    y[i] = X[i * d] + 0.5 * X[i * d + 1] > 0.8 ? 1 : 0;
  }
  return { X, y, w };
}

describe('the scene trainer is deterministic and learns', () => {
  it('two runs on the same data give byte-identical models that separate the classes', () => {
    const { X, y, w } = problem(2000, 6);
    const p = { trees: 30, depth: 3, learningRate: 0.2, lambda: 1, minChildHessian: 1, maxBins: 16 };
    const a = JSON.stringify(trainGbdt(X, y, w, 6, p));
    const b = JSON.stringify(trainGbdt(X, y, w, 6, p));
    expect(a).toBe(b);
    const m = packGbdt(JSON.parse(a));
    let correct = 0;
    for (let i = 0; i < 2000; i++) if ((gbdtLogit(m, X, i * 6) > 0 ? 1 : 0) === y[i]) correct++;
    expect(correct / 2000).toBeGreaterThan(0.95);
  });

  it('the committed model loads and records a split with no group on both sides', () => {
    const file = JSON.parse(readFileSync(join(ROOT, 'models', SCENE_MODEL_FILE), 'utf8'));
    loadSceneModelFrom(file, SCENE_MODEL_FILE);
    const train = new Set<string>(file.split.trainGroups);
    expect(file.split.by).toBe('source_group');
    expect(file.split.testGroups.filter((g: string) => train.has(g))).toEqual([]);
    expect(file.split.testGroups.length).toBeGreaterThan(10);
  });

  describe.skipIf(!existsSync(join(EVAL, 'scene')))('against the eval set (needs ../shared/eval/scene)', () => {
    it('the recorded split is the one assignFolds derives from labels.csv', () => {
      const file = JSON.parse(readFileSync(join(ROOT, 'models', SCENE_MODEL_FILE), 'utf8'));
      const samples = loadSceneDataset(join(EVAL, 'scene'));
      const folds = assignFolds(samples, FOLDS);
      const test = [...folds].filter(([, f]) => f === TEST_FOLD).map(([g]) => g).sort();
      expect(file.split.testGroups).toEqual(test);
      expect(file.split.trainFrames).toBe(samples.filter((s) => folds.get(s.group) !== TEST_FOLD).length);
    });
  });
});
