/**
 * Face detection pipeline (worker side): plan windows over the frame (one letterboxed
 * full-frame pass plus, for large frames, overlapping tiles so small faces reach the
 * detector at a size it sees), preprocess each window with the WASM kernels, run BlazeFace,
 * decode, drop tile detections cut by an inner tile edge, and merge everything with one
 * weighted NMS (MediaPipe's blending) in the WASM kernels.
 * @internal
 */
import type { Kernels } from '../../runtime/wasm.js';
import { BLAZEFACE_INPUT, decodeBlazeface, NUM_KEYPOINTS, type Candidates } from './blazeface.js';

/** An RGB(A) image in the worker. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Runs one model on one float32 input; outputs by name. Injected so tools can time raw ORT. */
export type ModelRunner = (model: string, input: Float32Array, dims: readonly number[]) => Promise<Record<string, Float32Array>>;

/** One square window of the frame fed to the detector, in image pixels (may overhang the frame). */
export interface DetectWindow {
  x: number;
  y: number;
  side: number;
  /** True for tiles: detections touching an edge inside the frame are dropped. */
  tile: boolean;
}

/** Detector settings resolved from the public options. */
export interface DetectSettings {
  /** Candidates below this sigmoid score are dropped before NMS. */
  minScore: number;
  /** Weighted-NMS IoU threshold. */
  iouThreshold: number;
  maxFaces: number;
  /** Smallest face height (px of the frame) the tiling plan must cover; 0 = full-frame pass only. */
  minFaceSize: number;
  /** Smallest tile side in frame pixels; below the model input the tile is upsampled. Default 256. */
  minTileSide?: number;
  /** Run the letterboxed full-frame window. Default true; `detector: 'both'` runs tiles only. */
  fullFrame?: boolean;
}

/** A detection in image pixels. */
export interface RawDetection {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  /** 6 keypoints, x/y interleaved, image pixels. */
  keypoints: number[];
  /** Side of the BlazeFace box the keypoints came from, when the box is FaceBoxes' (alignment). */
  alignSide?: number;
  /** False while the keypoints are a placeholder (FaceBoxes-only face, before refinement). */
  keypointsMeasured?: boolean;
}

/**
 * Smallest face, as a fraction of the window side, that BlazeFace back finds reliably.
 * Measured on WIDER val (docs/faces.md): recall falls off below ~20 px in the 256 input.
 */
export const MIN_FACE_FRACTION = 20 / BLAZEFACE_INPUT;

/**
 * Plans the detector windows: the whole frame letterboxed, then tiles of side
 * `minFaceSize / MIN_FACE_FRACTION` overlapping by a quarter, when that side is at most
 * 3/4 of the frame's long side (otherwise the full pass already sees such faces).
 */
export function planWindows(width: number, height: number, minFaceSize: number, minTileSide = BLAZEFACE_INPUT): DetectWindow[] {
  const long = Math.max(width, height);
  const out: DetectWindow[] = [{ x: 0, y: 0, side: long, tile: false }];
  if (!(minFaceSize > 0)) return out;
  const side = Math.max(minTileSide, Math.round(minFaceSize / MIN_FACE_FRACTION));
  if (side > 0.75 * long) return out;
  const overlap = Math.round(side / 4);
  const axis = (len: number): number[] => {
    if (side >= len) return [0];
    const n = Math.ceil((len - overlap) / (side - overlap));
    const step = (len - side) / (n - 1);
    return Array.from({ length: n }, (_, i) => Math.round(i * step));
  };
  for (const y of axis(height)) for (const x of axis(width)) out.push({ x, y, side, tile: true });
  return out;
}

/**
 * Halves an image until one more halving would go below the target, so the final bilinear
 * resize shrinks by less than 2x: bilinear without antialiasing aliases badly beyond that
 * (a 2x bilinear step with half-pixel centres is an exact 2x2 box filter).
 */
export function halveToward(k: Kernels, src: Uint8Array, w: number, h: number, c: 3 | 4, dw: number, dh: number) {
  while (w >= 2 * dw && h >= 2 * dh && w >= 4 && h >= 4) {
    const nw = w >> 1;
    const nh = h >> 1;
    src = k.resizeBilinear(src, w, h, c, nw, nh);
    w = nw;
    h = nh;
  }
  return { src, w, h };
}

const NORM = { layout: 'nchw', mean: [127.5], std: [127.5] } as const;

