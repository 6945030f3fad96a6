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
export { FACE_DESCRIPTOR_THRESHOLD, descriptorDistance, EMOTIONS, type Emotion } from './tasks/face/index.js';
export { startServer, type RunningServer } from './server/server.js';
export { buildApp, type AppOptions } from './server/app.js';
export { type ServerOptions, SERVER_DEFAULTS, loadServerConfig } from './server/options.js';
export { type JsApiDef, type StreamDef, type ApiContext, type StreamContext, type StreamSession } from './server/jsapi.js';
export {
  Recommender, Audience, Members, fromFaceTracks, simulate, validateItem, parseCatalogFile, ageBandOf,
  CATALOG_ITEM_SCHEMA, CATALOG_FILE_SCHEMA, AGE_BANDS as AUDIENCE_AGE_BANDS, DEFAULT_MATCH_THRESHOLD,
  type RecommenderOptions, type RecommendRequest, type RecommendResult, type RankedItem, type RecommendationReasons, type FeedbackInput,
  type AudienceOptions, type AudienceSnapshot, type AudienceTrackUpdate, type FaceTrackLike, type CatalogItem, type Targeting,
  type MembersOptions, type RegisterMemberInput, type MemberMatch, type ConsentRecord, type MemberTags, type SimulationResult,
  type AgeBand as AudienceAgeBand,
} from './recommend/index.js';
export { openStore, SqliteStore, PostgresStore, type Store, type StoreOptions, type SqliteStoreOptions, type PostgresStoreOptions } from './store/index.js';
export { recommendationApis } from './server/apis/recommendation.js';
export {
  createVoiceSession, processVoiceFile, toJsonEvent as voiceEventToJson, VoiceSession, loadProfile as loadVoiceProfile, defaultProfileDir as defaultVoiceProfileDir, parseWav, encodeWav,
  type VoiceSessionOptions, type VadOptions, type VoiceEvent, type VoiceEventType, type VoiceAction, type VoicePhrase, type VoiceProfile, type VoiceProfileManifest,
} from './tasks/voice/index.js';
