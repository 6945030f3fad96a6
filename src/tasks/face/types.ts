/**
 * Face result and option types: hmp's rich result (boxes in pixels of the input image,
 * keypoints, head angles, attention, attributes, track ids) — the shape `hmp faces --json`
 * prints and the `/v1/faceDetect` route maps from.
 */
import type { KeypointName } from './blazeface.js';
import type { FaceAngles } from './pose.js';

export type { FaceAngles } from './pose.js';
export type { KeypointName } from './blazeface.js';
export type { Gender, Emotion } from './attributes.js';
import type { Emotion } from './attributes.js';

/** A box in pixels of the input image. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One named keypoint in pixels of the input image. */
export interface FaceKeypoint {
  name: KeypointName;
  x: number;
  y: number;
}

/** Age bands the recommender works with (years, lower bound inclusive). */
export type AgeBand = 'child' | 'teen' | 'young-adult' | 'adult' | 'middle-aged' | 'senior';

/** One face. */
export interface DetectedFace {
  box: FaceBox;
  /** Detector confidence in [0, 1]. */
  score: number;
  /** 6 keypoints: right eye, left eye, nose, mouth, right ear, left ear (the subject's sides). */
  keypoints: FaceKeypoint[];
  /** Head angles in degrees (roll exact, yaw/pitch estimated from keypoints). */
  angles: FaceAngles;
  /**
   * Whether the face is turned towards the camera (|yaw| and |pitch| ≤ 25°). Always false when
   * `keypointsMeasured` is false (the angles are then unknown).
   */
  attention: boolean;
  /**
   * Whether the keypoints (and so `angles` and `attention`) were measured by BlazeFace. False for
   * a face only FaceBoxes found that no BlazeFace run confirmed (beyond the first 8 per frame,
   * or too small/turned for BlazeFace): its keypoints are an average face's placed in the box
   * and its angles are 0.
   */
  keypointsMeasured: boolean;
  /** Estimated age in years (attributes on). */
  age?: number;
  ageBand?: AgeBand;
  gender?: 'male' | 'female';
  /** Probability of the reported gender, in [0.5, 1]. */
  genderScore?: number;
  /** Most likely facial expression (option `emotion`, on by default with attributes). */
  emotion?: Emotion;
  /** Probability of `emotion`, in [0, 1]. */
  emotionScore?: number;
  /**
   * Advisory anti-spoof "real face" score in [0, 1] (option `antispoof`): low values suggest a
   * printed photo or a screen. Not a security control: see docs/faces.md.
   */
  antispoof?: number;
  /**
   * 128-d L2-normalised face descriptor (option `descriptor`): two faces whose
   * `descriptorDistance` is below `FACE_DESCRIPTOR_THRESHOLD` are taken for the same person.
   */
  descriptor?: number[];
  /** Stable id across frames (FaceTracker only). */
  trackId?: number;
}

/** Result of {@link detectFaces} for one image. */
export interface FaceDetectResult {
  width: number;
  height: number;
  /** Best first; `[]` when there is no face. */
  faces: DetectedFace[];
  /** Milliseconds spent in the worker (decode to result) and in model runs; `windows`: detector runs (FaceBoxes and BlazeFace back). */
  timings: { totalMs: number; detectMs: number; attributesMs: number; windows: number };
}

/** Options of {@link detectFaces}. */
export interface FaceDetectOptions {
  /**
   * Face detector: `both` (FaceBoxes on the frame plus BlazeFace back on the small-face tiles,
   * candidates merged by one weighted NMS, BlazeFace's scores calibrated down; BlazeFace back on
   * the whole frame only when FaceBoxes finds nothing; keypoints from BlazeFace, back or front on
   * the face's crop), `faceboxes` (FaceBoxes alone,
   * one pass scaled per `faceboxesSize`; keypoints from a BlazeFace front run on each face's
   * crop) or `blazeface` (BlazeFace back, 256-px windows tiled per `minFaceSize`). Default
   * `'both'` (best recall on WIDER and on 720p composites at few false positives, docs/faces.md).
   */
  detector?: FaceDetector;
  /**
   * FaceBoxes input size: `0` (default) scales the frame so a `minFaceSize` face is ~40 px in
   * the model input (at most 4x, long side ≤ 2560; `minFaceSize` 0 = native size); 128..4096
   * fixes the input's long side in pixels instead.
   */
  faceboxesSize?: number;
  /** Minimum detector score in (0, 1). Default `0.5` (MediaPipe's; 0.3 trades false positives for recall, see docs/faces.md). */
  minScore?: number;
  /** Most faces returned, 1..1000. Default `20`. */
  maxFaces?: number;
  /**
   * Smallest face height in pixels that must be found, 0..4096. Frames whose long side is more
   * than ~1.7× 13 times that are tiled (overlapping 256-px-model windows); `0` = one full-frame
   * pass (finds faces ≥ ~8% of the long side). Default `32`.
   */
  minFaceSize?: number;
  /** Estimate age and gender (face-api age-gender net, flip-averaged). Default `true`. */
  attributes?: boolean;
  /** Weighted-NMS IoU threshold in (0, 1). Default `0.3`. */
  iouThreshold?: number;
  /** With attributes: the facial expression (`emotion` model, 64-px gray crop, ~1 ms). Default `true`. */
  emotion?: boolean;
  /** With attributes: the advisory anti-spoof score (`antispoof` model). Default `false`. */
  antispoof?: boolean;
  /** With attributes: the 128-d face descriptor (face-api's ResNet, 150-px crop). Default `false`. */
  descriptor?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Face detectors {@link FaceDetectOptions.detector} accepts. */
export const FACE_DETECTORS = Object.freeze(['blazeface', 'faceboxes', 'both'] as const);
export type FaceDetector = (typeof FACE_DETECTORS)[number];

/** Defaults of {@link FaceDetectOptions}. */
export const FACE_DEFAULTS = Object.freeze({ detector: 'both' as FaceDetector, faceboxesSize: 0, minScore: 0.5, maxFaces: 20, minFaceSize: 32, attributes: true, iouThreshold: 0.3, emotion: true, antispoof: false, descriptor: false });

/** Maps an age to its band. */
export function ageBand(age: number): AgeBand {
  if (age < 13) return 'child';
  if (age < 18) return 'teen';
  if (age < 30) return 'young-adult';
  if (age < 45) return 'adult';
  if (age < 60) return 'middle-aged';
  return 'senior';
}
