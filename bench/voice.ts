/**
 * Voice benchmarks: 80 ms of audio through resampling + Silero VAD v5 + openWakeWord mel +
 * embedding + the default profile's head, (a) as one `voice.chunk` task in a worker (what a
 * live session pays per 80 ms; gate), (b) in-process on the calling thread (compute only), and
 * (c) at 48 kHz input (resampling included).
 *
 * Input: a fixed 4 s signal of the committed fixture `test/fixtures/voice/stop-en-16k.wav`
 * looped, so every 80 ms chunk sees real speech or its pauses; the stream state carries over
 * between iterations exactly as in a session.
 *
 * The 1-hour memory run is a script, not a timed benchmark (it takes minutes):
 *   node dist/bench/voice.js --stream-minutes 60
 * prints {minutes, chunks, wallS, realTimeFactor, peakRssMiB, rssStartMiB, sessionBytes}.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchDef } from './types.js';
import { Engine } from '../src/engine/engine.js';
import { getAudioKernels, type WasmAudioKernels } from '../src/runtime/audio-kernels.js';
import { defaultModelsDir } from '../src/runtime/models.js';
import { createVoiceSession } from '../src/tasks/voice/index.js';
import { loadVoiceModels } from '../src/tasks/voice/models.js';
import { newStreamState, processChunk, type StreamState, type VoiceModels } from '../src/tasks/voice/pipeline.js';
import { defaultProfileDir, loadProfile } from '../src/tasks/voice/profile.js';
import { parseWav } from '../src/tasks/voice/wav.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'voice', 'stop-en-16k.wav');

/** The fixture as PCM16 bytes at `rate` (48 kHz by sample repetition ×3: content, not fidelity, matters here). */
function audio(rate: 16000 | 48000): Uint8Array {
  const { pcm } = parseWav(readFileSync(FIXTURE));
  if (rate === 16000) return new Uint8Array(pcm); // a copy (Buffer.slice would be a view)
  const x = new Int16Array(new Uint8Array(pcm).buffer);
  const y = new Int16Array(x.length * 3);
  for (let i = 0; i < y.length; i++) y[i] = x[Math.floor(i / 3)]!;
  return new Uint8Array(y.buffer);
}

/** Cuts consecutive 80 ms chunks out of a looped signal. */
function chunker(pcm: Uint8Array, rate: number): () => Uint8Array {
  const bytes = (rate * 80) / 1000 * 2;
  let at = 0;
  return () => {
    if (at + bytes > pcm.length) at = 0;
    const c = pcm.slice(at, at + bytes);
    at += bytes;
    return c;
  };
}

let engine: Engine | undefined;
let workerState: StreamState;
let workerNext: () => Uint8Array;
let headPath: string;

let models: VoiceModels;
let kernels: WasmAudioKernels;
const inproc: Record<number, { state: StreamState; next: () => Uint8Array }> = {};

async function setupInproc(rate: 16000 | 48000): Promise<void> {
  if (!models) {
    const profile = loadProfile(defaultProfileDir());
    models = await loadVoiceModels(defaultModelsDir(), profile.headPath);
    kernels = await getAudioKernels();
  }
  inproc[rate] = { state: newStreamState(rate), next: chunker(audio(rate), rate) };
  // Warm up past the first 2 s so every iteration runs the head too.
  for (let i = 0; i < 30; i++) await processChunk(kernels, models, inproc[rate]!.state, inproc[rate]!.next());
}

export const benchmarks: BenchDef[] = [
  {
    name: 'voice.chunk80ms.worker',
    group: 'voice',
    gate: true,
    async setup() {
      engine = await Engine.create({ poolSize: 1, verifyModels: false });
      headPath = loadProfile(defaultProfileDir()).headPath;
      workerState = newStreamState(16000);
      workerNext = chunker(audio(16000), 16000);
      for (let i = 0; i < 30; i++) workerState = (await engine.run<{ state: StreamState }>('voice.chunk', { pcm: workerNext(), state: workerState, headPath })).state;
    },
    async fn() {
      const pcm = workerNext();
      workerState = (await engine!.run<{ state: StreamState }>('voice.chunk', { pcm, state: workerState, headPath }, { transfer: [pcm.buffer as ArrayBuffer] })).state;
    },
    async teardown() {
      await engine?.dispose();
      engine = undefined;
    },
    timeMs: 3000,
  },
  {
    name: 'voice.chunk80ms.inproc',
    group: 'voice',
    setup: () => setupInproc(16000),
    fn: () => processChunk(kernels, models, inproc[16000]!.state, inproc[16000]!.next()),
    timeMs: 3000,
  },
  {
    name: 'voice.chunk80ms.inproc48k',
    group: 'voice',
    setup: () => setupInproc(48000),
    fn: () => processChunk(kernels, models, inproc[48000]!.state, inproc[48000]!.next()),
    timeMs: 3000,
  },
];

/** Streams `minutes` of looped audio through a session in 1 s chunks; reports memory. */
async function streamMemory(minutes: number): Promise<void> {
  const eng = await Engine.create({ poolSize: 1, verifyModels: false });
  const s = createVoiceSession(eng, { sampleRate: 16000 });
  const pcm = audio(16000);
  const second = 32000;
  const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  const rssStart = process.memoryUsage().rss;
  let peak = rssStart;
  let events = 0;
  let at = 0;
  const t0 = performance.now();
  for (let i = 0; i < minutes * 60; i++) {
    const c = new Uint8Array(second);
    for (let j = 0; j < second; j++) {
      c[j] = pcm[at]!;
      at = (at + 1) % pcm.length;
    }
    events += (await s.push(c)).length;
    if (i % 10 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  events += (await s.flush()).length;
  const wallS = (performance.now() - t0) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);
  const out = { minutes, chunks: minutes * 60, events, wallS: Math.round(wallS), realTimeFactor: Math.round((wallS / (minutes * 60)) * 10000) / 10000, rssStartMiB: mib(rssStart), peakRssMiB: mib(peak), sessionBytes: s.memoryBytes };
  await s.close();
  await eng.dispose();
  process.stdout.write(JSON.stringify(out) + '\n');
}

const i = process.argv.indexOf('--stream-minutes');
if (i > 0 && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await streamMemory(Number(process.argv[i + 1] ?? 60));
