/**
 * FaceBoxes detection pass (worker side): the frame scaled so the smallest wanted face
 * (`minFaceSize`) is ~40 px in the model input (FaceBoxes' smallest anchor is 32 px), or to a
 * fixed long side, padded to multiples of 128, one ORT run, anchors decoded in TS
 * (`faceboxes.ts`). FaceBoxes has no keypoints: each box gets the keypoints of an average
 * frontal face (`TEMPLATE`), so pose and alignment downstream treat it as frontal.
 * @internal
 */
import type { Kernels } from '../../runtime/wasm.js';
import { decodeFaceboxes, FACEBOXES_ALIGN, faceboxesPadded } from './faceboxes.js';
import { BLAZEFACE_FRONT_INPUT, decodeBlazeface } from './blazeface.js';
import { BLAZEFACE_OUTPUTS, candidateInImage, halveToward, windowTensor, type CandidateSet, type ModelRunner, type RawDetection, type RgbImage } from './detect.js';
import { iou } from './metrics.js';

/**
 * Height in pixels of the FaceBoxes input that the smallest wanted face (`minFaceSize`) is
 * scaled to. FaceBoxes' smallest anchor is 32 px; measured on WIDER (docs/faces.md), recall of a
 * face size bucket stays low until its faces are ~40 px or more in the model input.
 */
export const FACEBOXES_FACE_PX = 40;
/** Bounds of the automatic input scale and of the input's long side. */
const MAX_SCALE = 4;
const MAX_LONG = 2560;
const MIN_LONG = 256;

/**
 * Scale of the frame in the FaceBoxes input: `size` > 0 fixes the long side; `size` 0 derives it
 * from `minFaceSize` (`FACEBOXES_FACE_PX / minFaceSize`, capped at 4x and a 2560-px long side;
 * `minFaceSize` 0 = native size), so a 1280x720 frame with the default 32 runs at 1600x900.
 */
export function faceboxesScale(width: number, height: number, size: number, minFaceSize: number): number {
  const long = Math.max(width, height);
  if (size > 0) return size / long;
  let s = minFaceSize > 0 ? Math.min(MAX_SCALE, FACEBOXES_FACE_PX / minFaceSize) : 1;
  s = Math.min(s, MAX_LONG / long);
  return Math.max(s, Math.min(1, MIN_LONG / long));
}

/**
 * Keypoints of an average frontal face as fractions of a FaceBoxes box (x, y): right eye,
 * left eye, nose, mouth, right ear, left ear (MediaPipe order). FaceBoxes boxes (WIDER style)
 * span brow to chin; these positions follow BlazeFace's mean keypoints in its boxes.
 */
const TEMPLATE = [0.32, 0.4, 0.68, 0.4, 0.5, 0.6, 0.5, 0.78, 0.1, 0.45, 0.9, 0.45];

const NORM = { layout: 'nchw', mean: [127.5], std: [127.5] } as const;

/**
 * The FaceBoxes input buffers, reused between frames of the same size (a 720p frame's input is
 * 20 MB; allocating it per frame showed as pipeline overhead). Safe because a worker runs one task
 * at a time (`concurrentTasksPerWorker: 1`) and every caller awaits the run before the next frame.
 */
let scratch: { tensor: Float32Array; canvas: Uint8Array } | undefined;

/**
 * The model input for an image (NCHW, the shipped model's layout: `src/convert/cpu-layout.ts`):
 * scaled by about `scale`, padded with black (-1) to multiples of 128. The scale is snapped so
 * the scaled width is a multiple of 128 (aspect kept): the resized rows then fill whole canvas
 * rows, so the WASM resize writes straight into the byte canvas and only the rows below are
 * cleared; one WASM pass normalises the canvas into the tensor. Both buffers are reused between
 * calls of the same size (ORT reads the tensor only during the run).
 */
export function faceboxesTensor(k: Kernels, img: RgbImage, scale: number): { tensor: Float32Array; padW: number; padH: number; sx: number; sy: number } {
  const padW = Math.max(FACEBOXES_ALIGN, Math.round((img.width * scale) / FACEBOXES_ALIGN) * FACEBOXES_ALIGN);
  const rw = padW;
  const rh = Math.max(1, Math.round((img.height * rw) / img.width));
  const padH = faceboxesPadded(rw, rh).height;
  const c = img.channels;
  if (!scratch || scratch.tensor.length !== padW * padH * 3 || scratch.canvas.length !== padW * padH * c) {
    scratch = { tensor: new Float32Array(padW * padH * 3), canvas: new Uint8Array(padW * padH * c) };
  }
  const { tensor, canvas } = scratch;
  const h = halveToward(k, img.data, img.width, img.height, c, rw, rh);
  const rows = rw * rh * c;
  if (h.w === rw && h.h === rh) canvas.set(h.src);
  else k.resizeBilinear(h.src, h.w, h.h, c, rw, rh, canvas.subarray(0, rows));
  canvas.fill(0, rows);
  k.normalize(canvas, padW, padH, c, NORM, tensor);
  return { tensor, padW, padH, sx: rw / img.width, sy: rh / img.height };
}

