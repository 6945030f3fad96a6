/**
 * The fastify app serving hmp's JSAPIs to the mini-program runtime: one route per JSAPI from the
 * route table (`src/server/apis/`), `POST /v1/invoke` for WMPF's Invoke Channel, WebSocket
 * streams, OpenAPI docs, health, readiness and Prometheus metrics.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import type { Engine } from '../engine/engine.js';
import { createError, HmpError } from '../errors.js';
import type { ImageInput } from '../runtime/image/index.js';
import { VERSION } from '../version.js';
import { JSAPIS, STREAMS } from './apis/index.js';
import { binaryImage, contentTypeParams, decodeBase64, FRAME_QUERY_PROPERTIES, IMAGE_JSON_SCHEMA, jsonImage, type JsApiDef, type JsonSchema, type StreamDef } from './jsapi.js';
import { renderPrometheus, ServerMetrics } from './metrics.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerOptions } from './options.js';
import { RateLimiter, TokenAuth } from './security.js';
import { SessionStore } from './sessions.js';
import { registerStream } from './streams.js';
import { toHmpError, WX_FAIL_SCHEMA, wxFail, wxOk } from './wx.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** JSAPI name for errMsg and metrics (set by the route, or by invoke after lookup). */
    hmpApi: string | null;
    /** Authenticated device id (or null without tokens). */
    hmpDevice: string | null;
    /** hmp error code of a failed request, for metrics. */
    hmpErrorCode: string | null;
  }
  interface FastifyContextConfig {
    /** JSAPI name of the route. */
    api?: string;
    /** Reachable without a token (probes and docs). */
    public?: boolean;
    /** Body kinds the route accepts. */
    accepts?: 'image' | 'audio' | 'json';
  }
}

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** The engine that computes every API. The app does not dispose it. */
  engine: Engine;
  /** Server options (validated here). */
  server?: ServerOptions;
  /** Pino logger options, or `false`. Default: false. */
  logger?: boolean | object;
  /** Extra JSAPIs next to the route table's (plugins and tests). */
  apis?: readonly JsApiDef[];
  /** Extra streams next to the route table's (plugins and tests). */
  streams?: readonly StreamDef[];
}

/** Largest body of JSON-only routes. */
const JSON_BODY_LIMIT = 64 * 1024;
const PUBLIC_PREFIXES = ['/docs'];

/** Draining flag shared with {@link startServer}. */
const kDraining = Symbol('hmp.draining');
type WithDrain = FastifyInstance & { [kDraining]?: boolean };

/** Marks the app as draining: `/readyz` answers 503 and new `/v1/*` requests fail with HMP_ERR_SERVER_SHUTTING_DOWN. */
export function setDraining(app: FastifyInstance): void {
  (app as WithDrain)[kDraining] = true;
}

/** JSON body schema of a JSAPI (what `/v1/invoke`'s `data` must match too). */
export function apiBodySchema(api: JsApiDef): JsonSchema {
  const required = [...(api.input === 'image' ? ['image'] : api.input === 'audio' ? ['audio'] : []), ...(api.options.required ?? [])];
  const media = api.input === 'image' ? { image: IMAGE_JSON_SCHEMA } : api.input === 'audio' ? { audio: AUDIO_JSON_SCHEMA } : {};
  return {
    type: 'object',
    additionalProperties: false,
    properties: { ...media, ...api.options.properties },
    ...(required.length ? { required } : {}),
  };
}

function okSchema(api: { name: string; result: { properties: Record<string, JsonSchema>; required?: string[] } }): JsonSchema {
  return {
    type: 'object',
    description: `Success: errMsg is "${api.name}:ok".`,
    required: ['errMsg', ...(api.result.required ?? [])],
    properties: { errMsg: { type: 'string' }, ...api.result.properties },
  };
}

const FAIL_REF = { $ref: 'hmp.wxFail#' };
const AUDIO_JSON_SCHEMA: JsonSchema = { type: 'string', minLength: 1, description: 'Base64 of the raw audio bytes (PCM16 little-endian mono)' };

