import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getAudioKernels } from '../../../dist/src/runtime/audio-kernels.js';
import { defaultModelsDir } from '../../../dist/src/runtime/models.js';
import { loadVoiceModels } from '../../../dist/src/tasks/voice/models.js';
import { clipEmbeddings, newStreamState, processChunk } from '../../../dist/src/tasks/voice/pipeline.js';
import { parseWav } from '../../../dist/src/tasks/voice/wav.js';
import { ROOT } from '../../helpers.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'voice', 'stop-en-16k.wav');

describe('streaming features equal the offline features training uses', () => {
  it('embeddings of a stream cut into uneven chunks match clipEmbeddings of the whole file', async () => {
    const models = await loadVoiceModels(defaultModelsDir());
    const k = await getAudioKernels();
    const { pcm } = parseWav(readFileSync(FIXTURE));
    const x = Float32Array.from(new Int16Array(new Uint8Array(pcm).buffer));
    const off = await clipEmbeddings(models, x);
    expect(off.n).toBe(Math.floor(x.length / 1280) - 9);
    const st = newStreamState(16000);
    const sizes = [2 * 700, 2 * 1280, 2 * 3001, 2 * 160, 2 * 9000];
    let vadFrames = 0;
    for (let at = 0, i = 0; at < pcm.length; i++) {
      const n = Math.min(sizes[i % sizes.length]!, pcm.length - at);
      const f = await processChunk(k, models, st, pcm.subarray(at, at + n));
      vadFrames += f.vad.length;
      at += n;
    }
    expect(vadFrames).toBe(Math.floor(x.length / 512));
    // The stream keeps the last 16 embeddings: they must be the offline ones, bit for bit.
    expect(st.embCount).toBe(16);
    const tail = off.emb.subarray((off.n - 16) * 96, off.n * 96);
    expect(Array.from(st.embRing)).toEqual(Array.from(tail));
  });
});
