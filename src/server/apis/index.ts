/**
 * The JSAPI route table: every HTTP JSAPI and every WebSocket stream the server exposes.
 * A capability wires itself in by adding its file in this folder and one line below.
 * @internal
 */
import type { JsApiDef, StreamDef } from '../jsapi.js';
import { faceDetect, faceStream, vkDetectFace } from './faces.js';
import { getImageInfo } from './getImageInfo.js';
import { scanCode, scanStream } from './scanCode.js';
import { sceneCloseSession, sceneCreateSession, scenePushFrame, sceneStream } from './scene.js';
import { voiceCloseSession, voiceCreateSession, voiceFlush, voicePushAudio, voiceStream } from './voice.js';

/** HTTP JSAPIs: `POST /v1/<path>` and `POST /v1/invoke {command: name}`. */
export const JSAPIS: readonly JsApiDef[] = Object.freeze([getImageInfo, scanCode, faceDetect, vkDetectFace, sceneCreateSession, scenePushFrame, sceneCloseSession, voiceCreateSession, voicePushAudio, voiceFlush, voiceCloseSession]);

/** WebSocket streams: `GET /v1/stream/<path>`. */
export const STREAMS: readonly StreamDef[] = Object.freeze([faceStream, scanStream, sceneStream, voiceStream]);
