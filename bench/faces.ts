/**
 * Face pipeline benchmarks, on the calling thread (the code a worker runs), one ORT thread:
 *  - detection on a 640x480 frame with the default plan (`detector: 'both'`: FaceBoxes at the
 *    `minFaceSize` 32 scale, BlazeFace back full pass + tiles, BlazeFace front keypoint runs for
 *    FaceBoxes-only faces), against the raw ORT time of the same model runs (gated ratio); the
 *    BlazeFace-only and FaceBoxes-only plans likewise (BlazeFace's ratio gated as before): the
 *    budgets keep pre/post-processing (WASM resize/normalise, decoding, weighted NMS) under 30%
 *    of inference;
 *  - detection on a 1280x720 frame with small-face tiling (reported and budgeted);
 *  - attributes of one new face with the default options (aligned crop + mirrored crop through
 *    the face-api age-gender net as one batch of 2, and the 64-px emotion net) against the raw
 *    ORT time of those two runs;
 *  - the 128-d descriptor of one face (not gated), against its raw ORT run.
 *
 * Frames: a WIDER val photo (../shared/eval) resampled to the frame size, with UTKFace crops
 * pasted in for the 720p composite; without ../shared, a grey frame (same work for
 * detection: every window runs, whatever it contains) and a synthetic face geometry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchDef } from './types.js';
import { loadRgb } from '../src/runtime/face-images.js';
import { createSessionFromFile, ort } from '../src/runtime/onnx.js';
import { defaultModelsDir, findModel } from '../src/runtime/models.js';
import { getKernels, type Kernels } from '../src/runtime/wasm.js';
import { ATTRIBUTE_MODELS, attributeInput, predictAgeGender, predictAttributes } from '../src/tasks/face/attributes.js';
import { computeDescriptor, DESCRIPTOR_MODELS } from '../src/tasks/face/descriptor.js';
import { detectBlazeface, planWindows, windowTensor, type ModelRunner, type RawDetection, type RgbImage } from '../src/tasks/face/detect.js';
import { detectCandidates, type FaceConfig } from '../src/tasks/face/worker.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FACES = join(ROOT, '..', 'shared', 'eval', 'faces');
const WIDER_IMG = join(FACES, 'wider-val-416', 'images', '0_Parade_Parade_0_102.jpg');
const UTK = join(FACES, 'utkface-200');

const sessions = new Map<string, ort.InferenceSession>();
let k: Kernels;
let frame640: RgbImage;
let frame720: RgbImage;
let face: RawDetection;
let faceImg: RgbImage;
let detectorInputs640: Float32Array[] = [];
let attrInputs: { model: string; data: Float32Array; dims: number[] }[] = [];
type RawRun = { model: string; data: Float32Array; dims: number[] };
/** Raw model runs of the FaceBoxes plan on the 640x480 frame: the FaceBoxes run, then the BlazeFace-front keypoint runs. */
let faceboxesInputs640: RawRun[] = [];
/** Raw model runs of the default plan (`both`): FaceBoxes, the BlazeFace windows, the keypoint runs. */
let bothInputs640: RawRun[] = [];

/** Records the model runs `detectCandidates` makes on the 640x480 frame, with copies of their inputs. */
async function rawRuns(config: FaceConfig): Promise<RawRun[]> {
  const out: RawRun[] = [];
  const rec: ModelRunner = async (name, input, dims) => {
    out.push({ model: name, data: input.slice(), dims: [...dims] });
    return run(name, input, dims);
  };
  await detectCandidates(k, rec, frame640, config);
  return out;
}
const FB_CONFIG: FaceConfig = {
  detector: 'faceboxes', faceboxesSize: 0, minScore: 0.5, iouThreshold: 0.3, maxFaces: 50, minFaceSize: 32,
  attributes: 'none', emotion: false, antispoof: false, descriptor: false,
};
const SETTINGS = { minScore: 0.5, iouThreshold: 0.3, maxFaces: 50, minFaceSize: 32 };

const run: ModelRunner = async (name, input, dims) => {
  const s = sessions.get(name)!;
  const out = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', input, [...dims]) });
  const r: Record<string, Float32Array> = {};
  for (const [n, v] of Object.entries(out)) r[n] = v.data as Float32Array;
  return r;
};

function grey(w: number, h: number): RgbImage {
  return { data: new Uint8Array(w * h * 3).fill(128), width: w, height: h, channels: 3 };
}