/**
 * Builds the fastify app (not listening). Use {@link startServer} to listen with the bind check.
 * @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE (bad server options)
 */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const engine = opts.engine;
  const so = resolveServerOptions(opts.server ?? {});
  const apis = [...JSAPIS, ...(opts.apis ?? [])];
  const streams = [...STREAMS, ...(opts.streams ?? [])];
  const metrics = new ServerMetrics();
  const auth = new TokenAuth(so.tokens);
  const limiter = so.rateLimit ? new RateLimiter(so.rateLimit.max, so.rateLimit.windowMs) : undefined;
  const sessions = new SessionStore(so.maxSessions, so.sessionIdleMs);

  const app = Fastify({
    logger: opts.logger ?? false,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: JSON_BODY_LIMIT,
    // Protects against slow clients holding sockets; long enough for the largest deadline.
    requestTimeout: so.maxTimeoutMs + 30_000,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }) as WithDrain;

  // Sessions close after the listener and streams are gone, before the caller disposes the engine.
  app.addHook('onClose', async () => sessions.closeAll());
  app.decorateRequest('hmpApi', null);
  app.decorateRequest('hmpDevice', null);
  app.decorateRequest('hmpErrorCode', null);
  app.addSchema(WX_FAIL_SCHEMA);

  // Bodies: JSON (fastify's parser), raw frames and encoded images as Buffers; nothing else.
  app.removeContentTypeParser('text/plain');
  const asBuffer = (_req: unknown, body: string | Buffer, done: (err: null, body: Buffer) => void) => done(null, body as Buffer);
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, asBuffer);
  app.addContentTypeParser(/^image\/[a-z0-9.+-]+$/i, { parseAs: 'buffer' }, asBuffer);

  // --- errors in the wx convention -------------------------------------------------------------
  const fail = (request: FastifyRequest, reply: FastifyReply, err: HmpError) => {
    const api = request.hmpApi ?? request.routeOptions.config?.api ?? 'request';
    request.hmpErrorCode = err.code;
    const { status, body } = wxFail(api, err);
    if (err.code === 'HMP_ERR_SERVER_RATE_LIMITED' && err.details?.retryAfterMs) {
      reply.header('retry-after', Math.ceil(Number(err.details.retryAfterMs) / 1000));
    }
    return reply.code(status).send(body);
  };

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const err = mapFastifyError(error, request);
    if (err.code === 'HMP_ERR_SERVER_INTERNAL') request.log.error({ err: error }, 'unhandled error');
    else request.log.info({ code: err.code }, err.message);
    return fail(request, reply, err);
  });
  app.setNotFoundHandler((request, reply) => fail(request, reply, createError('HMP_ERR_SERVER_NOT_FOUND', request.method, request.url.split('?')[0])));

  // --- request hooks: request id, CORS, drain, auth, rate limit, metrics -----------------------
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const origin = request.headers.origin;
    if (origin && so.corsOrigins.includes(origin)) {
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    }
    const path = request.url.split('?')[0]!;
    const isPublic = request.routeOptions.config?.public === true || PUBLIC_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
    if (app[kDraining] && path.startsWith('/v1/')) throw createError('HMP_ERR_SERVER_SHUTTING_DOWN');
    if (auth.enabled && !isPublic && request.method !== 'OPTIONS') {
      const device = auth.authenticate(request.headers.authorization);
      if (!device) throw createError('HMP_ERR_SERVER_UNAUTHORIZED');
      request.hmpDevice = device;
    }
    // Shed load before reading a body the engine has no room for: a full queue answers at once,
    // instead of spending the main thread on uploads that would be refused anyway.
    const accepts = request.routeOptions.config?.accepts;
    if (accepts === 'image' || accepts === 'audio') {
      const s = engine.stats();
      if (s.queueSize >= s.maxQueue) throw createError('HMP_ERR_ENGINE_OVERLOADED', s.queueSize);
    }
    if (limiter && path.startsWith('/v1/')) {
      const wait = limiter.take(request.hmpDevice ?? request.ip);
      if (wait > 0) {
        const e = createError('HMP_ERR_SERVER_RATE_LIMITED', limiter.max, limiter.windowMs);
        throw new HmpError(e.code, e.message, { details: { retryAfterMs: wait } });
      }
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const api = request.hmpApi ?? request.routeOptions.config?.api;
    if (api) metrics.observeRequest(api, reply.statusCode, reply.elapsedTime / 1000, request.hmpErrorCode ?? undefined);
  });

  if (so.corsOrigins.length) {
    app.options('/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const origin = request.headers.origin;
      if (!origin || !so.corsOrigins.includes(origin)) return reply.code(204).send();
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'authorization, content-type, x-request-id, x-hmp-timeout-ms')
        .header('access-control-max-age', '600')
        .send();
    });
  }

  // --- OpenAPI and docs --------------------------------------------------------------------------
  if (so.docs) {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'hmp JSAPI server',
          version: VERSION,
          description:
            'Perception JSAPIs for WeChat hardware mini-program (WMPF) devices. Results follow the wx convention: errMsg "<api>:ok", or "<api>:fail <reason>" with errCode and the hmp error code; the HTTP status comes from the error registry. Every JSAPI is also reachable through POST /v1/invoke {command, data} (the Invoke Channel shape). See docs/server.md.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Per-device token from the server config (not needed on loopback without tokens).' } } },
        security: [{ bearer: [] }],
        tags: [
          { name: 'jsapi', description: 'One route per JSAPI' },
          { name: 'invoke', description: 'WMPF Invoke Channel' },
          { name: 'stream', description: 'WebSocket streams: binary frames in, JSON events out' },
          { name: 'ops', description: 'Health, readiness, metrics' },
        ],
      },
      transformObject: (doc) => ('openapiObject' in doc ? completeDoc(doc.openapiObject as OpenApiDoc, apis, streams) : doc.swaggerObject) as never,
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
    app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  }

  await app.register(fastifyWebsocket, {
    options: { maxPayload: so.bodyLimit },
    // Streams end with 1001 "going away" when the server shuts down.
    preClose(done) {
      for (const client of this.websocketServer.clients) client.close(1001, 'server shutting down');
      done();
    },
  });

  // --- ops -----------------------------------------------------------------------------------------
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['ops'],
        summary: 'Liveness: the process answers',
        security: [],
        response: { 200: { type: 'object', properties: { status: { type: 'string' }, versions: { type: 'object', additionalProperties: { type: 'string' } }, uptimeS: { type: 'number' } } } },
      },
    },
    async () => ({ status: 'ok', versions: { hmp: VERSION, node: process.versions.node }, uptimeS: Math.round(process.uptime()) }),
  );

  const readySchema = {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['ready', 'not ready'] },
      reason: { type: 'string' },
      workers: { type: 'object', properties: { poolSize: { type: 'integer' }, ready: { type: 'integer' } } },
      queue: { type: 'object', properties: { size: { type: 'integer' }, max: { type: 'integer' } } },
      models: { type: 'array', items: { type: 'string' } },
      apis: { type: 'array', items: { type: 'string' } },
      streams: { type: 'array', items: { type: 'string' } },
    },
  };
  app.get(
    '/readyz',
    { config: { public: true }, schema: { tags: ['ops'], summary: 'Readiness: models loaded, worker pool up, not draining', security: [], response: { 200: readySchema, 503: readySchema } } },
    async (_request, reply) => {
      const s = engine.stats();
      const reason = app[kDraining] ? 'draining' : engine.disposed ? 'engine disposed' : s.readyWorkers < 1 ? 'no worker ready' : undefined;
      const body = {
        status: reason ? 'not ready' : 'ready',
        ...(reason ? { reason } : {}),
        workers: { poolSize: s.poolSize, ready: s.readyWorkers },
        queue: { size: s.queueSize, max: s.maxQueue },
        models: engine.models.map((m) => m.name),
        apis: apis.map((a) => a.name),
        streams: streams.map((d) => d.name),
      };
      return reply.code(reason ? 503 : 200).send(body);
    },
  );

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics (text format 0.0.4)', produces: ['text/plain'] } }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(renderPrometheus(engine, metrics)),
  );

  // --- JSAPIs --------------------------------------------------------------------------------------
  const byName = new Map<string, JsApiDef>();
  for (const api of apis) {
    if (byName.has(api.name)) throw createError('HMP_ERR_ARG_INVALID', 'unique JSAPI names', 'apis', api.name);
    byName.set(api.name, api);
    registerApi(app, api, engine, so, sessions);
  }

  const invokeLimit = Math.max(JSON_BODY_LIMIT, ...apis.map((a) => bodyLimitOf(a, so)));
  app.post(
    '/v1/invoke',
    {
      bodyLimit: invokeLimit,
      config: { api: 'invoke', accepts: 'json' },
      schema: {
        tags: ['invoke'],
        summary: 'WMPF Invoke Channel: {command, data} → the same result as POST /v1/<command>',
        description: `command is a JSAPI name (${apis.map((a) => a.name).join(', ')}); data is that route's JSON body, as an object or a JSON string (the Invoke Channel passes strings).`,
        body: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['command'],
                properties: {
                  command: { type: 'string', minLength: 1 },
                  data: { anyOf: [{ type: 'string' }, { type: 'object' }], description: 'The JSAPI body as object or JSON string; default {}' },
                },
              },
            },
          },
        },
        response: { 200: { type: 'object', required: ['errMsg'], additionalProperties: true, properties: { errMsg: { type: 'string' } } }, '4xx': FAIL_REF, '5xx': FAIL_REF },
      },
      preValidation: requireJson,
    },
    async (request, reply) => {
      const { command, data } = request.body as { command: string; data?: unknown };
      const api = byName.get(command);
      if (!api) throw createError('HMP_ERR_SERVER_COMMAND_UNKNOWN', JSON.stringify(command), [...byName.keys()].join(', '));
      request.hmpApi = api.name;
      let body: unknown = data ?? {};
      if (typeof body === 'string') {
        if (body.trim() === '') body = {};
        else {
          try {
            body = JSON.parse(body);
          } catch (err) {
            throw createError('HMP_ERR_SERVER_BAD_REQUEST', `data is not valid JSON: ${(err as Error).message}`);
          }
        }
      }
      const validate = request.compileValidationSchema(apiBodySchema(api));
      if (!validate(body)) {
        const e = validate.errors?.[0];
        throw createError('HMP_ERR_SERVER_BAD_REQUEST', `data${e?.instancePath ?? ''} ${e?.message ?? 'is invalid'}${e?.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
      }
      return runApi(api, request, reply, engine, sessions, body as Record<string, unknown>, {});
    },
  );

  for (const def of streams) registerStream(app, def, engine, so, metrics, sessions);
  return app;
}

function bodyLimitOf(api: JsApiDef, so: ResolvedServerOptions): number {
  return api.bodyLimit ?? (api.input === 'image' ? so.bodyLimit : JSON_BODY_LIMIT);
}

async function requireJsonOrOctets(request: FastifyRequest): Promise<void> {
  if (Buffer.isBuffer(request.body) && contentTypeParams(request.headers['content-type']).essence !== 'application/octet-stream') {
    throw createError('HMP_ERR_SERVER_UNSUPPORTED_MEDIA', JSON.stringify(request.headers['content-type'] ?? ''), 'application/json or application/octet-stream');
  }
}

async function requireJson(request: FastifyRequest): Promise<void> {
  if (Buffer.isBuffer(request.body)) {
    throw createError('HMP_ERR_SERVER_UNSUPPORTED_MEDIA', JSON.stringify(request.headers['content-type'] ?? ''), 'application/json');
  }
}

function registerApi(app: FastifyInstance, api: JsApiDef, engine: Engine, so: ResolvedServerOptions, sessions: SessionStore): void {
  const image = api.input === 'image';
  const audio = api.input === 'audio';
  app.post(
    `/v1/${api.path ?? api.name}`,
    {
      bodyLimit: bodyLimitOf(api, so),
      config: { api: api.name, accepts: api.input },
      schema: {
        tags: ['jsapi'],
        summary: api.summary,
        description:
          (api.description ?? '') +
          (image
            ? '\n\nBody: a JSON object with `image` (base64, or a raw frame {data, width, height, format}) and the options; or the bytes themselves: `image/*` for encoded images, `application/octet-stream` with width/height/format (query or media-type parameters) for raw frames and without them for encoded images. Options of binary bodies go in the query string.'
            : audio
              ? '\n\nBody: the audio bytes as `application/octet-stream` (options in the query string), or a JSON object with `audio` (base64) and the options.'
              : ''),
        ...(image
          ? { querystring: { type: 'object', additionalProperties: false, properties: { ...FRAME_QUERY_PROPERTIES, ...queryableOptions(api) } } }
          : audio
            ? { querystring: { type: 'object', additionalProperties: false, properties: queryableOptions(api) } }
            : {}),
        body: { content: { 'application/json': { schema: apiBodySchema(api) } } },
        headers: {
          type: 'object',
          properties: { 'x-hmp-timeout-ms': { type: 'integer', minimum: 1, maximum: so.maxTimeoutMs, description: 'Deadline for this call in ms (mapped to the engine deadline)' } },
        },
        response: { 200: okSchema(api), '4xx': FAIL_REF, '5xx': FAIL_REF },
      },
      preValidation: image ? undefined : audio ? requireJsonOrOctets : requireJson,
    },
    async (request, reply) => {
      request.hmpApi = api.name;
      return runApi(api, request, reply, engine, sessions, request.body, request.query as Record<string, unknown>);
    },
  );
}

/** Options whose schema a query string can carry (scalars and arrays of scalars). */
function queryableOptions(api: JsApiDef): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [k, schema] of Object.entries(api.options.properties)) {
    // Of an anyOf, the query string can carry the scalar variant (e.g. roi as "x,y,w,h").
    const s = Array.isArray(schema.anyOf) ? ((schema.anyOf as JsonSchema[]).find((v) => v.type === 'string') ?? schema) : schema;
    const t = s.type;
    const items = (s.items as JsonSchema | undefined)?.type;
    if (t === 'string' || t === 'integer' || t === 'number' || t === 'boolean' || (t === 'array' && typeof items === 'string' && items !== 'object' && items !== 'array')) out[k] = s;
  }
  return out;
}

/** Runs one JSAPI call: builds the input, maps the deadline and client disconnects, wraps the result. */
async function runApi(api: JsApiDef, request: FastifyRequest, reply: FastifyReply, engine: Engine, sessions: SessionStore, body: unknown, query: Record<string, unknown>) {
  let image: ImageInput | undefined;
  let audio: Uint8Array | undefined;
  let options: Record<string, unknown>;
  if (Buffer.isBuffer(body) && api.input === 'audio') {
    audio = body;
    for (const r of api.options.required ?? []) {
      if (!(r in query)) throw createError('HMP_ERR_SERVER_BAD_REQUEST', `querystring must have required property '${r}'`);
    }
    options = { ...query };
  } else if (Buffer.isBuffer(body)) {
    // Binary body (image routes only): geometry from the query or media-type parameters.
    const { essence, params } = contentTypeParams(request.headers['content-type']);
    const { width, height, format, ...rest } = query;
    const g = essence === 'application/octet-stream' ? { width: width ?? params.width, height: height ?? params.height, format: format ?? params.format } : {};
    if (essence !== 'application/octet-stream' && (width !== undefined || height !== undefined || format !== undefined)) {
      throw createError('HMP_ERR_SERVER_BAD_REQUEST', 'width, height and format describe raw frames: send them with Content-Type application/octet-stream');
    }
    if (body.length === 0) throw createError('HMP_ERR_IMAGE_EMPTY', 'body', 0);
    image = binaryImage(body, g, 'body');
    for (const r of api.options.required ?? []) {
      if (!(r in rest)) throw createError('HMP_ERR_SERVER_BAD_REQUEST', `querystring must have required property '${r}'`);
    }
    options = rest;
  } else {
    const b = (body ?? {}) as Record<string, unknown>;
    if (api.input === 'image') {
      const { image: img, ...rest } = b;
      image = jsonImage(img, 'body.image');
      options = rest;
    } else if (api.input === 'audio') {
      const { audio: a, ...rest } = b;
      audio = decodeBase64(a as string, 'body.audio');
      options = rest;
    } else {
      image = undefined;
      options = { ...b };
    }
  }
  const header = request.headers['x-hmp-timeout-ms'];
  const timeoutMs = header === undefined ? api.timeoutMs ?? engine.options.timeoutMs : Number(header);
  const abort = new AbortController();
  // A client that hangs up cancels its task (queued: dropped; running: stopped at a checkpoint).
  const onClose = () => {
    if (!reply.raw.writableFinished) abort.abort();
  };
  reply.raw.once('close', onClose);
  try {
    const result = await api.handler({ engine, image, audio, options, signal: abort.signal, timeoutMs, device: request.hmpDevice, sessions, log: request.log });
    return wxOk(api.name, result);
  } finally {
    reply.raw.off('close', onClose);
  }
}

/** Turns fastify's own errors into registry codes; anything unexpected becomes HMP_ERR_SERVER_INTERNAL. */
function mapFastifyError(error: FastifyError, request: FastifyRequest): HmpError {
  if (error instanceof HmpError) return error;
  if (error.validation) {
    const ctx = error.validationContext ?? 'body';
    const v = error.validation[0] as { instancePath?: string; message?: string; params?: Record<string, unknown> } | undefined;
    const extra = v?.params && 'additionalProperty' in v.params ? ` (${String(v.params.additionalProperty)})` : '';
    return createError('HMP_ERR_SERVER_BAD_REQUEST', `${ctx}${v?.instancePath ?? ''} ${v?.message ?? 'is invalid'}${extra}`);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return createError('HMP_ERR_SERVER_UNSUPPORTED_MEDIA', JSON.stringify(request.headers['content-type'] ?? ''), acceptedTypes(request));
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const len = request.headers['content-length'];
      return createError('HMP_ERR_SERVER_BODY_TOO_LARGE', len ?? 'more than the limit', request.routeOptions.bodyLimit ?? JSON_BODY_LIMIT);
    }
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return createError('HMP_ERR_SERVER_BAD_REQUEST', `body is not valid JSON (${error.message})`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return createError('HMP_ERR_SERVER_BAD_REQUEST', 'Content-Length does not match the body');
  }
  // fastify answers malformed JSON with a SyntaxError carrying statusCode 400.
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return createError('HMP_ERR_SERVER_BAD_REQUEST', `body is not valid JSON (${error.message})`);
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return createError('HMP_ERR_SERVER_BAD_REQUEST', error.message);
  }
  return toHmpError(error, String(request.id));
}

