/**
 * The streaming rewrite (src/convert/streaming.ts): the shipped `oww-embedding-stream`, run step
 * by step from a zero state on real speech, gives the windowed `oww-embedding`'s embedding for
 * every 76-frame window, and graphs the rewrite cannot handle get a coded error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { MODEL_SOURCES } from '../../dist/src/convert/sources.js';
import { sourcePath } from '../../dist/src/convert/build.js';
import { streamModel, streamTime } from '../../dist/src/convert/streaming.js';
import { decodeModel } from '../../dist/src/convert/onnx-builder.js';
import { optimizeForCpu } from '../../dist/src/convert/cpu-layout.js';
import { createSessionFromFile, ort } from '../../dist/src/runtime/onnx.js';
import { defaultModelsDir } from '../../dist/src/runtime/models.js';
import { loadVoiceModels } from '../../dist/src/tasks/voice/models.js';
import { newStreamState, runEmbeddingSteps, runMelSteps, EMB_STATE_SHAPES } from '../../dist/src/tasks/voice/pipeline.js';
import { parseWav } from '../../dist/src/tasks/voice/wav.js';

// Speech rendered by the repo's synthesis script (test/fixtures/README.md).
const FIXTURE = join(ROOT, 'test', 'fixtures', 'voice', 'stop-en-16k.wav');

describe('streaming rewrite of the openWakeWord embedding', () => {
  it('step by step from a zero state it reproduces every window of the windowed model', async () => {
    const models = await loadVoiceModels(defaultModelsDir());
    const windowed = await createSessionFromFile(join(ROOT, 'models', 'oww-embedding.onnx'));
    expect(models.emb.inputNames).toEqual(['input_1', 'state0', 'state1', 'state2']);
    const { pcm } = parseWav(readFileSync(FIXTURE));
    const x = Float32Array.from(new Int16Array(new Uint8Array(pcm).buffer));
    const steps = Math.floor(x.length / 1280);
    const buf = new Float32Array(480 + steps * 1280);
    buf.set(x.subarray(0, steps * 1280), 480);
    const mel = await runMelSteps(models, buf, steps);

    // The pipeline's own step loop, from a fresh stream's zero state.
    const streamed = await runEmbeddingSteps(models, newStreamState(16000), mel, steps);
    expect(streamed.n).toBe(steps - 9);
    expect(streamed.n).toBeGreaterThan(20);
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < streamed.n; i++) {
      // Embedding i belongs to step 10 + i: the windowed model over the 76 frames ending there.
      const end = (10 + i) * 8;
      const w = await windowed.run({ input_1: new ort.Tensor('float32', mel.slice((end - 76) * 32, end * 32), [1, 76, 32, 1]) });
      const a = w.conv2d_19!.data as Float32Array;
      for (let j = 0; j < 96; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[j]! - streamed.emb[i * 96 + j]!));
        maxAbs = Math.max(maxAbs, Math.abs(a[j]!));
      }
    }
    expect(maxAbs).toBeGreaterThan(10);
    // Same kernels on the same columns: equal to float rounding (bit-identical on the dev box).
    expect(maxDiff).toBeLessThanOrEqual(1e-5 * maxAbs);
    await windowed.release();
  });

  it('records the rewrite and its state shapes for the embedding source', () => {
    const source = MODEL_SOURCES.find((s) => s.name === 'oww-embedding-stream')!;
    expect(source.streaming).toEqual({ hop: 8 });
    const m = decodeModel(optimizeForCpu(new Uint8Array(readFileSync(sourcePath(ROOT, source))), source.cpuLayout!));
    const plan = streamTime(m, 8);
    expect(plan.frames).toBe(12);
    expect(plan.states.map((s) => [s.channels, s.time, s.width])).toEqual(EMB_STATE_SHAPES.map((d) => d.slice(1)));
  });

  it('a hop that is not the model\'s time stride and a graph outside the supported chain fail with a coded error', () => {
    const emb = MODEL_SOURCES.find((s) => s.name === 'oww-embedding')!;
    const bytes = optimizeForCpu(new Uint8Array(readFileSync(sourcePath(ROOT, emb))), emb.cpuLayout!);
    expect(() => streamModel(bytes, { hop: 4 })).toThrow(expect.objectContaining({ code: 'HMP_ERR_CONVERT_LAYOUT', message: expect.stringMatching(/time stride is 8, not the hop 4/) }));
    const blaze = MODEL_SOURCES.find((s) => s.name === 'blazeface-front')!;
    expect(() => streamModel(new Uint8Array(readFileSync(sourcePath(ROOT, blaze))), { hop: 8 })).toThrow(expect.objectContaining({ code: 'HMP_ERR_CONVERT_LAYOUT' }));
  });
});
