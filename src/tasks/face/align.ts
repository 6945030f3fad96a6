/**
 * Face alignment from BlazeFace keypoints: a similarity transform (rotation by the eye-line
 * roll, uniform scale, translation) that maps the face into a square crop, warped with the
 * WASM kernels' bilinear `warpAffine`.
 * @internal
 */
import type { AffineMatrix, Kernels } from '../../runtime/wasm.js';
import type { RgbImage } from './detect.js';

/** A detected face's geometry needed for alignment (image pixels). */
export interface FaceGeometry {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** 6 keypoints x/y interleaved: right eye, left eye, nose, mouth, right ear, left ear. */
  keypoints: readonly number[];
}

/** Roll in radians: the angle of the line from the subject's right eye to their left eye. */
export function rollOf(f: FaceGeometry): number {
  const k = f.keypoints;
  return Math.atan2(k[3] - k[1], k[2] - k[0]);
}

/**
 * Source→crop matrix: the crop of side `size` is centred on the face centre (the midpoint of
 * eye centre and mouth, which stays on the face under yaw, unlike the box centre), rotated by
 * the roll so the eyes are level, and spans `scale` times the face size (the larger of the
 * detector box side and 1.9 × the eye–mouth distance, which is robust to loose boxes).
 */
export function alignMatrix(f: FaceGeometry, size: number, scale: number, mirror = false): AffineMatrix {
  const k = f.keypoints;
  const ex = (k[0] + k[2]) / 2;
  const ey = (k[1] + k[3]) / 2;
  const cx = (ex + k[6]) / 2;
  const cy = (ey + k[7]) / 2;
  const boxSide = Math.max(f.x2 - f.x1, f.y2 - f.y1);
  const em = Math.hypot(k[6] - ex, k[7] - ey);
  const face = Math.max(boxSide, 1.9 * em);
  const s = size / (scale * face);
  const a = -rollOf(f);
  const cos = Math.cos(a) * s;
  const sin = Math.sin(a) * s;
  // p' = s·R(−roll)·(p − c) + size/2, with pixel centres at integer coordinates.
  const h = (size - 1) / 2;
  const m = [cos, -sin, h - cos * cx + sin * cy, sin, cos, h - sin * cx - cos * cy];
  // Mirroring (x' → size − 1 − x') gives the flipped crop for test-time augmentation.
  return mirror ? [-m[0], -m[1], size - 1 - m[2], m[3], m[4], m[5]] : m;
}

/** Warps the aligned square crop (same channel count as the image). */
export function alignedCrop(k: Kernels, img: RgbImage, f: FaceGeometry, size: number, scale: number, mirror = false): Uint8Array {
  return k.warpAffine(img.data, img.width, img.height, img.channels, alignMatrix(f, size, scale, mirror), size, size, 0);
}
