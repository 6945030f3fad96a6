/**
 * hmp — perception engine for hardware mini-program devices.
 * The only public entry: the Engine, its options, result types and error codes.
 */
export { Engine, type RunOptions, type EngineStats } from './engine/engine.js';
export { type EngineOptions, ENGINE_DEFAULTS } from './config.js';
export { type TaskDefinition } from './engine/registry.js';
export { type TaskContext, type TaskHandler } from './workers/protocol.js';
export { type ImageInput, type RawFrame, type FrameFormat, type DecodedImage, FRAME_FORMATS } from './runtime/image/index.js';
export { HmpError, ERROR_CODES, type ErrorCode, type ErrorSpec, createError, isErrorCode } from './errors.js';
export { VERSION } from './version.js';
export {
  scanCode, ScanSession, FORMATS as BARCODE_FORMATS, FORMAT_NAMES as BARCODE_FORMAT_NAMES, SCAN_DEFAULTS,
  type ScanCodeOptions, type ScanCodeResult, type BarcodeCode, type CodePosition, type Roi, type ScanSessionOptions, type SessionScanResult, type FormatInfo,
} from './tasks/barcode/index.js';
export { createSceneSession, scoreSceneImage, SceneSession, SCENE_EVENT_TYPES, DEFAULT_RULES as SCENE_DEFAULT_RULES, type SceneSessionOptions, type ScenePushOptions, type SceneEvent, type SceneFrameResult, type SceneRegion, type SceneEventType, type AlarmRule } from './tasks/scene/index.js';
export {
  detectFaces, toWxFaceDetect, toVkFaces, FaceTracker, FACE_DEFAULTS, ATTENTION_LIMITS, ageBand,
  type FaceDetectOptions, type FaceDetectResult, type DetectedFace, type FaceBox, type FaceKeypoint, type FaceAngles, type AgeBand, type Gender, type KeypointName,
  type WxFaceDetectOptions, type WxFaceDetectResult, type WxFaceInfo, type VkFaceAnchor, type FaceTrackerOptions, type TrackRecord, type TrackedFrame,
} from './tasks/face/index.js';
