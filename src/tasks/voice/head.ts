/**
 * The trained classifier head: a small MLP over a window of 16 openWakeWord embeddings
 * (16 × 96 → standardise → dense `hidden` + ReLU → dense `classes` → softmax), class 0 being
 * "none of the phrases". Trained here, in TypeScript, with Adam on weighted cross-entropy,
 * seeded and single-threaded so the same data and seed give the same weights; exported to
 * ONNX with hmp's graph builder (`src/convert/onnx-builder.ts`).
 * @internal
 */
import { OnnxGraphBuilder } from '../../convert/onnx-builder.js';
import { EMB_DIM, EMB_WINDOW } from './pipeline.js';
import { gauss, rng } from './synth.js';

/** Input features per window. */
export const HEAD_IN = EMB_WINDOW * EMB_DIM;

/** Weights of a trained head. Row-major: w1 is in × hidden, w2 hidden × classes. */
export interface HeadWeights {
  hidden: number;
  classes: number;
  mean: Float32Array;
  invStd: Float32Array;
  /** Further heads trained on the same windows with other seeds; the scores are the mean of all members' softmax outputs. */
  ensemble?: HeadWeights[];
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/**
 * Training samples by reference: sample i is the 16 embeddings starting at row `start[i]` of
 * `emb` (n × 96), with class `label[i]` and loss weight `weight[i]`.
 */
export interface HeadDataset {
  emb: Float32Array;
  start: Int32Array;
  label: Int32Array;
  weight: Float32Array;
}

export interface TrainOptions {
  classes: number;
  hidden?: number;
  epochs?: number;
  batch?: number;
  lr?: number;
  l2?: number;
  seed: number;
  /** Called after each epoch with the mean weighted loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

function forward(h: HeadWeights, x: Float32Array, hid: Float32Array, out: Float64Array): void {
  const H = h.hidden;
  const C = h.classes;
  for (let j = 0; j < H; j++) hid[j] = h.b1[j]!;
  for (let i = 0; i < HEAD_IN; i++) {
    const v = x[i]!;
    if (v === 0) continue;
    const row = i * H;
    for (let j = 0; j < H; j++) hid[j] = hid[j]! + v * h.w1[row + j]!;
  }
  for (let j = 0; j < H; j++) if (hid[j]! < 0) hid[j] = 0;
  let max = -Infinity;
  for (let c = 0; c < C; c++) {
    let s = h.b2[c]!;
    for (let j = 0; j < H; j++) s += hid[j]! * h.w2[j * C + c]!;
    out[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < C; c++) sum += out[c] = Math.exp(out[c]! - max);
  for (let c = 0; c < C; c++) out[c] = out[c]! / sum;
}

function standardise(h: HeadWeights, emb: Float32Array, start: number, x: Float32Array): void {
  const base = start * EMB_DIM;
  for (let i = 0; i < HEAD_IN; i++) x[i] = (emb[base + i]! - h.mean[i]!) * h.invStd[i]!;
}

/** Scores (softmax, `classes` per window) of windows starting at `starts`, in TypeScript (an ensemble's mean). */
export function headScores(h: HeadWeights, emb: Float32Array, starts: ArrayLike<number>): Float32Array {
  if (!h.ensemble?.length) return memberScores(h, emb, starts);
  const out = memberScores(h, emb, starts);
  for (const m of h.ensemble) {
    const s = memberScores(m, emb, starts);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + s[i]!;
  }
  const k = 1 / (h.ensemble.length + 1);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * k;
  return out;
}

function memberScores(h: HeadWeights, emb: Float32Array, starts: ArrayLike<number>): Float32Array {
  const x = new Float32Array(HEAD_IN);
  const hid = new Float32Array(h.hidden);
  const p = new Float64Array(h.classes);
  const out = new Float32Array(starts.length * h.classes);
  for (let n = 0; n < starts.length; n++) {
    standardise(h, emb, starts[n]!, x);
    forward(h, x, hid, p);
    for (let c = 0; c < h.classes; c++) out[n * h.classes + c] = p[c]!;
  }
  return out;
}

/** Trains a head. Deterministic for a given dataset and seed. */
export function trainHead(ds: HeadDataset, o: TrainOptions): HeadWeights {
  const H = o.hidden ?? 32;
  const C = o.classes;
  const epochs = o.epochs ?? 12;
  const B = o.batch ?? 64;
  const lr = o.lr ?? 1e-3;
  const l2 = o.l2 ?? 1e-4;
  const r = rng(o.seed);
  const N = ds.start.length;
  // Per-feature standardisation from the training windows (folded into the ONNX graph).
  const mean = new Float64Array(HEAD_IN);
  const sq = new Float64Array(HEAD_IN);
  for (let n = 0; n < N; n++) {
    const base = ds.start[n]! * EMB_DIM;
    for (let i = 0; i < HEAD_IN; i++) {
      const v = ds.emb[base + i]!;
      mean[i] = mean[i]! + v;
      sq[i] = sq[i]! + v * v;
    }
  }
  const h: HeadWeights = {
    hidden: H,
    classes: C,
    mean: new Float32Array(HEAD_IN),
    invStd: new Float32Array(HEAD_IN),
    w1: new Float32Array(HEAD_IN * H),
    b1: new Float32Array(H),
    w2: new Float32Array(H * C),
    b2: new Float32Array(C),
  };
  for (let i = 0; i < HEAD_IN; i++) {
    const m = mean[i]! / N;
    h.mean[i] = m;
    h.invStd[i] = 1 / Math.sqrt(Math.max(1e-6, sq[i]! / N - m * m));
  }
  const s1 = Math.sqrt(2 / HEAD_IN);
  const s2 = Math.sqrt(2 / H);
  for (let i = 0; i < h.w1.length; i++) h.w1[i] = gauss(r) * s1;
  for (let i = 0; i < h.w2.length; i++) h.w2[i] = gauss(r) * s2 * 0.1;
  const params = [h.w1, h.b1, h.w2, h.b2];
  const grads = params.map((p) => new Float64Array(p.length));
  const m1 = params.map((p) => new Float64Array(p.length));
  const m2 = params.map((p) => new Float64Array(p.length));
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  let t = 0;
  const order = Int32Array.from({ length: N }, (_, i) => i);
  const x = new Float32Array(HEAD_IN);
  const hid = new Float32Array(H);
  const p = new Float64Array(C);
  const dh = new Float64Array(H);
  for (let ep = 0; ep < epochs; ep++) {
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
    let lossSum = 0;
    let wSum = 0;
    for (let s = 0; s < N; s += B) {
      const end = Math.min(N, s + B);
      for (const g of grads) g.fill(0);
      let bw = 0;
      for (let q = s; q < end; q++) {
        const n = order[q]!;
        const y = ds.label[n]!;
        const w = ds.weight[n]!;
        bw += w;
        standardise(h, ds.emb, ds.start[n]!, x);
        forward(h, x, hid, p);
        lossSum += -w * Math.log(Math.max(1e-12, p[y]!));
        wSum += w;
        // dL/dlogits = w·(p − onehot).
        dh.fill(0);
        const [gw1, gb1, gw2, gb2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array];
        for (let c = 0; c < C; c++) {
          const d = w * (p[c]! - (c === y ? 1 : 0));
          gb2[c] = gb2[c]! + d;
          for (let j = 0; j < H; j++) {
            gw2[j * C + c] = gw2[j * C + c]! + d * hid[j]!;
            dh[j] = dh[j]! + d * h.w2[j * C + c]!;
          }
        }
        for (let j = 0; j < H; j++) if (hid[j]! <= 0) dh[j] = 0;
        for (let j = 0; j < H; j++) gb1[j] = gb1[j]! + dh[j]!;
        for (let i = 0; i < HEAD_IN; i++) {
          const v = x[i]!;
          const row = i * H;
          for (let j = 0; j < H; j++) gw1[row + j] = gw1[row + j]! + v * dh[j]!;
        }
      }
      t++;
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      for (let k = 0; k < params.length; k++) {
        const P = params[k]!, G = grads[k]!, M = m1[k]!, V = m2[k]!;
        const decay = k === 0 || k === 2 ? l2 : 0;
        for (let i = 0; i < P.length; i++) {
          const g = G[i]! / bw + decay * P[i]!;
          M[i] = b1 * M[i]! + (1 - b1) * g;
          V[i] = b2 * V[i]! + (1 - b2) * g * g;
          P[i] = P[i]! - (lr * (M[i]! / c1)) / (Math.sqrt(V[i]! / c2) + eps);
        }
      }
    }
    o.onEpoch?.(ep, lossSum / wSum);
  }
  return h;
}

/**
 * The head as an ONNX model: input `embeddings` [N, 16, 96] float32 (openWakeWord embeddings),
 * output `scores` [N, classes] softmax probabilities (class 0 = none); for an ensemble the mean
 * of its members' softmax outputs.
 */
export function headToOnnx(h: HeadWeights, doc: string): Uint8Array {
  const b = new OnnxGraphBuilder({ graphName: 'hmp_voice_head', producerName: 'hmp voice train', docString: doc });
  b.addInput('embeddings', 'float32', ['N', EMB_WINDOW, EMB_DIM]);
  const shape = b.constant({ type: 'int64', dims: [2], data: [-1, HEAD_IN] }, 'flat_shape');
  const flat = b.op('Reshape', ['embeddings', shape], {}, 'flat');
  const members = [h, ...(h.ensemble ?? [])];
  if (members.length === 1) {
    b.addNode('Softmax', [memberLogits(b, h, flat, '')], ['scores'], { axis: 1 });
  } else {
    const probs = members.map((m, k) => b.op('Softmax', [memberLogits(b, m, flat, `m${k}_`)], { axis: 1 }, `m${k}_scores`));
    const sum = b.op('Sum', probs, {}, 'scores_sum');
    b.addNode('Mul', [sum, b.float(1 / members.length, 'inv_members')], ['scores']);
  }
  b.addOutput('scores', 'float32', ['N', h.classes]);
  return b.serialize();
}

/** One member's logits from the flattened embeddings (initialiser and node names prefixed with `p`). */
function memberLogits(b: OnnxGraphBuilder, h: HeadWeights, flat: string, p: string): string {
  const mean = b.addInitializer(`${p}mean`, { type: 'float32', dims: [HEAD_IN], data: h.mean });
  const inv = b.addInitializer(`${p}inv_std`, { type: 'float32', dims: [HEAD_IN], data: h.invStd });
  const z = b.op('Mul', [b.op('Sub', [flat, mean], {}, `${p}centred`), inv], {}, `${p}standardised`);
  const w1 = b.addInitializer(`${p}w1`, { type: 'float32', dims: [HEAD_IN, h.hidden], data: h.w1 });
  const b1 = b.addInitializer(`${p}b1`, { type: 'float32', dims: [h.hidden], data: h.b1 });
  const a1 = b.op('Relu', [b.op('Add', [b.op('MatMul', [z, w1], {}, `${p}mm1`), b1], {}, `${p}fc1`)], {}, `${p}relu1`);
  const w2 = b.addInitializer(`${p}w2`, { type: 'float32', dims: [h.hidden, h.classes], data: h.w2 });
  const b2 = b.addInitializer(`${p}b2`, { type: 'float32', dims: [h.classes], data: h.b2 });
  return b.op('Add', [b.op('MatMul', [a1, w2], {}, `${p}mm2`), b2], {}, `${p}logits`);
}
