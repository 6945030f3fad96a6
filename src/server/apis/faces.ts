/**
 * Faces as JSAPIs: `faceDetect` (named after `wx.faceDetect`), `vk.detectFace` (the `VKSession`
 * face anchors) and `/v1/stream/faces` (per-stream tracking with stable ids, dwell and attention).
 * @internal
 */
import { detectFaces, FaceTracker, toVkFaces, toWxFaceDetect, type FaceDetectOptions, type FaceTrackerOptions } from '../../tasks/face/index.js';
import type { JsApiDef, JsonSchema, StreamDef } from '../jsapi.js';

const DETECT_OPTIONS: Record<string, JsonSchema> = {
  minScore: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'Minimum detector score. Default 0.5.' },
  maxFaces: { type: 'integer', minimum: 1, maximum: 1000, description: 'Most faces returned. Default 20.' },
  minFaceSize: { type: 'integer', minimum: 0, maximum: 4096, description: 'Smallest face height (px) that must be found; large frames are tiled for it; 0 = one full-frame pass. Default 32.' },
  iouThreshold: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'Weighted-NMS IoU threshold. Default 0.3.' },
};

const obj: JsonSchema = { type: 'object', additionalProperties: true };
const box: JsonSchema = { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' }, width: { type: 'number' }, height: { type: 'number' } } };
const faceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    box,
    score: { type: 'number' },
    keypoints: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, x: { type: 'number' }, y: { type: 'number' } } } },
    angles: { type: 'object', properties: { pitch: { type: 'number' }, yaw: { type: 'number' }, roll: { type: 'number' } } },
    attention: { type: 'boolean' },
    age: { type: 'number' },
    ageBand: { type: 'string' },
    gender: { type: 'string' },
    genderScore: { type: 'number' },
    trackId: { type: 'integer' },
  },
};
const rect: JsonSchema = { type: 'object', properties: { originX: { type: 'number' }, originY: { type: 'number' }, width: { type: 'number' }, height: { type: 'number' } } };

function detectOptions(o: Record<string, unknown>): Omit<FaceDetectOptions, 'signal' | 'timeoutMs'> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(DETECT_OPTIONS)) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export const faceDetect: JsApiDef = {
  name: 'faceDetect',
  summary: 'Detect faces (wx.faceDetect): largest face in x/y/detectRect, every face in faceInfo and faces',
  description:
    'The top-level x, y, detectRect (and pointArray, confArray, angleArray when enabled) describe the largest face, as wx.faceDetect does; x = y = -1 without a face. faceInfo lists every face with enableMultiFace. faces holds hmp\'s full detail (box, score, 6 keypoints, head angles in degrees, attention, age, ageBand, gender). See docs/faces.md.',
  input: 'image',
  options: {
    properties: {
      enablePoint: { type: 'boolean', description: 'Include pointArray (6 points). Default false.' },
      enableConf: { type: 'boolean', description: 'Include confArray. Default false.' },
      enableAngle: { type: 'boolean', description: 'Include angleArray (degrees / 90). Default false.' },
      enableMultiFace: { type: 'boolean', description: 'Include faceInfo with every face. Default false.' },
      attributes: { type: 'boolean', description: 'Estimate age and gender. Default true.' },
      ...DETECT_OPTIONS,
    },
  },
  result: {
    required: ['x', 'y', 'detectRect', 'faces', 'width', 'height'],
    properties: {
      x: { type: 'number', description: 'Centre x of the largest face, -1 without a face' },
      y: { type: 'number' },
      detectRect: rect,
      pointArray: { type: 'array', items: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } } },
      confArray: obj,
      angleArray: { type: 'object', properties: { pitch: { type: 'number' }, yaw: { type: 'number' }, roll: { type: 'number' } } },
      faceInfo: { type: 'array', items: obj },
      faces: { type: 'array', items: faceSchema },
      width: { type: 'integer' },
      height: { type: 'integer' },
      timings: obj,
    },
  },
  async handler({ engine, image, options, signal, timeoutMs }) {
    const o: FaceDetectOptions = { ...detectOptions(options), signal, timeoutMs };
    if (options.attributes !== undefined) o.attributes = options.attributes as boolean;
    const r = await detectFaces(engine, image!, o);
    const wx = toWxFaceDetect(r, {
      enablePoint: options.enablePoint === true,
      enableConf: options.enableConf === true,
      enableAngle: options.enableAngle === true,
      enableMultiFace: options.enableMultiFace === true,
    });
    return { ...wx, faces: r.faces, width: r.width, height: r.height, timings: r.timings };
  },
};

export const vkDetectFace: JsApiDef = {
  name: 'vk.detectFace',
  path: 'vk/detectFace',
  summary: 'Face anchors as VKSession.detectFace gives them (normalised coordinates)',
  description: 'anchors: {id, type: 1, origin, size (fractions of the frame), points (6 keypoints), angle [pitch, yaw, roll] in radians, confidence}. Age and gender are off by default (anchors do not carry them).',
  input: 'image',
  options: { properties: { ...DETECT_OPTIONS } },
  result: {
    required: ['anchors', 'width', 'height'],
    properties: {
      anchors: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: true,
          properties: {
            id: { type: 'integer' },
            type: { type: 'integer' },
            origin: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } },
            size: { type: 'object', properties: { width: { type: 'number' }, height: { type: 'number' } } },
            points: { type: 'array', items: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } } },
            angle: { type: 'array', items: { type: 'number' } },
            confidence: { type: 'array', items: { type: 'number' } },
          },
        },
      },
      width: { type: 'integer' },
      height: { type: 'integer' },
    },
  },
  async handler({ engine, image, options, signal, timeoutMs }) {
    const r = await detectFaces(engine, image!, { ...detectOptions(options), attributes: false, signal, timeoutMs });
    return { anchors: toVkFaces(r), width: r.width, height: r.height };
  },
};

export const faceStream: StreamDef = {
  name: 'stream.faces',
  path: 'faces',
  summary: 'Face tracking over a camera stream: stable track ids, dwell, attention, smoothed age and gender',
  description:
    'Every processed frame yields {type: "faces", width, height, faces (each with trackId), tracks (alive, with dwellMs, attentionMs, age, gender), ended (tracks that left), timings, seq, dropped}. Attributes are sampled only until a track settles, so known faces cost little more than detection.',
  input: 'image',
  options: {
    properties: {
      ...DETECT_OPTIONS,
      maxMissingMs: { type: 'integer', minimum: 0, maximum: 3600000, description: 'A track unseen this long ends. Default 1500.' },
      attributeSamples: { type: 'integer', minimum: 0, maximum: 1000, description: 'Attribute samples averaged per track before it settles. Default 3.' },
      refreshMs: { type: 'integer', minimum: 0, maximum: 3600000, description: 'A settled track is sampled again after this long. Default 10000.' },
    },
  },
  open({ engine, options, signal }) {
    const o: FaceTrackerOptions = { detect: detectOptions(options) };
    for (const k of ['maxMissingMs', 'attributeSamples', 'refreshMs'] as const) if (options[k] !== undefined) o[k] = options[k] as number;
    const tracker = new FaceTracker(engine, o);
    let last = -Infinity;
    return {
      async push(input) {
        if (input.kind !== 'image') return;
        // Timestamps must increase; frames processed within one millisecond get the next one.
        last = Math.max(Date.now(), last + 1);
        const r = await tracker.push(input.image, last, { signal });
        return { type: 'faces', width: r.width, height: r.height, faces: r.faces, tracks: r.tracks, ended: r.ended, timings: r.timings };
      },
      close() {
        tracker.end();
      },
    };
  },
};
