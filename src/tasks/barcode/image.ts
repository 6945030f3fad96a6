/**
 * 8-bit luminance kernels for the barcode ladder: conversion from the frame formats, crop,
 * rotation, resampling, unsharp masking and local contrast normalisation. Plain TypeScript,
 * allocation per call, no state; each is O(pixels) with small constants. `sharpen`,
 * `normalizeLocal`, `blur` and `resize` are also the reference of the WASM kernels in
 * wasm/src/enhance.rs (byte-identical; the worker uses those, see {@link refEnhancer}).
 * @internal
 */
import type { FrameFormat } from '../../runtime/image/index.js';
import type { Enhancer, GrayImage } from '../../runtime/enhance-kernels.js';

/** A luminance image: `width * height` bytes, row-major, no padding. */
export type Gray = GrayImage;

/**
 * Luminance of a frame. NV21 and gray are zero-copy views (NV21's Y plane is luminance);
 * RGB(A) use the BT.601 weights zxing-wasm uses (306, 601, 117)/1024, so hmp and zxing-wasm
 * see the same pixels; fully transparent RGBA pixels are white (ZXing's convention).
 */
export function toGray(data: Uint8Array, width: number, height: number, format: FrameFormat): Gray {
  const n = width * height;
  if (format === 'gray' || format === 'nv21') return { data: data.subarray(0, n), width, height };
  const out = new Uint8Array(n);
  if (format === 'rgba') {
    // Fully transparent pixels read as white, as ZXing's BufferedImageLuminanceSource does:
    // they are usually transparent *black* in the file but meant (and rendered) as background.
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      out[i] = data[j + 3] === 0 ? 255 : (306 * data[j]! + 601 * data[j + 1]! + 117 * data[j + 2]! + 512) >> 10;
    }
    return { data: out, width, height };
  }
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[i] = (306 * data[j]! + 601 * data[j + 1]! + 117 * data[j + 2]! + 512) >> 10;
  }
  return { data: out, width, height };
}

/** Copies a rectangle (clamped to the image). */
export function crop(g: Gray, x: number, y: number, w: number, h: number): Gray {
  const x0 = Math.max(0, Math.min(g.width - 1, Math.floor(x)));
  const y0 = Math.max(0, Math.min(g.height - 1, Math.floor(y)));
  const cw = Math.max(1, Math.min(g.width - x0, Math.round(w)));
  const ch = Math.max(1, Math.min(g.height - y0, Math.round(h)));
  const out = new Uint8Array(cw * ch);
  for (let r = 0; r < ch; r++) out.set(g.data.subarray((y0 + r) * g.width + x0, (y0 + r) * g.width + x0 + cw), r * cw);
  return { data: out, width: cw, height: ch };
}

/** Exact rotation by a multiple of 90° clockwise (as ZXing's black-box tests rotate). */
export function rotate90(g: Gray, degrees: 0 | 90 | 180 | 270): Gray {
  if (degrees === 0) return g;
  const { width: w, height: h, data } = g;
  const out = new Uint8Array(w * h);
  if (degrees === 180) {
    for (let i = 0, n = w * h; i < n; i++) out[n - 1 - i] = data[i]!;
    return { data: out, width: w, height: h };
  }
  // 90° clockwise: (x, y) -> (h - 1 - y, x); 270°: (x, y) -> (y, w - 1 - x). Output is h wide.
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const v = data[row + x]!;
      if (degrees === 90) out[x * h + (h - 1 - y)] = v;
      else out[(w - 1 - x) * h + y] = v;
    }
  }
  return { data: out, width: h, height: w };
}

/**
 * Rotation by any angle (clockwise degrees) about the centre into the enlarged bounding box,
 * bilinear, border filled with the image's mean (a white or black border would add edges).
 * Returns the inverse mapping so positions can be taken back to the source frame.
 */
export function rotateAny(g: Gray, degrees: number): { image: Gray; toSource: (x: number, y: number) => { x: number; y: number } } {
  const t = (degrees * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const { width: w, height: h, data } = g;
  const W = Math.ceil(Math.abs(w * c) + Math.abs(h * s));
  const H = Math.ceil(Math.abs(w * s) + Math.abs(h * c));
  let sum = 0;
  for (let i = 0; i < data.length; i += 7) sum += data[i]!;
  const fill = Math.round(sum / Math.ceil(data.length / 7));
  const out = new Uint8Array(W * H);
  const cx = w / 2, cy = h / 2, CX = W / 2, CY = H / 2;
  for (let Y = 0; Y < H; Y++) {
    const dy = Y + 0.5 - CY;
    for (let X = 0; X < W; X++) {
      const dx = X + 0.5 - CX;
      // inverse rotation (counter-clockwise by t)
      const sx = c * dx + s * dy + cx - 0.5;
      const sy = -s * dx + c * dy + cy - 0.5;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 >= w - 1 || y0 >= h - 1) { out[Y * W + X] = fill; continue; }
      const fx = sx - x0, fy = sy - y0;
      const p = y0 * w + x0;
      const a = data[p]! + (data[p + 1]! - data[p]!) * fx;
      const b = data[p + w]! + (data[p + w + 1]! - data[p + w]!) * fx;
      out[Y * W + X] = (a + (b - a) * fy + 0.5) | 0;
    }
  }
  const toSource = (x: number, y: number) => {
    const dx = x - CX, dy = y - CY;
    return { x: c * dx + s * dy + cx, y: -s * dx + c * dy + cy };
  };
  return { image: { data: out, width: W, height: H }, toSource };
}

