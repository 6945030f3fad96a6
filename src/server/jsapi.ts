/**
 * The JSAPI route table's shapes. Each JSAPI lives in `src/server/apis/<api>.ts` and exports one
 * {@link JsApiDef} (HTTP: `POST /v1/<path>` and `POST /v1/invoke {command}`) and/or one
 * {@link StreamDef} (WebSocket: `GET /v1/stream/<path>`); `src/server/apis/index.ts` lists them.
 * Wiring a capability is adding one file and one line there.
 * @internal
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Engine } from '../engine/engine.js';
import { createError } from '../errors.js';
import { FRAME_FORMATS, type FrameFormat, type ImageInput } from '../runtime/image/index.js';
import type { SessionStore } from './sessions.js';

/** A JSON Schema object (kept loose: schemas are data for ajv and OpenAPI). */
export type JsonSchema = Record<string, unknown>;

/** An object schema's parts: `properties` and `required`. */
export interface ObjectShape {
  properties: Record<string, JsonSchema>;
  required?: string[];
}

/** What a JSAPI handler receives. */
export interface ApiContext {
  engine: Engine;
  /** Image APIs: the image (encoded bytes or a raw frame); otherwise undefined. */
  image: ImageInput | undefined;
  /** Audio APIs: the raw bytes (binary body or base64 JSON `audio`); otherwise undefined. */
  audio: Uint8Array | undefined;
  /** The API's options, schema-validated: the JSON body's fields other than `image`, or the query string for binary bodies. */
  options: Record<string, unknown>;
  /** Fires when the client goes away; pass it to the engine. */
  signal: AbortSignal;
  /** The request's deadline in ms (header `x-hmp-timeout-ms`, else the API's default); pass it to the engine. */
  timeoutMs: number;
  /** Authenticated device id (null without tokens): session ids are scoped to it. */
  device: string | null;
  /** The server's open sessions (scene monitors, ...), closed when idle and at shutdown. */
  sessions: SessionStore;
  log: FastifyBaseLogger;
}

/** One request/response JSAPI. */
export interface JsApiDef {
  /** The `wx`-style name: errMsg prefix and `/v1/invoke` command, e.g. `scanCode`. */
  name: string;
  /** Route under `/v1/`; default: `name` (e.g. `vk/detectFace`). */
  path?: string;
  summary: string;
  description?: string;
  /**
   * `image`: body is an image (binary or base64 JSON `image` field); `audio`: raw audio bytes
   * (`application/octet-stream`, or base64 JSON `audio` field); `json`: a JSON object.
   */
  input: 'image' | 'audio' | 'json';
  /** The options: JSON body fields (besides `image`), or query parameters for binary image bodies. */
  options: ObjectShape;
  /** The result fields (besides `errMsg`). */
  result: ObjectShape;
  /** Largest request body in bytes. Default: the server's `bodyLimit` for image APIs, 64 KiB for JSON APIs. */
  bodyLimit?: number;
  /** Default deadline in ms. Default: the engine's `timeoutMs`. */
  timeoutMs?: number;
  /** Computes the result object (without errMsg). Throw coded errors. */
  handler(ctx: ApiContext): Promise<object>;
}

/** One input message of a stream. */
export type StreamInput =
  | { kind: 'image'; seq: number; image: ImageInput }
  | { kind: 'audio'; seq: number; data: Uint8Array };

/** What a stream handler receives when a client connects. */
export interface StreamContext {
  engine: Engine;
  /** Route parameters, e.g. `{id}` of `/v1/stream/scene/:id`. */
  params: Record<string, string>;
  /** Schema-validated options from the query string (frame geometry removed). */
  options: Record<string, unknown>;
  /** Fires when the connection closes; pass it to the engine. */
  signal: AbortSignal;
  /** Sends an event to the client out of band (e.g. a timer-driven alarm). */
  emit(event: Record<string, unknown>): void;
  /** Authenticated device id (null without tokens). */
  device: string | null;
  /** The server's open sessions: a stream may attach to one created over HTTP. */
  sessions: SessionStore;
  log: FastifyBaseLogger;
}

/** A connected stream's state. */
export interface StreamSession {
  /** Handles one input; resolves with the events to send (none, one or several). */
  push(input: StreamInput): Promise<Record<string, unknown> | Record<string, unknown>[] | void>;
  /**
   * Handles a text control message other than `config` (e.g. `{"type": "flush"}` on audio
   * streams), in order with the binary input. Without it such messages get
   * HMP_ERR_SERVER_STREAM_MESSAGE.
   */
  control?(message: Record<string, unknown>): Promise<Record<string, unknown> | Record<string, unknown>[] | void>;
  /** Frees the session's resources; called once when the connection closes. */
  close(): Promise<void> | void;
}

