/**
 * BlazeFace (MediaPipe "face_detection_back", 256x256) anchors and output decoding.
 *
 * The model regresses, for each of 896 SSD anchors, a box centre/size and 6 keypoints in
 * input pixels relative to the anchor centre, plus one logit. The anchor layout and the
 * decoding follow MediaPipe's `SsdAnchorsCalculator` and `TensorsToDetectionsCalculator`
 * options of `face_detection_back_desktop_live.pbtxt` (strides 16/32/32/32, fixed anchor
 * size, offset 0.5, scales x/y/w/h = 256); only the centres matter because every anchor has
 * unit size.
 * @internal
 */

/** Side of the square model input in pixels. */
export const BLAZEFACE_INPUT = 256;
/** Keypoints per face, in MediaPipe order (the subject's right eye is on the image's left). */
export const KEYPOINT_NAMES = Object.freeze(['rightEye', 'leftEye', 'nose', 'mouth', 'rightEar', 'leftEar'] as const);
export type KeypointName = (typeof KEYPOINT_NAMES)[number];
export const NUM_KEYPOINTS = 6;

/** Anchor centres as `[x0, y0, x1, y1, ...]` in [0, 1] of the model input. */
export function blazefaceAnchors(inputSize = BLAZEFACE_INPUT, strides: readonly number[] = [16, 32, 32, 32]): Float32Array {
  const out: number[] = [];
  let layer = 0;
  while (layer < strides.length) {
    const stride = strides[layer];
    // Consecutive layers of equal stride share one grid; each contributes 2 anchors per cell
    // (aspect ratio 1 plus the interpolated scale), exactly as SsdAnchorsCalculator does.
    let perCell = 0;
    let last = layer;
    while (last < strides.length && strides[last] === stride) {
      perCell += 2;
      last++;
    }
    const g = Math.ceil(inputSize / stride);
    for (let y = 0; y < g; y++) {
      for (let x = 0; x < g; x++) {
        for (let a = 0; a < perCell; a++) out.push((x + 0.5) / g, (y + 0.5) / g);
      }
    }
    layer = last;
  }
  return Float32Array.from(out);
}

const ANCHORS = blazefaceAnchors();
/** Number of anchors of the back model (16·16·2 + 8·8·6). */
export const NUM_ANCHORS = ANCHORS.length / 2;

/** Candidates decoded from one model run, in [0, 1] of the model input. */
export interface Candidates {
  /** `n·4` floats: x1, y1, x2, y2. */
  boxes: number[];
  /** `n` sigmoid scores. */
  scores: number[];
  /** `n·12` floats: keypoints x, y. */
  keypoints: number[];
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, v))));

/** Side of the front (short-range) model's input. */
export const BLAZEFACE_FRONT_INPUT = 128;

/**
 * Decodes the back model's outputs (`scores` as 512 + 384 logits, `regressors` as 512·16 +
 * 384·16 values, the model's two output heads concatenated in anchor order) into candidates
 * scoring at least `minScore`, appended to `into`. The front model's outputs decode the same way
 * with `inputSize` 128.
 */
export function decodeBlazeface(
  scoresA: Float32Array,
  scoresB: Float32Array,
  regA: Float32Array,
  regB: Float32Array,
  minScore: number,
  into: Candidates = { boxes: [], scores: [], keypoints: [] },
  inputSize: number = BLAZEFACE_INPUT,
): Candidates {
  const nA = scoresA.length;
  // The logit threshold avoids an exp() per anchor: sigmoid(v) >= s  <=>  v >= logit(s).
  const minLogit = minScore <= 0 ? -Infinity : minScore >= 1 ? Infinity : Math.log(minScore / (1 - minScore));
  // The front model (128 px, strides 8/16) has the same normalised anchor centres as the back
  // model (256 px, strides 16/32); only the pixel scale of its regressors differs.
  const s = inputSize;
  for (let i = 0; i < NUM_ANCHORS; i++) {
    const logit = i < nA ? scoresA[i] : scoresB[i - nA];
    if (!(logit >= minLogit)) continue;
    const reg = i < nA ? regA : regB;
    const o = (i < nA ? i : i - nA) * 16;
    const ax = ANCHORS[2 * i];
    const ay = ANCHORS[2 * i + 1];
    const cx = reg[o] / s + ax;
    const cy = reg[o + 1] / s + ay;
    const w = reg[o + 2] / s;
    const h = reg[o + 3] / s;
    if (!(w > 0 && h > 0)) continue;
    into.boxes.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
    into.scores.push(sigmoid(logit));
    for (let k = 0; k < NUM_KEYPOINTS; k++) into.keypoints.push(reg[o + 4 + 2 * k] / s + ax, reg[o + 5 + 2 * k] / s + ay);
  }
  return into;
}
