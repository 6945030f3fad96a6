/**
 * Scene monitor benchmarks: one frame's features + classifier at 320x240 (the work a worker
 * does per frame after decoding), WASM kernels against the TypeScript reference, still and
 * streaming (stream features and tamper measures included).
 *
 * Input: a real fire frame of ../shared/eval/scene when present, else the committed gradient
 * fixture, resampled to 320x240 RGBA once in setup. Single-threaded on the calling thread
 * (the same code a worker runs), so frames/s per core = 1000 / p50.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchDef } from './types.js';
import { Engine } from '../src/engine/engine.js';
import { getSceneKernels, type WasmSceneKernels } from '../src/runtime/scene-kernels.js';
import { analyzeFrame, newScratch, refSceneKernels, type Scratch } from '../src/tasks/scene/analyze.js';
import { toAnalysisRgba } from '../src/tasks/scene/features.js';
import { loadSceneModel, type SceneModel } from '../src/tasks/scene/model.js';
import { defaultModelsDir } from '../src/runtime/models.js';
import { newStreamState, type StreamState } from '../src/tasks/scene/stream.js';
import { createSceneSession, type SceneSession } from '../src/tasks/scene/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIRE = join(ROOT, '..', 'shared', 'eval', 'scene', 'cctv-fire-smoke', 'fire', 'fire2_mp4-28_jpg.rf.27cad783f34b8f9f162d91a0c5776350.jpg');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'kernels-gradient-64x48.png');
const W = 320, H = 240;

let frames: Uint8Array[] = [];
let model: SceneModel;
let wasm: WasmSceneKernels;
let scratch: Scratch;
let state: StreamState;
let i = 0;

async function setup(): Promise<void> {
  if (frames.length) return;
  const engine = await Engine.create({ poolSize: 1, verifyModels: false });
  try {
    const img = await engine.decode(readFileSync(existsSync(FIRE) ? FIRE : FIXTURE));
    const base = toAnalysisRgba(img.data, img.width, img.height, img.format, W, H);
    // Two frames that differ (a shifted copy), so the stream path sees motion every frame.
    const shifted = new Uint8Array(base.length);
    shifted.set(base.subarray(W * 4 * 2), 0);
    frames = [base, shifted];
  } finally {
    await engine.dispose();
  }
  model = loadSceneModel(defaultModelsDir());
  wasm = await getSceneKernels();
  scratch = newScratch(W, H, 48);
  state = newStreamState(W, H, model.file.spec.grid);
}

// The worker path: a session on a one-worker engine; each iteration pushes a fresh copy of a
// 320x240 RGBA frame (a camera hands over a new buffer every frame) and waits for the result.
let wEngine: Engine | null = null;
let wSession: SceneSession | null = null;
let wT = 0;

async function setupWorker(): Promise<void> {
  await setup();
  if (wSession) return;
  wEngine = await Engine.create({ poolSize: 1, verifyModels: false });
  // Snapshots off: with alarm evidence building they add a 3-5 ms JPEG encode to at most two
  // frames per second (docs/scene.md); this measures the per-frame path every frame pays.
  wSession = await createSceneSession(wEngine, { id: 'bench', snapshot: false });
}

async function teardownWorker(): Promise<void> {
  await wSession?.close();
  await wEngine?.dispose();
  wSession = null;
  wEngine = null;
}

export const benchmarks: BenchDef[] = [
  {
    name: 'scene.frame.worker', group: 'scene', setup: setupWorker, teardown: teardownWorker,
    fn: () => wSession!.push({ data: frames[i++ & 1].slice(), width: W, height: H, format: 'rgba' }, { timestamp: (wT += 200) }),
  },
  {
    name: 'scene.frame.stream.wasm', group: 'scene', gate: true, setup,
    fn: () => analyzeFrame(wasm, model, frames[i++ & 1], W, H, state, 200, scratch),
  },
  {
    name: 'scene.frame.still.wasm', group: 'scene', gate: true, setup,
    fn: () => analyzeFrame(wasm, model, frames[0], W, H, null, 0, scratch),
  },
  {
    name: 'scene.frame.still.ts', group: 'scene', gate: true, setup,
    fn: () => analyzeFrame(refSceneKernels, model, frames[0], W, H, null, 0, scratch),
  },
  {
    name: 'scene.kernel.blocksums.wasm', group: 'scene', setup,
    fn: () => wasm.blockSums(frames[0], W, H, 8, 6, scratch.sums, scratch.thumb),
  },
  {
    name: 'scene.kernel.blocksums.ts', group: 'scene', setup,
    fn: () => refSceneKernels.blockSums(frames[0], W, H, 8, 6, scratch.sums, scratch.thumb),
  },
];

/** `node dist/bench/scene.js`: p50/p95 per benchmark and frames/s per core, as JSON. */
async function main(): Promise<void> {
  await setup();
  const out: Record<string, unknown> = {};
  for (const b of benchmarks) {
    for (let k = 0; k < 200; k++) await b.fn();
    const t: number[] = [];
    for (let k = 0; k < 2000; k++) {
      const t0 = performance.now();
      await b.fn();
      t.push(performance.now() - t0);
    }
    t.sort((a, c) => a - c);
    const p = (q: number) => Math.round(t[Math.floor(q * (t.length - 1))] * 1e4) / 1e4;
    out[b.name] = { p50Ms: p(0.5), p95Ms: p(0.95), p99Ms: p(0.99), framesPerSecPerCore: Math.round(1000 / p(0.5)) };
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
