/**
 * Worker handler of `face.detect`: decode (or take the raw frame), detect, pose, attributes.
 * Thin: the work lives in detect.ts, pose.ts, attributes.ts.
 * @internal
 */
import { performance } from 'node:perf_hooks';
import type { TaskContext } from '../../workers/protocol.js';
import { decodeImage, type DecodedImage, type ImagePayload } from '../../runtime/image/index.js';
import { getSession, ort, runSession } from '../../runtime/onnx.js';
import { getKernels, type Kernels } from '../../runtime/wasm.js';
import { KEYPOINT_NAMES } from './blazeface.js';
import { blazefaceCandidates, mergeCandidates, type ModelRunner, type RawDetection, type RgbImage } from './detect.js';
import { faceboxesCandidates, MAX_KEYPOINT_REFINES, refineKeypoints } from './detect-faceboxes.js';
import { ATTRIBUTE_MODELS, EMOTIONS, predictAgeGender, predictAttributes } from './attributes.js';
import { computeDescriptor, DESCRIPTOR_MODEL, DESCRIPTOR_MODELS } from './descriptor.js';
import { estimateAngles, isAttentive } from './pose.js';
import { ageBand, type FaceDetector, type DetectedFace, type FaceBox, type FaceDetectResult } from './types.js';
import { iou } from './metrics.js';

/** The detector and attribute model hmp uses (registry names). */
export const FACE_MODELS = Object.freeze({ detector: 'blazeface-back', faceboxes: 'faceboxes', keypoints: 'blazeface-front', attributes: 'faceapi-age-gender', emotion: 'emotion', antispoof: 'antispoof', descriptor: DESCRIPTOR_MODEL });

/** Resolved settings that cross to the worker. */
export interface FaceConfig {
  detector: FaceDetector;
  /** Long side of the FaceBoxes input (px); 0 = derived from `minFaceSize`. */
  faceboxesSize: number;
  minScore: number;
  maxFaces: number;
  minFaceSize: number;
  iouThreshold: number;
  /**
   * `all`, `none`, or every face except those overlapping one of the `except` boxes (IoU ≥ 0.3):
   * how a tracker skips tracks whose attributes are settled, in the same round trip.
   */
  attributes: 'all' | 'none' | { except: FaceBox[] };
  /** With attributes: emotion, anti-spoof score, descriptor. */
  emotion: boolean;
  antispoof: boolean;
  descriptor: boolean;
}

/** Payload of `face.detect`. */
export interface FacePayload {
  image: ImagePayload;
  config: FaceConfig;
}

/** Runner over the worker's cached registry sessions. */
export function sessionRunner(modelsDir: string): ModelRunner {
  return async (name, input, dims) => {
    const s = await getSession(modelsDir, name);
    const out = await runSession(name, s, { [s.inputNames[0]]: new ort.Tensor('float32', input, [...dims]) });
    const r: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(out)) r[k] = v.data as Float32Array;
    return r;
  };
}