/** FaceBoxes candidates (before NMS) in image pixels, appended to `into`. */
export async function faceboxesCandidates(
  k: Kernels,
  run: ModelRunner,
  model: string,
  img: RgbImage,
  s: { minScore: number; faceboxesSize: number; minFaceSize: number },
  into: CandidateSet = { boxes: [], scores: [], keypoints: [] },
): Promise<CandidateSet> {
  const scale = faceboxesScale(img.width, img.height, s.faceboxesSize, s.minFaceSize);
  const { tensor, padW, padH, sx, sy } = faceboxesTensor(k, img, scale);
  const out = await run(model, tensor, [1, 3, padH, padW]);
  const c = decodeFaceboxes(out.box_encodings as Float32Array, out.class_logits as Float32Array, padW, padH, s.minScore);
  for (let i = 0; i < c.scores.length; i++) {
    const x1 = (c.boxes[4 * i] as number) / sx;
    const y1 = (c.boxes[4 * i + 1] as number) / sy;
    const x2 = (c.boxes[4 * i + 2] as number) / sx;
    const y2 = (c.boxes[4 * i + 3] as number) / sy;
    into.boxes.push(x1, y1, x2, y2);
    into.scores.push(c.scores[i] as number);
    const w = x2 - x1;
    const h = y2 - y1;
    for (let j = 0; j < 6; j++) into.keypoints.push(x1 + (TEMPLATE[2 * j] as number) * w, y1 + (TEMPLATE[2 * j + 1] as number) * h);
  }
  return into;
}

/** Faces per frame whose keypoints come from a BlazeFace run on their crop (largest first). */
export const MAX_KEYPOINT_REFINES = 8;

/**
 * Replaces the template keypoints of FaceBoxes detections with BlazeFace's: one run of
 * BlazeFace front (the short-range 128-px model, `model`) on a square window of twice the
 * face's size around each face whose keypoints are not measured yet (the face then spans
 * ~40-50 % of the input, the range the front model is made for), keeping the keypoints of the BlazeFace
 * candidate that overlaps the box best. Up to `max` faces, largest first; the others (and faces
 * BlazeFace does not confirm) keep the template. Boxes and scores stay FaceBoxes'.
 */
export async function refineKeypoints(k: Kernels, run: ModelRunner, model: string, img: RgbImage, dets: RawDetection[], max = MAX_KEYPOINT_REFINES, checkpoint: () => void = () => {}): Promise<void> {
  const S = BLAZEFACE_FRONT_INPUT;
  const order = dets.map((_, i) => i).filter((i) => dets[i]?.keypointsMeasured === false).sort((a, b) => faceSide(dets[b] as RawDetection) - faceSide(dets[a] as RawDetection)).slice(0, max);
  const buf = order.length > 0 ? new Float32Array(S * S * 3) : undefined;
  for (const i of order) {
    const d = dets[i] as RawDetection;
    const side = Math.round(2 * faceSide(d));
    const win = { x: Math.round((d.x1 + d.x2 - side) / 2), y: Math.round((d.y1 + d.y2 - side) / 2), side, tile: false };
    const { tensor, sx, sy } = windowTensor(k, img, win, buf, S);
    const out = await run(model, tensor, [1, 3, S, S]);
    checkpoint();
    const c = decodeBlazeface(out[BLAZEFACE_OUTPUTS.scoresA], out[BLAZEFACE_OUTPUTS.scoresB], out[BLAZEFACE_OUTPUTS.regA], out[BLAZEFACE_OUTPUTS.regB], 0.3, undefined, S);
    const ox = Math.max(0, win.x);
    const oy = Math.max(0, win.y);
    const box = { x: d.x1, y: d.y1, w: d.x2 - d.x1, h: d.y2 - d.y1 };
    let best: ReturnType<typeof candidateInImage> | undefined;
    let bestScore = 0;
    for (let j = 0; j < c.scores.length; j++) {
      const m = candidateInImage(c, j, ox, oy, S, sx, sy);
      // BlazeFace boxes are squarer and tighter than WIDER-style ones: 0.3 IoU means "same face".
      const o = iou(box, { x: m.x1, y: m.y1, w: m.x2 - m.x1, h: m.y2 - m.y1 });
      const v = o >= 0.3 ? (c.scores[j] as number) * o : 0;
      if (v > bestScore) {
        bestScore = v;
        best = m;
      }
    }
    if (!best) continue;
    d.alignSide = Math.max(best.x2 - best.x1, best.y2 - best.y1);
    d.keypointsMeasured = true;
    d.keypoints = best.keypoints;
  }
}

const faceSide = (d: RawDetection): number => Math.max(d.x2 - d.x1, d.y2 - d.y1);