async function setup(): Promise<void> {
  if (k) return;
  k = await getKernels();
  for (const m of ['blazeface-back', 'blazeface-front', 'faceboxes', 'faceapi-age-gender', 'emotion', 'faceapi-recognition']) sessions.set(m, await createSessionFromFile(findModel(defaultModelsDir(), m).path));
  const hasEval = existsSync(WIDER_IMG) && existsSync(UTK);
  if (hasEval) {
    const f = await loadRgb(WIDER_IMG, { resize: { width: 640, height: 480 } });
    frame640 = { data: f.data, width: f.width, height: f.height, channels: 3 };
    // 720p composite: the WIDER scene with four UTKFace crops of 40-160 px pasted in.
    const bg = await loadRgb(WIDER_IMG, { resize: { width: 1280, height: 720 } });
    const files = readFileSync(join(UTK, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1, 5).map((l) => l.split(',')[0]!);
    const sizes = [160, 96, 64, 40];
    for (let i = 0; i < files.length; i++) {
      const s = sizes[i]!;
      const c = await loadRgb(join(UTK, 'images', files[i]!), { resize: { width: s, height: s } });
      const x0 = 100 + i * 280;
      const y0 = 420;
      for (let r = 0; r < s; r++) bg.data.set(c.data.subarray(r * s * 3, (r + 1) * s * 3), ((y0 + r) * 1280 + x0) * 3);
    }
    frame720 = { data: bg.data, width: 1280, height: 720, channels: 3 };
    const crop = await loadRgb(join(UTK, 'images', files[0]!), { pad: 100 });
    faceImg = { data: crop.data, width: crop.width, height: crop.height, channels: 3 };
    const dets = await detectBlazeface(k, run, 'blazeface-back', faceImg, { ...SETTINGS, minFaceSize: 0 });
    face = dets[0]!;
  } else {
    frame640 = grey(640, 480);
    frame720 = grey(1280, 720);
    faceImg = grey(400, 400);
    face = { x1: 140, y1: 140, x2: 260, y2: 260, score: 1, keypoints: [175, 180, 225, 180, 200, 210, 200, 235, 150, 190, 250, 190] };
  }
  detectorInputs640 = planWindows(640, 480, SETTINGS.minFaceSize).map((w) => windowTensor(k, frame640, w).tensor.slice());
  faceboxesInputs640 = await rawRuns(FB_CONFIG);
  bothInputs640 = await rawRuns({ ...FB_CONFIG, detector: 'both' });
  const m = ATTRIBUTE_MODELS['faceapi-age-gender']!;
  const a = attributeInput(k, faceImg, face, m);
  const b = attributeInput(k, faceImg, face, m, m.scale, true);
  const e = attributeInput(k, faceImg, face, ATTRIBUTE_MODELS.emotion!);
  const dm = DESCRIPTOR_MODELS['faceapi-recognition']!;
  const crop = k.warpAffine(faceImg.data, faceImg.width, faceImg.height, faceImg.channels, [1, 0, 0, 0, 1, 0], dm.size, dm.size);
  attrInputs = [
    { model: 'faceapi-age-gender', data: a.data, dims: a.dims },
    { model: 'faceapi-age-gender', data: b.data, dims: b.dims },
    { model: 'emotion', data: e.data, dims: e.dims },
    { model: 'faceapi-recognition', data: k.normalize(crop, dm.size, dm.size, faceImg.channels, { layout: dm.layout, ...dm.norm }), dims: [1, 3, dm.size, dm.size] },
  ];
}

export const benchmarks: BenchDef[] = [
  {
    name: 'faces.detect640.ort', group: 'faces', gate: true, setup,
    // Raw ORT: the same detector runs (full pass + tiles) on prepared inputs.
    fn: async () => {
      for (const t of detectorInputs640) await run('blazeface-back', t, [1, 3, 256, 256]);
    },
  },
  {
    name: 'faces.detect640.pipeline', group: 'faces', gate: true, setup,
    fn: () => detectBlazeface(k, run, 'blazeface-back', frame640, SETTINGS),
  },
  {
    name: 'faces.detect640.both.ort', group: 'faces', gate: true, setup,
    // Raw ORT of the default plan (detector 'both'): FaceBoxes at 800x600 (896x640 input), the 5
    // BlazeFace back windows, and a BlazeFace front run per FaceBoxes-only face.
    fn: async () => {
      for (const t of bothInputs640) await run(t.model, t.data, t.dims);
    },
  },
  {
    name: 'faces.detect640.both.pipeline', group: 'faces', gate: true, setup,
    fn: () => detectCandidates(k, run, frame640, { ...FB_CONFIG, detector: 'both' }),
  },
  {
    name: 'faces.detect640.faceboxes.ort', group: 'faces', setup,
    fn: async () => {
      for (const t of faceboxesInputs640) await run(t.model, t.data, t.dims);
    },
  },
  {
    name: 'faces.detect640.faceboxes.pipeline', group: 'faces', setup,
    fn: () => detectCandidates(k, run, frame640, FB_CONFIG),
  },
  {
    name: 'faces.detect720.both', group: 'faces', gate: true, setup, timeMs: 3000,
    fn: () => detectCandidates(k, run, frame720, { ...FB_CONFIG, detector: 'both' }),
  },
  {
    name: 'faces.detect720.faceboxes', group: 'faces', setup, timeMs: 3000,
    fn: () => detectCandidates(k, run, frame720, FB_CONFIG),
  },
  {
    name: 'faces.detect720.tiled', group: 'faces', setup, timeMs: 3000,
    fn: () => detectBlazeface(k, run, 'blazeface-back', frame720, SETTINGS),
  },
  {
    name: 'faces.detect720.fullframe', group: 'faces', setup,
    fn: () => detectBlazeface(k, run, 'blazeface-back', frame720, { ...SETTINGS, minFaceSize: 0 }),
  },
  {
    name: 'faces.attributes.ort', group: 'faces', gate: true, setup,
    fn: async () => {
      for (const t of attrInputs.slice(0, 3)) await run(t.model, t.data, t.dims);
    },
  },
  {
    name: 'faces.attributes.pipeline', group: 'faces', gate: true, setup,
    fn: async () => {
      // A new face whose gender is uncertain: the crop and its mirror (the pipeline's costliest case).
      await predictAgeGender(k, run, faceImg, face, ATTRIBUTE_MODELS['faceapi-age-gender']!, 1);
      await predictAttributes(k, run, faceImg, face, ATTRIBUTE_MODELS.emotion!);
    },
  },
  {
    name: 'faces.descriptor.ort', group: 'faces', setup,
    fn: async () => {
      const t = attrInputs[3]!;
      await run(t.model, t.data, t.dims);
    },
  },
  {
    name: 'faces.descriptor.pipeline', group: 'faces', setup,
    fn: () => computeDescriptor(k, run, faceImg, face, DESCRIPTOR_MODELS['faceapi-recognition']!),
  },
];
