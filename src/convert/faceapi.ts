/**
 * ONNX graphs for `@vladmandic/face-api` networks, built from their weights-only manifests
 * (`model/<name>-weights_manifest.json` + `.bin`, uint8-quantised tensors) with hmp's
 * {@link OnnxGraphBuilder}. face-api ships no graph topology: the architecture is written
 * here from face-api's own source (`src/xception/TinyXception.ts`,
 * `src/ageGenderNet/AgeGenderNet.ts`) and checked against the manifest's names and shapes.
 *
 * The age-gender net (TinyXception with 2 middle blocks, 112x112 input):
 *   normalise: (rgb - [122.782, 117.001, 104.298]) / 255      (done by hmp's WASM kernels)
 *   conv_in 3x3/2 + ReLU → reduction block (input not activated) → reduction block →
 *   2 main blocks (3 ReLU-separable-conv, residual) → reduction block → ReLU(separable conv
 *   256→512) → 7x7 average pool → fc age (1, years) and fc gender (2, softmax: [male, female]).
 * TF `same` padding maps to ONNX `auto_pad: SAME_UPPER` (extra row/column at the end),
 * for convolutions and max pools alike.
 * @internal
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createError } from '../errors.js';
import { OnnxGraphBuilder } from './onnx-builder.js';
import type { ModelSource } from './sources.js';

/** One tensor of a face-api weights manifest. */
interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: 'uint8'; scale: number; min: number };
}

/** Reads a face-api weights manifest and its shards into dequantised float32 tensors. */
export function loadFaceapiWeights(manifestPath: string): Map<string, { shape: number[]; data: Float32Array }> {
  let groups: { paths: string[]; weights: ManifestWeight[] }[];
  try {
    groups = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (!Array.isArray(groups)) throw new Error('not a weights manifest array');
  } catch (err) {
    throw createError('HMP_ERR_CONVERT_MODEL_INVALID', manifestPath, (err as Error).message);
  }
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const g of groups) {
    const parts = g.paths.map((p) => {
      const f = join(dirname(manifestPath), p);
      if (!existsSync(f)) throw createError('HMP_ERR_CONVERT_SHARD_MISSING', p, manifestPath, f);
      return readFileSync(f);
    });
    const buf = Buffer.concat(parts);
    let off = 0;
    let need = 0;
    for (const w of g.weights) need += w.shape.reduce((a, b) => a * b, 1) * (w.quantization ? 1 : 4);
    if (buf.length < need) throw createError('HMP_ERR_CONVERT_SHARD_SHORT', g.paths.join(', '), manifestPath, buf.length, need);
    for (const w of g.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      if (w.quantization) {
        const { scale, min } = w.quantization;
        for (let i = 0; i < n; i++) data[i] = buf[off + i] * scale + min;
        off += n;
      } else {
        for (let i = 0; i < n; i++) data[i] = buf.readFloatLE(off + 4 * i);
        off += 4 * n;
      }
      out.set(w.name, { shape: w.shape, data });
    }
  }
  return out;
}

type Weights = ReturnType<typeof loadFaceapiWeights>;

/** TF HWIO conv filter [kh, kw, in, out] → ONNX OIHW. */
function hwioToOihw(w: { shape: number[]; data: Float32Array }): { dims: number[]; data: Float32Array } {
  const [kh, kw, ci, co] = w.shape;
  const o = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let c = 0; c < co; c++) {
    o[((c * ci + i) * kh + y) * kw + x] = w.data[((y * kw + x) * ci + i) * co + c];
  }
  return { dims: [co, ci, kh, kw], data: o };
}

/** TF depthwise filter [kh, kw, c, 1] → ONNX grouped conv weight [c, 1, kh, kw]. */
function depthwiseToOnnx(w: { shape: number[]; data: Float32Array }): { dims: number[]; data: Float32Array } {
  const [kh, kw, c, m] = w.shape;
  if (m !== 1) throw new Error(`depthwise multiplier ${m} unsupported`);
  const o = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < c; i++) o[(i * kh + y) * kw + x] = w.data[(y * kw + x) * c + i];
  return { dims: [c, 1, kh, kw], data: o };
}

class FaceapiGraph {
  constructor(readonly b: OnnxGraphBuilder, readonly w: Weights, readonly file: string) {}

