/**
 * Head pose from BlazeFace's 6 keypoints. Roll is exact up to keypoint noise (the eye line).
 * Yaw and pitch are geometric estimates, good enough to tell "looking at the screen" from
 * "looking away" (±15° typical error), not a 3D head model:
 *  - yaw: the nose tip's offset from the ear midpoint, in half ear-distances, after removing
 *    roll; on a head of ear half-width E and nose depth R in front of the ear axis the offset
 *    is (R/E)·tan(yaw), R/E ≈ 1.3 for adults;
 *  - pitch: where the nose tip falls between eye line and mouth (t), against the frontal
 *    value t₀; with the nose tip d in front of the eye–mouth plane and eye–mouth distance L,
 *    t − t₀ ≈ (d/L)·sin(pitch), d/L ≈ 0.4.
 * @internal
 */
import type { FaceGeometry } from './align.js';
import { rollOf } from './align.js';

/** Head angles in degrees. */
export interface FaceAngles {
  /** Positive: head tilted down (nose towards the mouth). */
  pitch: number;
  /** Positive: face turned towards the image's right (the subject's left). */
  yaw: number;
  /** Positive: the eye line rotates clockwise in the image. */
  roll: number;
}

/** Frontal t₀ (nose tip between eye line 0 and mouth 1); see docs/faces.md for its measurement. */
export const FRONTAL_NOSE_T = 0.5;
const NOSE_DEPTH_OVER_HALF_EARS = 1.3;
const NOSE_DEPTH_OVER_EYE_MOUTH = 0.4;
const DEG = 180 / Math.PI;

/** Keypoints rotated by −roll about the eye centre, so the eye line is horizontal. */
function derolled(f: FaceGeometry): number[] {
  const k = f.keypoints;
  const a = -rollOf(f);
  const c = Math.cos(a);
  const s = Math.sin(a);
  const ox = (k[0] + k[2]) / 2;
  const oy = (k[1] + k[3]) / 2;
  const out: number[] = [];
  for (let i = 0; i < 6; i++) {
    const x = k[2 * i] - ox;
    const y = k[2 * i + 1] - oy;
    out.push(c * x - s * y, s * x + c * y);
  }
  return out;
}

/** Where the nose tip sits between eye line (0) and mouth (1), roll removed. */
export function noseT(f: FaceGeometry): number {
  const p = derolled(f);
  return p[7] > 0 ? p[5] / p[7] : FRONTAL_NOSE_T;
}

/** Estimates pitch, yaw and roll (degrees) from keypoints. */
export function estimateAngles(f: FaceGeometry): FaceAngles {
  const p = derolled(f);
  const earMidX = (p[8] + p[10]) / 2;
  const halfEars = Math.abs(p[10] - p[8]) / 2;
  const yaw = halfEars > 0 ? Math.atan((p[4] - earMidX) / halfEars / NOSE_DEPTH_OVER_HALF_EARS) * DEG : 0;
  const t = p[7] > 0 ? p[5] / p[7] : FRONTAL_NOSE_T;
  const sp = Math.max(-1, Math.min(1, (t - FRONTAL_NOSE_T) / NOSE_DEPTH_OVER_EYE_MOUTH));
  const pitch = Math.asin(sp) * DEG;
  return { pitch, yaw, roll: rollOf(f) * DEG };
}

/** Largest |yaw| and |pitch| (degrees) at which a face counts as looking at the screen. */
export const ATTENTION_LIMITS = Object.freeze({ yaw: 25, pitch: 25 });

/** Whether a face is turned towards the camera (and so, for a screen-mounted camera, the screen). */
export function isAttentive(a: FaceAngles): boolean {
  return Math.abs(a.yaw) <= ATTENTION_LIMITS.yaw && Math.abs(a.pitch) <= ATTENTION_LIMITS.pitch;
}
