/**
 * Face alignment from BlazeFace keypoints: a similarity transform (rotation by the eye-line
 * roll, uniform scale, translation) that maps the face into a square crop, warped with the
 * WASM kernels' bilinear `warpAffine`.
 * @internal
 */
import type { AffineMatrix, Kernels } from '../../runtime/wasm.js';
import { cropRows, type RgbImage } from './detect.js';

/** A detected face's geometry needed for alignment (image pixels). */
export interface FaceGeometry {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** 6 keypoints x/y interleaved: right eye, left eye, nose, mouth, right ear, left ear. */
  keypoints: readonly number[];
  /**
   * Face side to align with instead of the box's: set when the box comes from another detector
   * than the keypoints (FaceBoxes boxes are taller than the BlazeFace boxes the crop scales
   * were chosen with).
   */
  alignSide?: number;
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
  const boxSide = f.alignSide ?? Math.max(f.x2 - f.x1, f.y2 - f.y1);
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

/**
 * Warps the aligned square crop (same channel count as the image).
 *
 * Only the source rectangle the crop samples (its corners mapped back, plus 2 px for the
 * bilinear neighbours) is copied into the WASM kernels: a 1080p RGBA frame is 8 MB, a face
 * region a few hundred KB, and several crops are taken per face. Shifting the matrix's
 * translation by the rectangle's origin makes the result equal to warping the whole frame.
 */
export function alignedCrop(k: Kernels, img: RgbImage, f: FaceGeometry, size: number, scale: number, mirror = false): Uint8Array {
  const m = alignMatrix(f, size, scale, mirror);
  const r = sourceRect(m, size, img.width, img.height);
  if (!r || r.w * r.h * 2 >= img.width * img.height) return k.warpAffine(img.data, img.width, img.height, img.channels, m, size, size, 0);
  // Row copies in JS: the WASM crop would copy the whole frame into WASM memory first.
  const region = cropRows(img, r.x, r.y, r.w, r.h);
  // dst = A·(p_region + o) + t  →  translation t + A·o.
  const shifted = [m[0], m[1], m[2] + m[0] * r.x + m[1] * r.y, m[3], m[4], m[5] + m[3] * r.x + m[4] * r.y];
  return k.warpAffine(region, r.w, r.h, img.channels, shifted, size, size, 0);
}

/** The integer source rectangle (clamped to the image) sampled by a `size`² warp with source→crop matrix `m`; undefined if empty. */
export function sourceRect(m: readonly number[], size: number, width: number, height: number): { x: number; y: number; w: number; h: number } | undefined {
  const det = m[0] * m[4] - m[1] * m[3];
  if (!(Math.abs(det) > 1e-12)) return undefined;
  // Inverse of [a b c; d e f]: crop → source.
  const ia = m[4] / det;
  const ib = -m[1] / det;
  const id = -m[3] / det;
  const ie = m[0] / det;
  const ic = -(ia * m[2] + ib * m[5]);
  const iff = -(id * m[2] + ie * m[5]);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [u, v] of [[0, 0], [size - 1, 0], [0, size - 1], [size - 1, size - 1]]) {
    const x = ia * u + ib * v + ic;
    const y = id * u + ie * v + iff;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  const rx0 = Math.max(0, Math.floor(x0) - 2);
  const ry0 = Math.max(0, Math.floor(y0) - 2);
  const rx1 = Math.min(width, Math.ceil(x1) + 3);
  const ry1 = Math.min(height, Math.ceil(y1) + 3);
  if (!(rx1 > rx0 && ry1 > ry0)) return undefined;
  return { x: rx0, y: ry0, w: rx1 - rx0, h: ry1 - ry0 };
}
