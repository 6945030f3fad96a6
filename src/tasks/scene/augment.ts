/**
 * Image edits on analysis-size RGBA frames, used for training augmentation (blur, darken: so
 * the classifier cannot key on the dataset's blurrier fire frames), the blur-robustness check
 * and the synthetic tamper sequences (cover, blind, defocus, shift).
 * @internal
 */

/** Separable box blur of radius r, applied `passes` times (3 passes approximate a Gaussian). */
export function boxBlur(src: Uint8Array, W: number, H: number, r: number, passes = 2): Uint8Array {
  let a = Uint8Array.from(src);
  let b = new Uint8Array(src.length);
  const n = 2 * r + 1;
  for (let p = 0; p < passes; p++) {
    for (let y = 0; y < H; y++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += a[(y * W + Math.min(W - 1, Math.max(0, k))) * 4 + c];
        for (let x = 0; x < W; x++) {
          b[(y * W + x) * 4 + c] = Math.round(s / n);
          s += a[(y * W + Math.min(W - 1, x + r + 1)) * 4 + c] - a[(y * W + Math.max(0, x - r)) * 4 + c];
        }
      }
    }
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += b[(Math.min(H - 1, Math.max(0, k)) * W + x) * 4 + c];
        for (let y = 0; y < H; y++) {
          a[(y * W + x) * 4 + c] = Math.round(s / n);
          s += b[(Math.min(H - 1, y + r + 1) * W + x) * 4 + c] - b[(Math.max(0, y - r) * W + x) * 4 + c];
        }
      }
    }
  }
  for (let i = 3; i < a.length; i += 4) a[i] = 255;
  b = a;
  return b;
}

/** Scales brightness by `gain` after a gamma curve (a dim kitchen at night). */
export function darken(src: Uint8Array, gain: number, gamma = 1.3): Uint8Array {
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.round(255 * gain * Math.pow(v / 255, gamma));
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i += 4) {
    out[i] = lut[src[i]]; out[i + 1] = lut[src[i + 1]]; out[i + 2] = lut[src[i + 2]]; out[i + 3] = 255;
  }
  return out;
}

/**
 * Covers the view with a dark blob (a hand, a sticker, a towel): an ellipse centred at
 * (cx, cy) (fractions) with radii (rx, ry) (fractions), near-black with a little noise.
 */
export function coverBlob(src: Uint8Array, W: number, H: number, cx: number, cy: number, rx: number, ry: number, seed = 1): Uint8Array {
  const out = Uint8Array.from(src);
  let s = seed >>> 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const dx = (x / W - cx) / rx, dy = (y / H - cy) / ry;
      if (dx * dx + dy * dy > 1) continue;
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const v = 8 + (s >>> 28);
      const o = (y * W + x) * 4;
      out[o] = v; out[o + 1] = v; out[o + 2] = v;
    }
  }
  return out;
}

/** Blinds the sensor: a strong light saturates most of the frame. */
export function saturate(src: Uint8Array, gain = 3.5): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i += 4) {
    out[i] = Math.min(255, Math.round(src[i] * gain + 60));
    out[i + 1] = Math.min(255, Math.round(src[i + 1] * gain + 60));
    out[i + 2] = Math.min(255, Math.round(src[i + 2] * gain + 60));
    out[i + 3] = 255;
  }
  return out;
}

/** Turns the camera: the view shifted by (dx, dy) pixels, edges repeated. */
export function shiftView(src: Uint8Array, W: number, H: number, dx: number, dy: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(H - 1, Math.max(0, y - dy));
    for (let x = 0; x < W; x++) {
      const sx = Math.min(W - 1, Math.max(0, x - dx));
      const o = (y * W + x) * 4, q = (sy * W + sx) * 4;
      out[o] = src[q]; out[o + 1] = src[q + 1]; out[o + 2] = src[q + 2]; out[o + 3] = 255;
    }
  }
  return out;
}
