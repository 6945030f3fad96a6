/**
 * Option resolution and the engine call shared by {@link detectFaces} and the tracker.
 * @internal
 */
import type { Engine } from '../../engine/engine.js';
import { prepareImage } from '../../runtime/image/index.js';
import * as is from '../../is.js';
import { FACE_DEFAULTS, FACE_DETECTORS, type FaceDetectOptions, type FaceDetectResult } from './types.js';
import type { FaceConfig, FacePayload } from './worker.js';

const KEYS = ['detector', 'faceboxesSize', 'minScore', 'maxFaces', 'minFaceSize', 'attributes', 'iouThreshold', 'emotion', 'antispoof', 'descriptor', 'signal', 'timeoutMs'] as const;

/**
 * Validates options into the worker config (a copy; the caller's object is never written).
 * @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE
 */
export function resolveFaceOptions(options: FaceDetectOptions, name = 'options'): { config: FaceConfig; signal?: AbortSignal; timeoutMs?: number } {
  if (!is.isObject(options)) throw is.invalid('options object', name, options);
  is.knownKeys(options as Record<string, unknown>, KEYS, name);
  const o = options;
  const num = (k: 'minScore' | 'iouThreshold', lo: number, hi: number) => {
    const v = o[k] === undefined ? FACE_DEFAULTS[k] : is.number(o[k], `${name}.${k}`, lo, hi);
    if (v <= lo || v >= hi) throw is.outOfRange(`number in (${lo}, ${hi})`, `${name}.${k}`, v);
    return v;
  };
  const config: FaceConfig = {
    detector: o.detector === undefined ? FACE_DEFAULTS.detector : is.oneOf(o.detector, `${name}.detector`, FACE_DETECTORS),
    faceboxesSize: o.faceboxesSize === undefined || o.faceboxesSize === 0 ? FACE_DEFAULTS.faceboxesSize : is.integer(o.faceboxesSize, `${name}.faceboxesSize`, 128, 4096),
    minScore: num('minScore', 0, 1),
    iouThreshold: num('iouThreshold', 0, 1),
    maxFaces: o.maxFaces === undefined ? FACE_DEFAULTS.maxFaces : is.integer(o.maxFaces, `${name}.maxFaces`, 1, 1000),
    minFaceSize: o.minFaceSize === undefined ? FACE_DEFAULTS.minFaceSize : is.number(o.minFaceSize, `${name}.minFaceSize`, 0, 4096),
    attributes: (o.attributes === undefined ? FACE_DEFAULTS.attributes : is.boolean(o.attributes, `${name}.attributes`)) ? 'all' : 'none',
    emotion: o.emotion === undefined ? FACE_DEFAULTS.emotion : is.boolean(o.emotion, `${name}.emotion`),
    antispoof: o.antispoof === undefined ? FACE_DEFAULTS.antispoof : is.boolean(o.antispoof, `${name}.antispoof`),
    descriptor: o.descriptor === undefined ? FACE_DEFAULTS.descriptor : is.boolean(o.descriptor, `${name}.descriptor`),
  };
  const out: { config: FaceConfig; signal?: AbortSignal; timeoutMs?: number } = { config };
  if (o.signal !== undefined) {
    if (!(o.signal instanceof AbortSignal)) throw is.invalid('AbortSignal', `${name}.signal`, o.signal);
    out.signal = o.signal;
  }
  if (o.timeoutMs !== undefined) out.timeoutMs = is.integer(o.timeoutMs, `${name}.timeoutMs`, 1, 3_600_000);
  return out;
}

/** Prepares one image (validated, transferred) and runs `face.detect`. */
export function runFaceDetect(engine: Engine, image: unknown, config: FaceConfig, run: { signal?: AbortSignal; timeoutMs?: number }, name = 'image'): Promise<FaceDetectResult> {
  const { payload, transfer } = prepareImage(image, name, engine.options.maxPixels);
  const p: FacePayload = { image: payload, config };
  return engine.run<FaceDetectResult>('face.detect', p, { transfer, ...(run.signal ? { signal: run.signal } : {}), ...(run.timeoutMs ? { timeoutMs: run.timeoutMs } : {}) });
}