/**
 * The detector input for one window: NCHW float32 in [-1, 1] (the shipped BlazeFace models take
 * NCHW, `src/convert/cpu-layout.ts`), the window's visible part scaled by `S/side` and pasted at
 * the top-left of a black S×S canvas. Returns the exact per-axis scales used (rounding makes
 * them differ slightly from S/side).
 *
 * The visible part is resized (bytes) straight into the canvas when it spans the full width
 * (full-frame landscape pass, inner tiles): its rows are then a contiguous prefix and only the
 * black rows below are filled; other windows paste rows. One WASM pass normalises the canvas
 * into the tensor, so the black border comes out as exactly -1.
 */
export function windowTensor(k: Kernels, img: RgbImage, win: DetectWindow, out?: Float32Array, S: number = BLAZEFACE_INPUT): { tensor: Float32Array; sx: number; sy: number } {
  const c = img.channels;
  const x0 = Math.max(0, win.x);
  const y0 = Math.max(0, win.y);
  const x1 = Math.min(img.width, win.x + win.side);
  const y1 = Math.min(img.height, win.y + win.side);
  const iw = x1 - x0;
  const ih = y1 - y0;
  const pw = Math.max(1, Math.min(S, Math.round((iw * S) / win.side)));
  const ph = Math.max(1, Math.min(S, Math.round((ih * S) / win.side)));
  const region = iw === img.width && ih === img.height ? img.data : cropRows(img, x0, y0, iw, ih);
  const h = halveToward(k, region, iw, ih, c, pw, ph);
  const tensor = out ?? new Float32Array(S * S * 3);
  const same = h.w === pw && h.h === ph;
  let canvas: Uint8Array;
  if (pw === S && ph === S) canvas = same ? h.src : k.resizeBilinear(h.src, h.w, h.h, c, pw, ph);
  else {
    canvas = new Uint8Array(S * S * c);
    if (pw === S) {
      if (same) canvas.set(h.src);
      else k.resizeBilinear(h.src, h.w, h.h, c, pw, ph, canvas.subarray(0, pw * ph * c));
    } else {
      const small = same ? h.src : k.resizeBilinear(h.src, h.w, h.h, c, pw, ph);
      for (let r = 0; r < ph; r++) canvas.set(small.subarray(r * pw * c, (r + 1) * pw * c), r * S * c);
    }
  }
  k.normalize(canvas, S, S, c, NORM, tensor);
  return { tensor, sx: pw / iw, sy: ph / ih };
}

/**
 * A rectangle of the image as a packed copy, by row copies on the JS side: the WASM `crop` would
 * first copy the whole frame into WASM memory (8 MB for a 1080p RGBA frame, per window).
 */
export function cropRows(img: RgbImage, x: number, y: number, w: number, h: number): Uint8Array {
  const c = img.channels;
  const out = new Uint8Array(w * h * c);
  const row = w * c;
  for (let r = 0; r < h; r++) {
    const from = ((y + r) * img.width + x) * c;
    out.set(img.data.subarray(from, from + row), r * row);
  }
  return out;
}

/** Output names of the shipped BlazeFace back ONNX (Barracuda export of MediaPipe's model). */
export const BLAZEFACE_OUTPUTS = { scoresA: 'Identity:0', scoresB: 'Identity_1:0', regA: 'Identity_2:0', regB: 'Identity_3:0' } as const;

/** Detection candidates before the final NMS, in image pixels. */
export interface CandidateSet {
  /** `n·4`: x1, y1, x2, y2. */
  boxes: number[];
  scores: number[];
  /** `n·12`: 6 keypoints x, y. */
  keypoints: number[];
}

/**
 * Candidate `i` of a BlazeFace window (model units: fractions of the `S`-px input) in image
 * pixels: the window's input was cut at (`ox`, `oy`) and scaled by (`sx`, `sy`).
 */
export function candidateInImage(c: Candidates, i: number, ox: number, oy: number, S: number, sx: number, sy: number): { x1: number; y1: number; x2: number; y2: number; keypoints: number[] } {
  const keypoints = new Array<number>(2 * NUM_KEYPOINTS);
  for (let j = 0; j < NUM_KEYPOINTS; j++) {
    keypoints[2 * j] = ox + (c.keypoints[i * 12 + 2 * j] * S) / sx;
    keypoints[2 * j + 1] = oy + (c.keypoints[i * 12 + 2 * j + 1] * S) / sy;
  }
  return {
    x1: ox + (c.boxes[4 * i] * S) / sx,
    y1: oy + (c.boxes[4 * i + 1] * S) / sy,
    x2: ox + (c.boxes[4 * i + 2] * S) / sx,
    y2: oy + (c.boxes[4 * i + 3] * S) / sy,
    keypoints,
  };
}