/** Bilinear resize to `scale` times the size (upscaling small codes, downscaling noise). */
export function resize(g: Gray, scale: number): Gray {
  const W = Math.max(1, Math.round(g.width * scale));
  const H = Math.max(1, Math.round(g.height * scale));
  const { width: w, height: h, data } = g;
  const out = new Uint8Array(W * H);
  const sx = w / W, sy = h / H;
  for (let Y = 0; Y < H; Y++) {
    let fy = (Y + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    let y0 = fy | 0;
    if (y0 >= h - 1) y0 = Math.max(0, h - 2);
    const ty = Math.min(1, fy - y0);
    const r0 = y0 * w, r1 = Math.min(h - 1, y0 + 1) * w;
    for (let X = 0; X < W; X++) {
      let fx = (X + 0.5) * sx - 0.5;
      if (fx < 0) fx = 0;
      let x0 = fx | 0;
      if (x0 >= w - 1) x0 = Math.max(0, w - 2);
      const tx = Math.min(1, fx - x0);
      const x1 = Math.min(w - 1, x0 + 1);
      const a = data[r0 + x0]! + (data[r0 + x1]! - data[r0 + x0]!) * tx;
      const b = data[r1 + x0]! + (data[r1 + x1]! - data[r1 + x0]!) * tx;
      out[Y * W + X] = (a + (b - a) * ty + 0.5) | 0;
    }
  }
  return { data: out, width: W, height: H };
}

/** Integral image (sums), (w+1) x (h+1), for O(1) box means. */
function integral(g: Gray): Float64Array {
  const { width: w, height: h, data } = g;
  const S = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += data[y * w + x]!;
      S[(y + 1) * (w + 1) + x + 1] = S[y * (w + 1) + x + 1]! + row;
    }
  }
  return S;
}

function boxMean(S: Float64Array, w: number, h: number, x: number, y: number, r: number): number {
  const x0 = Math.max(0, x - r), y0 = Math.max(0, y - r);
  const x1 = Math.min(w, x + r + 1), y1 = Math.min(h, y + r + 1);
  const W = w + 1;
  return (S[y1 * W + x1]! - S[y0 * W + x1]! - S[y1 * W + x0]! + S[y0 * W + x0]!) / ((x1 - x0) * (y1 - y0));
}

/**
 * Unsharp mask: `out = in + amount * (in - box_r(in))`. Restores edge contrast a fixed-focus
 * lens smears over a few pixels; `radius` should be about the blur width.
 */
export function sharpen(g: Gray, radius: number, amount: number): Gray {
  const { width: w, height: h, data } = g;
  const S = integral(g);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x]!;
      const o = v + amount * (v - boxMean(S, w, h, x, y, radius));
      out[y * w + x] = o < 0 ? 0 : o > 255 ? 255 : o;
    }
  }
  return { data: out, width: w, height: h };
}

/**
 * Local contrast normalisation: each pixel is centred on its neighbourhood mean and scaled by
 * the neighbourhood's standard deviation (floored so flat areas are not amplified into noise).
 * Evens out glare and shadows across a code.
 */
export function normalizeLocal(g: Gray, radius: number): Gray {
  const { width: w, height: h, data } = g;
  const S = integral(g);
  // Integral of squares, built inline (values up to 255^2 * pixels fit a double exactly).
  const Q = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x]!;
      row += v * v;
      Q[(y + 1) * (w + 1) + x + 1] = Q[y * (w + 1) + x + 1]! + row;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const m = boxMean(S, w, h, x, y, radius);
      const m2 = boxMean(Q, w, h, x, y, radius);
      const sd = Math.sqrt(Math.max(0, m2 - m * m));
      const o = 128 + (64 * (data[y * w + x]! - m)) / Math.max(sd, 8);
      out[y * w + x] = o < 0 ? 0 : o > 255 ? 255 : o;
    }
  }
  return { data: out, width: w, height: h };
}

/** Box blur (noise and halftone suppression before binarisation). */
export function blur(g: Gray, radius: number): Gray {
  const { width: w, height: h } = g;
  const S = integral(g);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = (boxMean(S, w, h, x, y, radius) + 0.5) | 0;
  return { data: out, width: w, height: h };
}

/** The TypeScript implementations as an {@link Enhancer} (reference of the WASM kernels). */
export const refEnhancer: Enhancer = Object.freeze({ sharpen, normalizeLocal, blur, resize });
