/**
 * WeChat result shapes from hmp's {@link FaceDetectResult}: `wx.faceDetect` (WMPF / VisionKit
 * legacy API) and the `VKSession` face anchors. Pure functions; the JSAPI layer adds `errMsg`.
 */
import type { DetectedFace, FaceDetectResult } from './types.js';

/** `wx.faceDetect` request flags that shape the answer. */
export interface WxFaceDetectOptions {
  /** Include `pointArray`. Default `false`. */
  enablePoint?: boolean;
  /** Include `confArray`. Default `false`. */
  enableConf?: boolean;
  /** Include `angleArray`. Default `false`. */
  enableAngle?: boolean;
  /** Include `faceInfo[]` with every face. Default `false`. */
  enableMultiFace?: boolean;
}

/** One face in `wx.faceDetect` form. */
export interface WxFaceInfo {
  /** Face centre x, px; -1 without a face. */
  x: number;
  /** Face centre y, px; -1 without a face. */
  y: number;
  detectRect: { originX: number; originY: number; width: number; height: number };
  /** 6 points (right eye, left eye, nose, mouth, right ear, left ear) instead of WeChat's 106. */
  pointArray?: { x: number; y: number }[];
  /** Detector score for `global`; the parts carry the same score (BlazeFace has no per-part confidence), or 0 when the keypoints are a template (`keypointsMeasured` false). */
  confArray?: { global: number; leftEye: number; rightEye: number; mouth: number; nose: number };
  /** Angles as degrees / 90, clamped to [-1, 1] (0 = facing the camera). */
  angleArray?: { pitch: number; yaw: number; roll: number };
}

/** `wx.faceDetect` success payload (without `errMsg`). */
export interface WxFaceDetectResult extends WxFaceInfo {
  faceInfo?: WxFaceInfo[];
}

const clamp1 = (v: number) => Math.max(-1, Math.min(1, v));
const r3 = (v: number) => Math.round(v * 1000) / 1000;

function wxFace(f: DetectedFace, o: WxFaceDetectOptions): WxFaceInfo {
  const out: WxFaceInfo = {
    x: Math.round((f.box.x + f.box.width / 2) * 10) / 10,
    y: Math.round((f.box.y + f.box.height / 2) * 10) / 10,
    detectRect: { originX: f.box.x, originY: f.box.y, width: f.box.width, height: f.box.height },
  };
  if (o.enablePoint) out.pointArray = f.keypoints.map((p) => ({ x: p.x, y: p.y }));
  if (o.enableConf) {
    // Parts carry the detector score when BlazeFace measured them, 0 for template keypoints.
    const part = f.keypointsMeasured === false ? 0 : f.score;
    out.confArray = { global: f.score, leftEye: part, rightEye: part, mouth: part, nose: part };
  }
  if (o.enableAngle) out.angleArray = { pitch: r3(clamp1(f.angles.pitch / 90)), yaw: r3(clamp1(f.angles.yaw / 90)), roll: r3(clamp1(f.angles.roll / 90)) };
  return out;
}

/**
 * `wx.faceDetect` view: the top-level fields describe the largest face (WeChat's API is
 * single-face); `faceInfo` lists every face when `enableMultiFace`. No face gives
 * `x = y = -1` and an empty `detectRect`.
 * @example
 * toWxFaceDetect(result, { enableAngle: true })
 * // { x: 201.3, y: 214.9, detectRect: { originX: 143.2, originY: 157.1, width: 116.2, height: 115.6 },
 * //   angleArray: { pitch: 0.05, yaw: -0.031, roll: 0.012 } }
 */
export function toWxFaceDetect(result: FaceDetectResult, options: WxFaceDetectOptions = {}): WxFaceDetectResult {
  const faces = [...result.faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  const main: WxFaceDetectResult = faces.length
    ? wxFace(faces[0], options)
    : { x: -1, y: -1, detectRect: { originX: 0, originY: 0, width: 0, height: 0 } };
  if (options.enableMultiFace) main.faceInfo = faces.map((f) => wxFace(f, options));
  return main;
}

/** One `VKSession` face anchor (normalised coordinates). */
export interface VkFaceAnchor {
  /** Track id when tracked, else the index in the result. */
  id: number;
  type: 1;
  /** Top-left corner in [0, 1] of the frame. */
  origin: { x: number; y: number };
  size: { width: number; height: number };
  /** 6 keypoints in [0, 1] (VisionKit gives 106). */
  points: { x: number; y: number }[];
  /** [pitch, yaw, roll] in radians. */
  angle: [number, number, number];
  /** Per-point confidence (the detector score for each). */
  confidence: number[];
}

/** `VKSession` face anchors (`updateAnchors` / `detectFace` results) from a result. */
export function toVkFaces(result: FaceDetectResult): VkFaceAnchor[] {
  const W = result.width;
  const H = result.height;
  const rad = Math.PI / 180;
  return result.faces.map((f, i) => ({
    id: f.trackId ?? i,
    type: 1 as const,
    origin: { x: r3(f.box.x / W), y: r3(f.box.y / H) },
    size: { width: r3(f.box.width / W), height: r3(f.box.height / H) },
    points: f.keypoints.map((p) => ({ x: r3(p.x / W), y: r3(p.y / H) })),
    angle: [r3(f.angles.pitch * rad), r3(f.angles.yaw * rad), r3(f.angles.roll * rad)],
    confidence: f.keypoints.map(() => f.score),
  }));
}