function acceptedTypes(request: FastifyRequest): string {
  const a = request.routeOptions.config?.accepts;
  return a === 'image' ? 'application/json, application/octet-stream or image/*' : a === 'audio' ? 'application/json or application/octet-stream' : 'application/json';
}

interface OpenApiDoc {
  paths?: Record<string, Record<string, Record<string, unknown> & { requestBody?: { content?: Record<string, unknown> } }>>;
  [k: string]: unknown;
}

/**
 * Completes the generated document: binary media types of image JSAPIs (fastify validates only
 * the JSON one) and the WebSocket streams (hidden from fastify's own route list).
 */
function completeDoc(doc: OpenApiDoc, apis: JsApiDef[], streams: StreamDef[]): OpenApiDoc {
  for (const api of apis) {
    if (api.input === 'json') continue;
    const op = doc.paths?.[`/v1/${api.path ?? api.name}`]?.post;
    if (!op?.requestBody?.content) continue;
    if (api.input === 'audio') {
      op.requestBody.content['application/octet-stream'] = { schema: { type: 'string', format: 'binary', description: 'PCM16 little-endian mono audio' } };
      continue;
    }
    op.requestBody.content['application/octet-stream'] = { schema: { type: 'string', format: 'binary', description: 'Raw frame (with width/height/format) or encoded image bytes' } };
    op.requestBody.content['image/*'] = { schema: { type: 'string', format: 'binary', description: 'Encoded image' } };
  }
  doc.paths ??= {};
  for (const def of streams) {
    const path = `/v1/stream/${def.path}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const params = [
      ...[...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...Object.entries({ ...(def.input === 'image' ? FRAME_QUERY_PROPERTIES : {}), ...def.options.properties }).map(([name, schema]) => ({
        name,
        in: 'query',
        required: def.options.required?.includes(name) ?? false,
        schema,
        ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
      })),
    ];
    doc.paths[path] = {
      get: {
        tags: ['stream'],
        summary: def.summary,
        description: `WebSocket (upgrade with GET; Authorization header as for HTTP). ${def.input === 'image' ? 'Binary messages are camera frames; stale frames are dropped while one is processed (events carry seq and dropped).' : 'Binary messages are audio chunks, processed in order; a client more than the queue limit ahead gets HMP_ERR_SERVER_STREAM_OVERFLOW.'} ${def.description ?? ''}`.trim(),
        parameters: params,
        responses: { '101': { description: 'Switching Protocols: the stream is open; the first event is {"type":"ready"}' }, '4XX': { description: 'Refused (auth, rate limit, bad query) in the wx failure shape' } },
      },
    };
  }
  return doc;
}
