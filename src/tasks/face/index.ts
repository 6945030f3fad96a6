/**
 * Faces: the main-thread API. Detection (FaceBoxes + BlazeFace back tiled for small faces, one
 * weighted NMS), keypoints and
 * head angles, age and gender (face-api's age-gender net on aligned crops), WeChat result
 * shapes and per-stream tracking. See docs/faces.md for measured accuracy and speed.
 */
import type { Engine } from '../../engine/engine.js';
import type { ImageInput } from '../../runtime/image/index.js';
import { resolveFaceOptions, runFaceDetect } from './run.js';
import type { FaceDetectOptions, FaceDetectResult } from './types.js';

export {
  FACE_DEFAULTS,
  FACE_DETECTORS,
  ageBand,
  type AgeBand,
  type DetectedFace,
  type FaceAngles,
  type FaceBox,
  type FaceDetectOptions,
  type FaceDetectResult,
  type FaceDetector,
  type FaceKeypoint,
  type Gender,
  type KeypointName,
} from './types.js';
export { toWxFaceDetect, toVkFaces, type WxFaceDetectOptions, type WxFaceDetectResult, type WxFaceInfo, type VkFaceAnchor } from './wx.js';
export { FaceTracker, type FaceTrackerOptions, type TrackRecord, type TrackedFrame } from './tracker.js';
export { ATTENTION_LIMITS } from './pose.js';
export { FACE_MODELS } from './worker.js';
export { FACE_DESCRIPTOR_THRESHOLD, descriptorDistance } from './descriptor.js';
export { EMOTIONS, type Emotion } from './attributes.js';

/**
 * Finds faces in an image or camera frame, with keypoints, head angles, attention and (by
 * default) age and gender.
 *
 * Accepts encoded bytes (JPEG, PNG, WebP, GIF, TIFF, BMP) or a raw frame
 * `{data, width, height, format: 'rgba' | 'rgb' | 'gray' | 'nv21'}`; an array of them
 * resolves to an array of results. No face is `faces: []`, not an error.
 *
 * @param options see {@link FaceDetectOptions}; defaults `detector` 'both', `faceboxesSize` 0
 *   (from `minFaceSize`), `minScore` 0.5, `maxFaces` 20,
 *   `minFaceSize` 32 (tiles frames larger than ~550 px), `attributes` true, `emotion` true,
 *   `antispoof` false, `descriptor` false
 * @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE (options);
 *   HMP_ERR_IMAGE_EMPTY, HMP_ERR_IMAGE_UNSUPPORTED, HMP_ERR_IMAGE_CORRUPT, HMP_ERR_IMAGE_TOO_LARGE,
 *   HMP_ERR_FRAME_SIZE, HMP_ERR_FRAME_FORMAT (input); HMP_ERR_MODEL_* (models); HMP_ERR_ENGINE_* (deadline, abort, overload)
 * @example
 * // UTKFace 2_0_2_20161219163447671.jpg.chip.jpg (200x200), as printed by `hmp faces --json`:
 * const r = await detectFaces(engine, await readFile('2_0_2_20161219163447671.jpg.chip.jpg'));
 * // { width: 200, height: 200, faces: [{ box: { x: 32.7, y: 11.5, width: 147.6, height: 147.6 }, score: 0.909,
 * //   keypoints: [{ name: 'rightEye', x: 74.3, y: 59.9 }, ...], angles: { pitch: 15.7, yaw: -6.4, roll: -0.1 },
 * //   attention: true, keypointsMeasured: true, age: 1.7, ageBand: 'child', gender: 'male', genderScore: 0.804,
 * //   emotion: 'angry', emotionScore: 0.39 }], timings: { ... } }
 * // With { descriptor: true } each face also has `descriptor`: 128 numbers of unit length.
 */
export function detectFaces(engine: Engine, image: ImageInput, options?: FaceDetectOptions): Promise<FaceDetectResult>;
export function detectFaces(engine: Engine, image: ImageInput[], options?: FaceDetectOptions): Promise<FaceDetectResult[]>;
export async function detectFaces(engine: Engine, image: ImageInput | ImageInput[], options: FaceDetectOptions = {}): Promise<FaceDetectResult | FaceDetectResult[]> {
  const { config, signal, timeoutMs } = resolveFaceOptions(options);
  const run = { ...(signal ? { signal } : {}), ...(timeoutMs ? { timeoutMs } : {}) };
  if (Array.isArray(image)) return Promise.all(image.map((img, i) => runFaceDetect(engine, img, config, run, `image[${i}]`)));
  return runFaceDetect(engine, image, config, run);
}
