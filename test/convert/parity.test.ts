/**
 * Parity: every TF.js graph model hmp converts, run by @tensorflow/tfjs (wasm backend) from the
 * pinned source package and by onnxruntime-node from the committed models/ file, on the same
 * inputs — one seeded random batch and real face crops — must agree on every output within
 * 1e-4 absolute (or the per-model relative bound justified in bench/models-reference.ts).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as R from '../../dist/bench/models-reference.js';
import { createSessionFromFile, ort } from '../../dist/src/runtime/onnx.js';

const models = R.convertedModels();
const faces = R.faceFiles(2);

type Tf = Awaited<ReturnType<typeof R.loadTf>>;
let tf: Tf;
beforeAll(async () => {
  tf = await R.loadTf('wasm');
});

async function check(name: string, make: (spec: Parameters<typeof R.randomInput>[0], batch: number) => Promise<{ data: Float32Array; shape: number[] }>) {
  const { source, entry } = models.find((m) => m.entry.name === name)!;
  const spec = entry.inputs[0]!;
  const batch = typeof spec.shape[0] === 'number' ? spec.shape[0] : 2;
  const input = await make(spec, batch);
  const ref = await R.loadTfjsModel(tf, R.sourceFile(source), R.tfjsOutputTensors(source, entry));
  const session = await createSessionFromFile(join(R.MODELS_DIR, entry.file));
  try {
    const want = await ref.run(input.data, input.shape);
    const got = await session.run({ [spec.name]: new ort.Tensor('float32', input.data, input.shape) });
    expect(want.length).toBe(entry.outputs.length);
    entry.outputs.forEach((o, i) => {
      const g = got[o.name]!;
      expect(g.dims[0], `${name} ${o.name} batch`).toBe(input.shape[0]);
      const c = R.compare(g.data as Float32Array, want[i]!);
      expect(c.maxAbsDiff, `${name} ${o.name}: max |onnx - tfjs| (reference max |x| ${c.refMaxAbs})`).toBeLessThanOrEqual(R.bound(name, c.refMaxAbs));
    });
  } finally {
    ref.dispose();
    await session.release();
  }
}

describe('converted models match their TF.js originals on seeded random input', () => {
  for (const { entry } of models) {
    it(entry.name, () => check(entry.name, async (spec, batch) => R.randomInput(spec, batch, 1234)));
  }
});

describe.skipIf(faces.length === 0)('converted models match their TF.js originals on real face crops (../shared/eval/faces/utkface-200; skipped without it)', () => {
  for (const { entry } of models) {
    it(entry.name, () => check(entry.name, async (spec, batch) => R.faceInput(spec, faces.slice(0, batch))));
  }
});

afterAll(() => {
  tf?.disposeVariables?.();
});
