/**
 * Server configuration: one typed options object, merged from defaults < config file < environment
 * < command-line flags by {@link loadServerConfig}, validated by {@link resolveServerOptions}.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createError, describe } from '../errors.js';
import type { EngineOptions } from '../config.js';
import * as is from '../is.js';

/** Options of the JSAPI server. Every field is optional. */
export interface ServerOptions {
  /** Address to bind. Default `127.0.0.1`. Non-loopback addresses require `tokens`. */
  host?: string;
  /** Port. Default 8790 (0 picks a free port). */
  port?: number;
  /**
   * Device tokens: device id → bearer token (at least 16 characters). Default: none, which is
   * only allowed on a loopback address.
   */
  tokens?: Record<string, string>;
  /** Per-device fixed-window rate limit on `/v1/*`, or `false`. Default `{max: 300, windowMs: 1000}`. */
  rateLimit?: { max: number; windowMs: number } | false;
  /** Largest body of image routes in bytes (JSON routes: 64 KiB; invoke: this). Default 16 MiB. */
  bodyLimit?: number;
  /** Largest deadline a client may ask for with `x-hmp-timeout-ms`. Default 60000. */
  maxTimeoutMs?: number;
  /** Origins allowed by CORS. Default: none (CORS off). */
  corsOrigins?: string[];
  /** Serve `/docs` (Swagger UI) and `/openapi.json`. Default true. */
  docs?: boolean;
  /** How long shutdown waits for in-flight requests and streams before closing them, ms. Default 10000. */
  drainTimeoutMs?: number;
  /** Largest number of audio messages waiting per stream before it overflows. Default 32. */
  streamAudioQueue?: number;
  /** Outgoing bytes a stream may have buffered before incoming frames are dropped. Default 1 MiB. */
  streamMaxBuffered?: number;
  /** Most sessions (scene monitors, ...) open at once, all devices together. Default 64. */
  maxSessions?: number;
  /** Sessions unused (and without a stream) for this long are closed, ms. Default 600000. */
  sessionIdleMs?: number;
}

/** Resolved server options: every field present. */
export type ResolvedServerOptions = Required<Omit<ServerOptions, 'rateLimit'>> & { rateLimit: { max: number; windowMs: number } | false };

/** Defaults (frozen). */
export const SERVER_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8790,
  rateLimit: Object.freeze({ max: 300, windowMs: 1000 }),
  bodyLimit: 16 * 1024 * 1024,
  maxTimeoutMs: 60_000,
  docs: true,
  drainTimeoutMs: 10_000,
  streamAudioQueue: 32,
  streamMaxBuffered: 1024 * 1024,
  maxSessions: 64,
  sessionIdleMs: 600_000,
});

const KNOWN: (keyof ServerOptions)[] = [
  'host', 'port', 'tokens', 'rateLimit', 'bodyLimit', 'maxTimeoutMs', 'corsOrigins', 'docs', 'drainTimeoutMs', 'streamAudioQueue', 'streamMaxBuffered', 'maxSessions', 'sessionIdleMs',
];

/** Shortest accepted device token: bearer tokens must not be guessable. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * Validates and merges server options into a fresh object.
 * @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE
 */