/** RGB or RGBA view of a decoded image or raw frame (gray and NV21 are converted to RGB). */
export function toRgb(k: Kernels, img: DecodedImage): RgbImage {
  if (img.format === 'rgba') return { data: img.data, width: img.width, height: img.height, channels: 4 };
  if (img.format === 'rgb') return { data: img.data, width: img.width, height: img.height, channels: 3 };
  return { data: k.convert(img.data, img.width, img.height, img.format, 'rgb'), width: img.width, height: img.height, channels: 3 };
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Runs the face pipeline on an RGB(A) image. Shared by the worker handler, the CLI's eval and
 * the benchmarks (which pass a runner over raw sessions to time ORT alone).
 */
export async function analyzeFaces(k: Kernels, run: ModelRunner, img: RgbImage, config: FaceConfig, checkpoint: () => void = () => {}): Promise<FaceDetectResult> {
  const t0 = performance.now();
  let windows = 0;
  const counted: ModelRunner = (model, input, dims) => {
    if (model === FACE_MODELS.detector || model === FACE_MODELS.faceboxes) windows++;
    return run(model, input, dims);
  };
  const dets = await detectCandidates(k, counted, img, config, checkpoint);
  const t1 = performance.now();
  const faces: DetectedFace[] = [];
  const attr = ATTRIBUTE_MODELS[FACE_MODELS.attributes];
  for (const d of dets) {
    const angles = estimateAngles(d);
    // FaceBoxes-only faces that no BlazeFace run confirmed carry template keypoints: their
    // angles say "frontal" by construction, so they are not counted as attentive.
    const measured = d.keypointsMeasured !== false;
    const face: DetectedFace = {
      box: { x: r1(d.x1), y: r1(d.y1), width: r1(d.x2 - d.x1), height: r1(d.y2 - d.y1) },
      score: Math.round(d.score * 1000) / 1000,
      keypoints: KEYPOINT_NAMES.map((name, i) => ({ name, x: r1(d.keypoints[2 * i]), y: r1(d.keypoints[2 * i + 1]) })),
      angles: { pitch: r1(angles.pitch), yaw: r1(angles.yaw), roll: r1(angles.roll) },
      attention: measured && isAttentive(angles),
      keypointsMeasured: measured,
    };
    if (wantsAttributes(config.attributes, d)) {
      checkpoint();
      // The mirrored crop too where the gender is uncertain (+2 points of gender accuracy on
      // UTKFace from a second 112-px run on 30 % of the faces; docs/faces.md).
      const ag = await predictAgeGender(k, run, img, d, attr);
      const age = ag.age as number;
      const male = ag.male as number;
      face.age = r1(Math.max(0, age));
      face.ageBand = ageBand(age);
      face.gender = male > 0.5 ? 'male' : 'female';
      face.genderScore = Math.round(Math.max(male, 1 - male) * 1000) / 1000;
      if (config.emotion) {
        const e = (await predictAttributes(k, run, img, d, ATTRIBUTE_MODELS[FACE_MODELS.emotion])).emotions as Float32Array;
        let best = 0;
        for (let i = 1; i < e.length; i++) if (e[i] > e[best]) best = i;
        face.emotion = EMOTIONS[best];
        face.emotionScore = Math.round(e[best] * 1000) / 1000;
      }
      if (config.antispoof) {
        const r = (await predictAttributes(k, run, img, d, ATTRIBUTE_MODELS[FACE_MODELS.antispoof])).real as number;
        face.antispoof = Math.round(r * 1000) / 1000;
      }
      if (config.descriptor) {
        checkpoint();
        const v = await computeDescriptor(k, run, img, d, DESCRIPTOR_MODELS[FACE_MODELS.descriptor]);
        face.descriptor = Array.from(v, (x) => Math.round(x * 1e6) / 1e6);
      }
    }
    faces.push(face);
  }
  const t2 = performance.now();
  return {
    width: img.width,
    height: img.height,
    faces,
    timings: { totalMs: r1(t2 - t0), detectMs: r1(t1 - t0), attributesMs: r1(t2 - t1), windows },
  };
}

/**
 * Logit shift applied to BlazeFace scores when merged with FaceBoxes' (`detector: 'both'`):
 * BlazeFace is over-confident next to FaceBoxes (at score 0.5 it leaves 2.6x FaceBoxes' unmatched
 * detections on WIDER). Measured 0 / 1 / 2 (docs/faces.md); 1 keeps FaceBoxes' false-positive
 * level while BlazeFace still adds the small frontal faces FaceBoxes misses.
 */
export const BOTH_BLAZEFACE_LOGIT_SHIFT = 1;

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * Runs the configured detector(s) and merges the candidates with one weighted NMS. `both`:
 * FaceBoxes on the whole frame, BlazeFace back on the plan's tiles (none on frames whose long
 * side is under ~17 × `minFaceSize`), and BlazeFace back on the whole frame only when FaceBoxes
 * found nothing. Keypoints (FaceBoxes has none): each face takes those of the BlazeFace merge's
 * face overlapping it; faces without one, and every `faceboxes` face, get BlazeFace front
 * keypoints from their crop (`refineKeypoints`).
 */