/** One WebSocket stream API. */
export interface StreamDef {
  /** Stream name for metrics and errMsg, e.g. `stream.scan`. */
  name: string;
  /** Route under `/v1/stream/`, e.g. `scan` or `scene/:id`. */
  path: string;
  summary: string;
  description?: string;
  /**
   * `image`: camera frames, stale frames are dropped (only the newest waiting frame is kept);
   * `audio`: nothing may be dropped, a bounded queue overflows with HMP_ERR_SERVER_STREAM_OVERFLOW.
   */
  input: 'image' | 'audio';
  /** Options from the query string at connect time. */
  options: ObjectShape;
  /** Opens a session for a new connection. Throw coded errors to refuse it. */
  open(ctx: StreamContext): Promise<StreamSession> | StreamSession;
}

/** The image field of JSON bodies: base64 encoded image, or a raw frame with base64 pixels. */
export const IMAGE_JSON_SCHEMA: JsonSchema = Object.freeze({
  description: 'Base64 of an encoded image (JPEG, PNG, WebP, GIF, TIFF, BMP; a data: URL prefix is allowed), or a raw frame {data: base64 pixels, width, height, format}.',
  anyOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['data', 'width', 'height'],
      properties: {
        data: { type: 'string', description: 'Base64 of the raw pixels' },
        width: { type: 'integer', minimum: 1, maximum: 32768 },
        height: { type: 'integer', minimum: 1, maximum: 32768 },
        format: { type: 'string', enum: [...FRAME_FORMATS], description: 'Pixel format; default rgba' },
      },
    },
  ],
});

/** Frame geometry accepted in the query string with binary bodies and streams. */
export const FRAME_QUERY_PROPERTIES: Record<string, JsonSchema> = Object.freeze({
  width: { type: 'integer', minimum: 1, maximum: 32768, description: 'Raw frame width (with application/octet-stream)' },
  height: { type: 'integer', minimum: 1, maximum: 32768, description: 'Raw frame height (with application/octet-stream)' },
  format: { type: 'string', enum: [...FRAME_FORMATS], description: 'Raw frame pixel format; default rgba' },
});

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Decodes strict base64 (standard or URL-safe alphabet, optional `data:*;base64,` prefix).
 * @throws HMP_ERR_SERVER_BAD_REQUEST naming `name`
 */
export function decodeBase64(s: string, name: string): Buffer {
  let str = s;
  if (str.startsWith('data:')) {
    const comma = str.indexOf(',');
    if (comma < 0 || !str.slice(0, comma).endsWith(';base64')) throw createError('HMP_ERR_SERVER_BAD_REQUEST', `${name} is a data: URL without ;base64`);
    str = str.slice(comma + 1);
  }
  const url = !BASE64.test(str);
  if ((url && !BASE64URL.test(str)) || str.length % 4 === 1) {
    throw createError('HMP_ERR_SERVER_BAD_REQUEST', `${name} is not valid base64 (${str.length} characters)`);
  }
  return Buffer.from(str, url ? 'base64url' : 'base64');
}

/** Media-type parameters (`application/octet-stream; width=640; height=480`). */
export function contentTypeParams(header: string | undefined): { essence: string; params: Record<string, string> } {
  const parts = (header ?? '').split(';');
  const essence = (parts.shift() ?? '').trim().toLowerCase();
  const params: Record<string, string> = {};
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return { essence, params };
}

function intParam(v: unknown, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 32768) throw createError('HMP_ERR_SERVER_BAD_REQUEST', `${name} must be an integer between 1 and 32768, received ${JSON.stringify(v)}`);
  return n;
}

/**
 * Builds the image of a binary message: a raw frame when width and height are given (query or
 * media-type parameters), else encoded bytes.
 * @throws HMP_ERR_SERVER_BAD_REQUEST (bad geometry), HMP_ERR_FRAME_FORMAT
 */
export function binaryImage(data: Uint8Array, geometry: { width?: unknown; height?: unknown; format?: unknown }, name = 'body'): ImageInput {
  const width = intParam(geometry.width, `${name} width`);
  const height = intParam(geometry.height, `${name} height`);
  if (width === undefined && height === undefined && geometry.format === undefined) return data;
  if (width === undefined || height === undefined) {
    throw createError('HMP_ERR_SERVER_BAD_REQUEST', `a raw frame in ${name} needs both width and height`);
  }
  const format = (geometry.format ?? 'rgba') as FrameFormat;
  if (!FRAME_FORMATS.includes(format)) throw createError('HMP_ERR_FRAME_FORMAT', FRAME_FORMATS.join(', '), `${name} format`, JSON.stringify(format));
  return { data, width, height, format };
}

/** Builds the image of a JSON body's `image` field (already schema-checked). */
export function jsonImage(v: unknown, name = 'body.image'): ImageInput {
  if (typeof v === 'string') return decodeBase64(v, name);
  const f = v as { data: string; width: number; height: number; format?: FrameFormat };
  return { data: decodeBase64(f.data, `${name}.data`), width: f.width, height: f.height, format: f.format ?? 'rgba' };
}