export function resolveServerOptions(opts: ServerOptions = {}): ResolvedServerOptions {
  if (!is.isObject(opts)) throw is.invalid('options object', 'options', opts);
  is.knownKeys(opts as Record<string, unknown>, KNOWN);
  const host = opts.host === undefined ? SERVER_DEFAULTS.host : is.string(opts.host, 'options.host');
  const port = opts.port === undefined ? SERVER_DEFAULTS.port : is.integer(opts.port, 'options.port', 0, 65535);
  const tokens: Record<string, string> = {};
  if (opts.tokens !== undefined) {
    if (!is.isObject(opts.tokens)) throw is.invalid('object of device id to token', 'options.tokens', opts.tokens);
    for (const [device, token] of Object.entries(opts.tokens)) {
      if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH) {
        // Never echo a token value into an error message.
        throw is.invalid(`token string of at least ${MIN_TOKEN_LENGTH} characters`, `options.tokens.${device}`, typeof token === 'string' ? `a string of length ${token.length}` : token);
      }
      tokens[device] = token;
    }
  }
  let rateLimit: ResolvedServerOptions['rateLimit'] = { ...SERVER_DEFAULTS.rateLimit };
  if (opts.rateLimit === false) rateLimit = false;
  else if (opts.rateLimit !== undefined) {
    if (!is.isObject(opts.rateLimit)) throw is.invalid('{max, windowMs} or false', 'options.rateLimit', opts.rateLimit);
    is.knownKeys(opts.rateLimit as Record<string, unknown>, ['max', 'windowMs'], 'options.rateLimit');
    rateLimit = {
      max: is.integer(opts.rateLimit.max, 'options.rateLimit.max', 1, 1_000_000_000),
      windowMs: is.integer(opts.rateLimit.windowMs, 'options.rateLimit.windowMs', 1, 86_400_000),
    };
  }
  const bodyLimit = opts.bodyLimit === undefined ? SERVER_DEFAULTS.bodyLimit : is.integer(opts.bodyLimit, 'options.bodyLimit', 1024, 1024 * 1024 * 1024);
  const maxTimeoutMs = opts.maxTimeoutMs === undefined ? SERVER_DEFAULTS.maxTimeoutMs : is.integer(opts.maxTimeoutMs, 'options.maxTimeoutMs', 1, 3_600_000);
  const corsOrigins = opts.corsOrigins === undefined ? [] : opts.corsOrigins;
  if (!Array.isArray(corsOrigins) || corsOrigins.some((o) => typeof o !== 'string')) throw is.invalid('array of origins', 'options.corsOrigins', corsOrigins);
  const docs = opts.docs === undefined ? SERVER_DEFAULTS.docs : is.boolean(opts.docs, 'options.docs');
  const drainTimeoutMs = opts.drainTimeoutMs === undefined ? SERVER_DEFAULTS.drainTimeoutMs : is.integer(opts.drainTimeoutMs, 'options.drainTimeoutMs', 0, 3_600_000);
  const streamAudioQueue = opts.streamAudioQueue === undefined ? SERVER_DEFAULTS.streamAudioQueue : is.integer(opts.streamAudioQueue, 'options.streamAudioQueue', 1, 100_000);
  const streamMaxBuffered = opts.streamMaxBuffered === undefined ? SERVER_DEFAULTS.streamMaxBuffered : is.integer(opts.streamMaxBuffered, 'options.streamMaxBuffered', 1024, 1024 * 1024 * 1024);
  const maxSessions = opts.maxSessions === undefined ? SERVER_DEFAULTS.maxSessions : is.integer(opts.maxSessions, 'options.maxSessions', 0, 100_000);
  const sessionIdleMs = opts.sessionIdleMs === undefined ? SERVER_DEFAULTS.sessionIdleMs : is.integer(opts.sessionIdleMs, 'options.sessionIdleMs', 1000, 86_400_000);
  return { host, port, tokens, rateLimit, bodyLimit, maxTimeoutMs, corsOrigins: [...corsOrigins], docs, drainTimeoutMs, streamAudioQueue, streamMaxBuffered, maxSessions, sessionIdleMs };
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return h.slice(7).startsWith('127.');
  return false;
}

/**
 * Refuses a non-loopback bind without device tokens.
 * @throws HMP_ERR_SERVER_INSECURE_BIND
 */
export function assertSecureBind(o: ResolvedServerOptions): void {
  if (!isLoopback(o.host) && Object.keys(o.tokens).length === 0) throw createError('HMP_ERR_SERVER_INSECURE_BIND', o.host);
}

/** What `hmp serve` runs with. */
export interface ServeConfig {
  server: ServerOptions;
  engine: EngineOptions;
  logLevel: string;
}

/** Command-line values of `hmp serve` (strings as parsed). */
export interface ServeFlags {
  config?: string;
  host?: string;
  port?: string;
  workers?: string;
  'max-queue'?: string;
  'timeout-ms'?: string;
  token?: string[];
  'rate-limit'?: string;
  'body-limit'?: string;
  'log-level'?: string;
  cors?: string[];
}