  get(name: string, shape?: number[]): { shape: number[]; data: Float32Array } {
    const t = this.w.get(name);
    if (!t) throw createError('HMP_ERR_CONVERT_MODEL_INVALID', this.file, `weight ${name} not in the manifest`);
    if (shape && t.shape.join(',') !== shape.join(',')) throw createError('HMP_ERR_CONVERT_MODEL_INVALID', this.file, `weight ${name} has shape [${t.shape}], expected [${shape}]`);
    return t;
  }

  init(name: string, dims: number[], data: Float32Array): string {
    return this.b.addInitializer(name.replace(/\//g, '.'), { type: 'float32', dims, data });
  }

  conv(x: string, prefix: string, stride: number): string {
    const f = hwioToOihw(this.get(`${prefix}/filters`));
    const W = this.init(`${prefix}/filters`, f.dims, f.data);
    const B = this.init(`${prefix}/bias`, [f.dims[0]], this.get(`${prefix}/bias`, [f.dims[0]]).data);
    return this.b.op('Conv', [x, W, B], { auto_pad: 'SAME_UPPER', kernel_shape: f.dims.slice(2), strides: [stride, stride] }, prefix.replace(/\//g, '.'));
  }

  separable(x: string, prefix: string): string {
    const d = depthwiseToOnnx(this.get(`${prefix}/depthwise_filter`));
    const p = hwioToOihw(this.get(`${prefix}/pointwise_filter`));
    const Wd = this.init(`${prefix}/depthwise_filter`, d.dims, d.data);
    const dw = this.b.op('Conv', [x, Wd], { auto_pad: 'SAME_UPPER', group: d.dims[0], kernel_shape: d.dims.slice(2), strides: [1, 1] }, `${prefix.replace(/\//g, '.')}.dw`);
    const Wp = this.init(`${prefix}/pointwise_filter`, p.dims, p.data);
    const B = this.init(`${prefix}/bias`, [p.dims[0]], this.get(`${prefix}/bias`, [p.dims[0]]).data);
    return this.b.op('Conv', [dw, Wp, B], { kernel_shape: [1, 1], strides: [1, 1] }, `${prefix.replace(/\//g, '.')}.pw`);
  }

  relu(x: string): string {
    return this.b.op('Relu', [x]);
  }

  reduction(x: string, prefix: string, activateInput: boolean): string {
    let out = activateInput ? this.relu(x) : x;
    out = this.separable(out, `${prefix}/separable_conv0`);
    out = this.separable(this.relu(out), `${prefix}/separable_conv1`);
    out = this.b.op('MaxPool', [out], { auto_pad: 'SAME_UPPER', kernel_shape: [3, 3], strides: [2, 2] });
    return this.b.op('Add', [out, this.conv(x, `${prefix}/expansion_conv`, 2)]);
  }

  main(x: string, prefix: string): string {
    let out = this.separable(this.relu(x), `${prefix}/separable_conv0`);
    out = this.separable(this.relu(out), `${prefix}/separable_conv1`);
    out = this.separable(this.relu(out), `${prefix}/separable_conv2`);
    return this.b.op('Add', [out, x]);
  }

  fc(x: string, prefix: string, outs: number): string {
    const W = this.get(`${prefix}/weights`, [512, outs]);
    const B = this.get(`${prefix}/bias`, [outs]);
    const mm = this.b.op('MatMul', [x, this.init(`${prefix}/weights`, [512, outs], W.data)]);
    return this.b.op('Add', [mm, this.init(`${prefix}/bias`, [outs], B.data)], {}, prefix.replace(/\//g, '.'));
  }
}

/** Input side of the face-api age-gender net. */
export const FACEAPI_AGE_GENDER_SIZE = 112;
/** Per-channel RGB mean face-api subtracts before dividing by 255. */
export const FACEAPI_MEAN_RGB = Object.freeze([122.782, 117.001, 104.298]);

/**
 * Builds face-api's age-gender net as ONNX. Input `input` NCHW [N, 3, 112, 112] float32, RGB
 * normalised as `(v - FACEAPI_MEAN_RGB) / 255`; outputs `age` [N, 1] (years) and `gender`
 * [N, 2] (softmax, index 0 = male as in face-api's `predictAgeAndGender`).
 * @param manifestPath path of `age_gender_model-weights_manifest.json`
 * @throws HMP_ERR_CONVERT_MODEL_INVALID, HMP_ERR_CONVERT_SHARD_MISSING, HMP_ERR_CONVERT_SHARD_SHORT
 */
export function buildFaceapiAgeGender(manifestPath: string): Uint8Array {
  const b = new OnnxGraphBuilder({ graphName: 'faceapi-age-gender', producerName: 'hmp faceapi.ts' });
  const g = new FaceapiGraph(b, loadFaceapiWeights(manifestPath), manifestPath);
  const S = FACEAPI_AGE_GENDER_SIZE;
  const input = b.addInput('input', 'float32', ['N', 3, S, S]);
  let x = g.relu(g.conv(input, 'entry_flow/conv_in', 2));
  x = g.reduction(x, 'entry_flow/reduction_block_0', false);
  x = g.reduction(x, 'entry_flow/reduction_block_1', true);
  x = g.main(x, 'middle_flow/main_block_0');
  x = g.main(x, 'middle_flow/main_block_1');
  x = g.reduction(x, 'exit_flow/reduction_block', true);
  x = g.relu(g.separable(x, 'exit_flow/separable_conv'));
  // avgPool 7x7 stride 2 'valid' on the 7x7 map is a global average.
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [x])], { axis: 1 }, 'pooled');
  b.addNode('Identity', [g.fc(pooled, 'fc/age', 1)], ['age']);
  b.addNode('Softmax', [g.fc(pooled, 'fc/gender', 2)], ['gender'], { axis: 1 });
  b.addOutput('age', 'float32', ['N', 1]);
  b.addOutput('gender', 'float32', ['N', 2]);
  return b.serialize();
}

/** Input side of the face-api face recognition net. */
export const FACEAPI_RECOGNITION_SIZE = 150;

/**
 * Builds face-api's face recognition net (dlib's `dlib_face_recognition_resnet_model_v1`, a
 * 29-layer ResNet ported by face-api.js) as ONNX. Input `input` NCHW [N, 3, 150, 150] float32,
 * RGB normalised as `(v - FACEAPI_MEAN_RGB) / 255`; output `descriptor` [N, 128] (not
 * normalised: face-api compares raw descriptors by Euclidean distance, threshold 0.6).
 *
 * Topology from face-api's `src/faceRecognitionNet/*.ts`: each conv layer is conv + bias then a
 * per-channel scale layer (`x·w + b`, folded here into the conv weights); `convDown` is a 2-stride
 * `valid` conv, the others `same`. `residualDown` adds a 2x2/2 average pool of its input, padded
 * with zero channels, and pads its own output with a zero row and column when the pooled map is
 * larger (the 3→4 and 1→2 steps of a 150-px input).
 * @param manifestPath path of `face_recognition_model-weights_manifest.json`
 * @throws HMP_ERR_CONVERT_MODEL_INVALID, HMP_ERR_CONVERT_SHARD_MISSING, HMP_ERR_CONVERT_SHARD_SHORT
 */
export function buildFaceapiRecognition(manifestPath: string): Uint8Array {
  const b = new OnnxGraphBuilder({ graphName: 'faceapi-recognition', producerName: 'hmp faceapi.ts' });
  const g = new FaceapiGraph(b, loadFaceapiWeights(manifestPath), manifestPath);
  const S = FACEAPI_RECOGNITION_SIZE;
  const input = b.addInput('input', 'float32', ['N', 3, S, S]);
  // conv + bias, then scale (x·w + b): W'[o] = W[o]·w[o], B'[o] = bias[o]·w[o] + b[o].
  const conv = (x: string, prefix: string, stride: 1 | 2, relu: boolean): string => {
    const f = hwioToOihw(g.get(`${prefix}/conv/filters`));
    const co = f.dims[0];
    const per = f.data.length / co;
    const w = g.get(`${prefix}/scale/weights`, [co]).data;
    const sb = g.get(`${prefix}/scale/biases`, [co]).data;
    const bias = g.get(`${prefix}/conv/bias`, [co]).data;
    const Wd = new Float32Array(f.data.length);
    const Bd = new Float32Array(co);
    for (let o = 0; o < co; o++) {
      for (let i = 0; i < per; i++) Wd[o * per + i] = f.data[o * per + i] * w[o];
      Bd[o] = bias[o] * w[o] + sb[o];
    }
    const W = g.init(`${prefix}/conv/filters`, f.dims, Wd);
    const B = g.init(`${prefix}/conv/bias`, [co], Bd);
    const pad = stride === 2 ? { auto_pad: 'VALID' } : { auto_pad: 'SAME_UPPER' };
    const y = b.op('Conv', [x, W, B], { ...pad, kernel_shape: f.dims.slice(2), strides: [stride, stride] }, prefix.replace(/\//g, '.'));
    return relu ? g.relu(y) : y;
  };
  // Spatial sizes through the net for a 150-px input, to place residualDown's zero padding.
  let size = Math.floor((S - 7) / 2) + 1;
  let channels = 32;
  const residual = (x: string, prefix: string): string => g.relu(b.op('Add', [conv(conv(x, `${prefix}/conv1`, 1, true), `${prefix}/conv2`, 1, false), x]));
  const residualDown = (x: string, prefix: string, outChannels: number): string => {
    let out = conv(conv(x, `${prefix}/conv1`, 2, true), `${prefix}/conv2`, 1, false);
    const convSize = Math.floor((size - 3) / 2) + 1;
    const poolSize = Math.floor(size / 2);
    if (poolSize !== convSize) out = b.op('Pad', [out, b.int64s([0, 0, 0, 0, 0, 0, poolSize - convSize, poolSize - convSize])]);
    let pooled = b.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
    if (outChannels !== channels) pooled = b.op('Pad', [pooled, b.int64s([0, 0, 0, 0, 0, outChannels - channels, 0, 0])]);
    size = poolSize;
    channels = outChannels;
    return g.relu(b.op('Add', [pooled, out]));
  };
  let x = conv(input, 'conv32_down', 2, true);
  x = b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2] });
  size = Math.floor((size - 3) / 2) + 1;
  for (const n of [1, 2, 3]) x = residual(x, `conv32_${n}`);
  x = residualDown(x, 'conv64_down', 64);
  for (const n of [1, 2, 3]) x = residual(x, `conv64_${n}`);
  x = residualDown(x, 'conv128_down', 128);
  for (const n of [1, 2]) x = residual(x, `conv128_${n}`);
  x = residualDown(x, 'conv256_down', 256);
  for (const n of [1, 2]) x = residual(x, `conv256_${n}`);
  x = residualDown(x, 'conv256_down_out', 256);
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [x])], { axis: 1 }, 'pooled');
  const fc = g.get('fc', [256, 128]);
  b.addNode('MatMul', [pooled, g.init('fc', [256, 128], fc.data)], ['descriptor']);
  b.addOutput('descriptor', 'float32', ['N', 128]);
  return b.serialize();
}