/**
 * BlazeFace candidates over the planned windows (before NMS), in image pixels.
 * @param checkpoint called between windows so a deadline or abort stops a long tiled run.
 */
export async function blazefaceCandidates(
  k: Kernels,
  run: ModelRunner,
  model: string,
  img: RgbImage,
  s: DetectSettings,
  checkpoint: () => void = () => {},
  into: CandidateSet = { boxes: [], scores: [], keypoints: [] },
): Promise<CandidateSet> {
  const S = BLAZEFACE_INPUT;
  const windows = planWindows(img.width, img.height, s.minFaceSize, s.minTileSide).filter((w) => w.tile || s.fullFrame !== false);
  const { boxes, scores } = into;
  const kps = into.keypoints;
  const buf = windows.length > 0 ? new Float32Array(S * S * 3) : undefined;
  for (const win of windows) {
    const { tensor, sx, sy } = windowTensor(k, img, win, buf);
    const out = await run(model, tensor, [1, 3, S, S]);
    checkpoint();
    const c: Candidates = decodeBlazeface(out[BLAZEFACE_OUTPUTS.scoresA], out[BLAZEFACE_OUTPUTS.scoresB], out[BLAZEFACE_OUTPUTS.regA], out[BLAZEFACE_OUTPUTS.regB], s.minScore);
    const ox = Math.max(0, win.x);
    const oy = Math.max(0, win.y);
    // A face cut by a tile edge inside the frame is seen whole by a neighbouring tile
    // (overlap ≥ the largest face tiles are for) or by the full pass, so drop the fragment.
    const margin = 0.02 * win.side;
    const innerL = win.tile && win.x > 0 ? win.x + margin : -Infinity;
    const innerT = win.tile && win.y > 0 ? win.y + margin : -Infinity;
    const innerR = win.tile && win.x + win.side < img.width ? win.x + win.side - margin : Infinity;
    const innerB = win.tile && win.y + win.side < img.height ? win.y + win.side - margin : Infinity;
    for (let i = 0; i < c.scores.length; i++) {
      const d = candidateInImage(c, i, ox, oy, S, sx, sy);
      if (d.x1 < innerL || d.y1 < innerT || d.x2 > innerR || d.y2 > innerB) continue;
      boxes.push(d.x1, d.y1, d.x2, d.y2);
      scores.push(c.scores[i]);
      kps.push(...d.keypoints);
    }
  }
  return into;
}

/** One weighted NMS (MediaPipe blending, WASM) over candidates; boxes clipped to the image. */
export function mergeCandidates(k: Kernels, c: CandidateSet, img: { width: number; height: number }, s: Pick<DetectSettings, 'iouThreshold' | 'maxFaces'>): RawDetection[] {
  if (c.scores.length === 0) return [];
  const r = k.nms(Float32Array.from(c.boxes), Float32Array.from(c.scores), {
    method: 'weighted',
    iouThreshold: s.iouThreshold,
    maxOutput: s.maxFaces,
    extras: Float32Array.from(c.keypoints),
  });
  const dets: RawDetection[] = [];
  for (let i = 0; i < r.scores.length; i++) {
    const x1 = Math.max(0, r.boxes[4 * i]);
    const y1 = Math.max(0, r.boxes[4 * i + 1]);
    const x2 = Math.min(img.width, r.boxes[4 * i + 2]);
    const y2 = Math.min(img.height, r.boxes[4 * i + 3]);
    if (!(x2 > x1 && y2 > y1)) continue;
    dets.push({ x1, y1, x2, y2, score: r.scores[i], keypoints: Array.from(r.extras.subarray(i * 12, i * 12 + 12)) });
  }
  return dets;
}

/**
 * Detects faces in an RGB(A) image with BlazeFace (windows, then one weighted NMS).
 * @param checkpoint called between windows so a deadline or abort stops a long tiled run.
 */
export async function detectBlazeface(
  k: Kernels,
  run: ModelRunner,
  model: string,
  img: RgbImage,
  s: DetectSettings,
  checkpoint: () => void = () => {},
): Promise<RawDetection[]> {
  return mergeCandidates(k, await blazefaceCandidates(k, run, model, img, s, checkpoint), img, s);
}