function configError(what: string, why: string) {
  return createError('HMP_ERR_CONFIG_INVALID', what, why);
}

function num(v: string, what: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw configError(what, `expected a number but received ${describe(v)}`);
  return n;
}

/** `dev1:token1,dev2:token2` → `{dev1: token1, dev2: token2}`. */
function parseTokens(list: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const c = item.indexOf(':');
    if (c <= 0) throw configError(what, 'expected device:token pairs');
    out[item.slice(0, c)] = item.slice(c + 1);
  }
  return out;
}

/** `300/1000` (max per windowMs), or `0`/`off` to disable. */
function parseRate(v: string, what: string): ServerOptions['rateLimit'] {
  if (v === '0' || v === 'off' || v === 'false') return false;
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  if (!m) throw configError(what, `expected MAX/WINDOW_MS like 300/1000, or off, but received ${describe(v)}`);
  return { max: Number(m[1]), windowMs: Number(m[2]) };
}

/**
 * Merges defaults < config file (`--config` or `HMP_CONFIG`, JSON: server options plus `engine`
 * and `logLevel`) < environment (`HMP_*`) < flags.
 * @throws HMP_ERR_CONFIG_INVALID (unreadable file, bad JSON, bad values)
 */
export function loadServerConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  let server: ServerOptions = {};
  let engine: EngineOptions = {};
  let logLevel = 'info';
  const file = flags.config ?? env.HMP_CONFIG;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw configError(file, (err as Error).message);
    }
    if (!is.isObject(parsed)) throw configError(file, 'expected a JSON object');
    const { engine: e, logLevel: l, ...rest } = parsed as Record<string, unknown>;
    if (e !== undefined && !is.isObject(e)) throw configError(`${file} engine`, 'expected an object');
    if (l !== undefined && typeof l !== 'string') throw configError(`${file} logLevel`, 'expected a string');
    server = rest as ServerOptions;
    engine = (e ?? {}) as EngineOptions;
    if (l) logLevel = l;
  }
  const pick = (flag: string | undefined, envName: string): [string, string] | undefined =>
    flag !== undefined ? [flag, `--${envName.slice(4).toLowerCase().replace(/_/g, '-')}`] : env[envName] !== undefined && env[envName] !== '' ? [env[envName]!, envName] : undefined;
  let v: [string, string] | undefined;
  if ((v = pick(flags.host, 'HMP_HOST'))) server.host = v[0];
  if ((v = pick(flags.port, 'HMP_PORT'))) server.port = num(v[0], v[1]);
  if ((v = pick(flags.workers, 'HMP_WORKERS'))) engine.poolSize = num(v[0], v[1]);
  if ((v = pick(flags['max-queue'], 'HMP_MAX_QUEUE'))) engine.maxQueue = num(v[0], v[1]);
  if ((v = pick(flags['timeout-ms'], 'HMP_TIMEOUT_MS'))) engine.timeoutMs = num(v[0], v[1]);
  if ((v = pick(flags['rate-limit'], 'HMP_RATE_LIMIT'))) server.rateLimit = parseRate(v[0], v[1]);
  if ((v = pick(flags['body-limit'], 'HMP_BODY_LIMIT'))) server.bodyLimit = num(v[0], v[1]);
  if ((v = pick(flags['log-level'], 'HMP_LOG_LEVEL'))) logLevel = v[0];
  const tokenList = flags.token?.length ? flags.token : env.HMP_TOKENS ? [env.HMP_TOKENS] : undefined;
  if (tokenList) server.tokens = { ...(server.tokens ?? {}), ...parseTokens(tokenList, flags.token?.length ? '--token' : 'HMP_TOKENS') };
  const cors = flags.cors?.length ? flags.cors : env.HMP_CORS_ORIGINS ? env.HMP_CORS_ORIGINS.split(',') : undefined;
  if (cors) server.corsOrigins = cors.map((s) => s.trim()).filter(Boolean);
  return { server, engine, logLevel };
}
