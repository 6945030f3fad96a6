/**
 * hmp's immediate-run onnxruntime backend (src/runtime/ort-sync.ts): same native session and
 * outputs as onnxruntime-node's backend, no event-loop turn per run, and errors still reach the
 * caller as rejections (mapped to HMP_ERR_MODEL_RUN by runSession).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { createSessionFromFile, ort, runSession, SESSION_OPTIONS, SYNC_RUNS } from '../../dist/src/runtime/onnx.js';
import { SYNC_BACKEND } from '../../dist/src/runtime/ort-sync.js';

const MODEL = join(ROOT, 'models', 'blazeface-front.onnx');

function input(): ort.Tensor {
  // A smooth synthetic image in [-1, 1] (NCHW 1x3x128x128): deterministic, non-trivial activations.
  const x = new Float32Array(3 * 128 * 128);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.013) * Math.cos(i * 0.0007);
  return new ort.Tensor('float32', x, [1, 3, 128, 128]);
}

describe('immediate-run onnxruntime backend', () => {
  it('is what hmp sessions use, and gives the same outputs as onnxruntime-node’s backend', async () => {
    expect(SYNC_RUNS).toBe(true);
    expect(SESSION_OPTIONS.executionProviders).toEqual([SYNC_BACKEND]);
    const ours = await createSessionFromFile(MODEL);
    const theirs = await ort.InferenceSession.create(MODEL, { ...SESSION_OPTIONS, executionProviders: ['cpu'] });
    expect(ours.inputNames).toEqual(theirs.inputNames);
    expect(ours.outputNames).toEqual(theirs.outputNames);
    const a = await ours.run({ [ours.inputNames[0]!]: input() });
    const b = await theirs.run({ [theirs.inputNames[0]!]: input() });
    for (const k of theirs.outputNames) {
      expect(a[k]!.dims).toEqual(b[k]!.dims);
      expect(Array.from(a[k]!.data as Float32Array)).toEqual(Array.from(b[k]!.data as Float32Array));
    }
    await ours.release();
    await theirs.release();
  });

  it('resolves a run without waiting for an event-loop turn', async () => {
    const s = await createSessionFromFile(MODEL);
    let turned = false;
    setImmediate(() => (turned = true));
    await s.run({ [s.inputNames[0]!]: input() });
    expect(turned).toBe(false);
    await s.release();
  });

  it('accepts the frozen shared options object as is, and rejects a bad input with HMP_ERR_MODEL_RUN', async () => {
    const s = await ort.InferenceSession.create(MODEL, SESSION_OPTIONS);
    const bad = new ort.Tensor('float32', new Float32Array(3 * 64 * 64), [1, 3, 64, 64]);
    await expect(runSession('blazeface-front', s, { [s.inputNames[0]!]: bad })).rejects.toMatchObject({ code: 'HMP_ERR_MODEL_RUN' });
    await s.release();
  });
});