export async function detectCandidates(k: Kernels, run: ModelRunner, img: RgbImage, config: FaceConfig, checkpoint: () => void = () => {}): Promise<RawDetection[]> {
  if (config.detector === 'blazeface') return mergeCandidates(k, await blazefaceCandidates(k, run, FACE_MODELS.detector, img, config, checkpoint), img, config);
  const c = await faceboxesCandidates(k, run, FACE_MODELS.faceboxes, img, config);
  let bfDets: RawDetection[] = [];
  if (config.detector === 'both') {
    checkpoint();
    // BlazeFace back on the tiles the plan has (small faces in large frames); its full-frame pass
    // only as the fallback when FaceBoxes found nothing (docs/faces.md: dropping it elsewhere left
    // WIDER and the 720p composites unchanged and costs 3.7-5 ms per frame).
    const bf = await blazefaceCandidates(k, run, FACE_MODELS.detector, img, { ...config, fullFrame: c.scores.length === 0 }, checkpoint);
    bfDets = mergeCandidates(k, bf, img, config);
    const shift = BOTH_BLAZEFACE_LOGIT_SHIFT;
    const minRaw = sigmoid(logit(config.minScore) + shift);
    for (let i = 0; i < bf.scores.length; i++) {
      const p = Math.min(1 - 1e-7, bf.scores[i] as number);
      if (p < minRaw) continue;
      c.boxes.push(...bf.boxes.slice(4 * i, 4 * i + 4));
      c.scores.push(sigmoid(logit(p) - shift));
      c.keypoints.push(...bf.keypoints.slice(12 * i, 12 * i + 12));
    }
  }
  const dets = mergeCandidates(k, c, img, config);
  for (const d of dets) {
    const box = { x: d.x1, y: d.y1, w: d.x2 - d.x1, h: d.y2 - d.y1 };
    let best: RawDetection | undefined;
    let bestIou = 0.3;
    for (const b of bfDets) {
      const o = iou(box, { x: b.x1, y: b.y1, w: b.x2 - b.x1, h: b.y2 - b.y1 });
      if (o >= bestIou) {
        bestIou = o;
        best = b;
      }
    }
    if (best) {
      d.keypoints = best.keypoints.slice();
      d.alignSide = Math.max(best.x2 - best.x1, best.y2 - best.y1);
      d.keypointsMeasured = true;
    } else d.keypointsMeasured = false;
  }
  checkpoint();
  await refineKeypoints(k, run, FACE_MODELS.keypoints, img, dets, MAX_KEYPOINT_REFINES, checkpoint);
  return dets;
}

function wantsAttributes(a: FaceConfig['attributes'], d: RawDetection): boolean {
  if (a === 'all') return true;
  if (a === 'none') return false;
  const box = { x: d.x1, y: d.y1, w: d.x2 - d.x1, h: d.y2 - d.y1 };
  return !a.except.some((r) => iou(box, { x: r.x, y: r.y, w: r.width, h: r.height }) >= 0.3);
}

/** `face.detect`: one image in, one {@link FaceDetectResult} out. */
export async function detect(payload: FacePayload, ctx: TaskContext): Promise<FaceDetectResult> {
  const t0 = performance.now();
  const k = await getKernels();
  const decoded = await decodeImage(payload.image, ctx.config.maxPixels);
  ctx.checkpoint();
  const img = toRgb(k, decoded);
  const r = await analyzeFaces(k, sessionRunner(ctx.config.modelsDir), img, payload.config, () => ctx.checkpoint());
  r.timings.totalMs = r1(performance.now() - t0);
  return r;
}