const FA = { package: '@vladmandic/face-api', version: '1.7.15' } as const;

/** Catalogue entries for `hmp models build` (see `sources.ts`): face-api nets built by this file. */
export const FACEAPI_SOURCES: readonly ModelSource[] = Object.freeze<ModelSource[]>([
  {
    name: 'faceapi-age-gender', task: 'face-attributes', file: 'faceapi-age-gender.onnx', kind: 'convert',
    source: { ...FA, path: 'model/age_gender_model-weights_manifest.json' },
    origin: 'face-api.js AgeGenderNet (TinyXception, trained on UTKFace) weights as shipped by @vladmandic/face-api; graph written by hmp src/convert/faceapi.ts from face-api\'s source',
    licence: 'MIT (@vladmandic/face-api and face-api.js)',
    inputs: { input: { layout: 'NCHW RGB', range: [-0.49, 0.6], meaning: 'face crop resized to 112x112, (RGB - [122.782, 117.001, 104.298]) / 255' } },
    outputs: {
      age: { meaning: 'age in years (regression)' },
      gender: { meaning: 'gender probabilities [male, female] (softmax)' },
    },
    notes: 'Outputs match face-api 1.7.15 on the TF.js CPU backend to 4 decimals (test/convert/faceapi.test.ts). Trained on an 80/20 split of UTKFace: its UTKFace figures are optimistic.',
    build: buildFaceapiAgeGender,
  },
  {
    name: 'faceapi-recognition', task: 'face-embedding', file: 'faceapi-recognition.onnx', kind: 'convert',
    source: { ...FA, path: 'model/face_recognition_model-weights_manifest.json' },
    origin: 'face-api.js FaceRecognitionNet (port of dlib\'s ResNet-29 face recognition model) weights as shipped by @vladmandic/face-api; graph written by hmp src/convert/faceapi.ts from face-api\'s source',
    licence: 'MIT (@vladmandic/face-api and face-api.js); dlib model weights CC0',
    inputs: { input: { layout: 'NCHW RGB', range: [-0.49, 0.6], meaning: 'aligned face crop resized to 150x150, (RGB - [122.782, 117.001, 104.298]) / 255' } },
    outputs: { descriptor: { meaning: '128-d face descriptor (not normalised; hmp L2-normalises it)' } },
    notes: 'Outputs match face-api 1.7.15 on the TF.js CPU backend to 1e-4 (test/convert/faceapi.test.ts).',
    build: buildFaceapiRecognition,
  },
]);
