/**
 * WebSocket streams: binary frames (or audio chunks) in, JSON events out, with backpressure.
 *
 * Camera streams keep at most one frame waiting while one is processed; a newer frame replaces
 * the waiting one (the stale frame is dropped and counted), and frames arriving while the client
 * is not reading its events (socket buffer above `streamMaxBuffered`) are dropped too. Audio
 * streams must not lose data: they queue up to `streamAudioQueue` chunks and overflow with
 * HMP_ERR_SERVER_STREAM_OVERFLOW (the stream is closed). Nothing is buffered without bound.
 *
 * Protocol: the server sends `{type: 'ready', stream}` once the session is open; every processed
 * input yields the session's events, each with `seq` (1-based input number) and `dropped` (inputs
 * discarded since the previous processed one); a failing input yields
 * `{type: 'error', seq, errMsg, errCode, code, message}` and the stream goes on. Text messages are
 * control messages: `{"type": "config", "width", "height", "format"}` changes the raw frame
 * geometry of following binary frames.
 * @internal
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Engine } from '../engine/engine.js';
import { createError, HmpError } from '../errors.js';
import { FRAME_FORMATS } from '../runtime/image/index.js';
import { binaryImage, FRAME_QUERY_PROPERTIES, type StreamDef, type StreamInput, type StreamSession } from './jsapi.js';
import type { ServerMetrics } from './metrics.js';
import type { ResolvedServerOptions } from './options.js';
import type { SessionStore } from './sessions.js';
import { toHmpError, wxFail } from './wx.js';

const OPEN = 1;

/** Registers one stream route. @internal */
export function registerStream(app: FastifyInstance, def: StreamDef, engine: Engine, opts: ResolvedServerOptions, metrics: ServerMetrics, sessions: SessionStore): void {
  const geometryKeys = def.input === 'image' ? Object.keys(FRAME_QUERY_PROPERTIES) : [];
  app.get(
    `/v1/stream/${def.path}`,
    {
      websocket: true,
      config: { api: def.name },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...(def.input === 'image' ? FRAME_QUERY_PROPERTIES : {}), ...def.options.properties },
          ...(def.options.required?.length ? { required: def.options.required } : {}),
        },
      },
    },
    (socket: WebSocket, request: FastifyRequest) => {
      const query = { ...(request.query as Record<string, unknown>) };
      const geometry: Record<string, unknown> = {};
      for (const k of geometryKeys) {
        if (k in query) geometry[k] = query[k];
        delete query[k];
      }
      new StreamConnection(def, socket, request, engine, opts, metrics, sessions, query, geometry);
    },
  );
}

class StreamConnection {
  readonly #def: StreamDef;
  readonly #socket: WebSocket;
  readonly #request: FastifyRequest;
  readonly #opts: ResolvedServerOptions;
  readonly #metrics: ServerMetrics;
  readonly #sessions: SessionStore;
  readonly #abort = new AbortController();
  #geometry: Record<string, unknown>;
  #session: StreamSession | undefined;
  #seq = 0;
  #busy = false;
  #closed = false;
  #dropped = 0;
  /** Camera: the newest waiting frame. Audio: the bounded FIFO (control messages keep their place in it). */
  #waiting: { seq: number; data: Buffer; control?: Record<string, unknown> }[] = [];

  constructor(def: StreamDef, socket: WebSocket, request: FastifyRequest, engine: Engine, opts: ResolvedServerOptions, metrics: ServerMetrics, sessions: SessionStore, options: Record<string, unknown>, geometry: Record<string, unknown>) {
    this.#def = def;
    this.#socket = socket;
    this.#request = request;
    this.#opts = opts;
    this.#metrics = metrics;
    this.#sessions = sessions;
    this.#geometry = geometry;
    metrics.streamOpened(def.name);
    // Listeners go on before any await so frames sent right after the handshake are not lost.
    socket.on('message', (data: Buffer, isBinary: boolean) => this.#onMessage(data, isBinary));
    socket.on('close', () => void this.#onClose());
    void this.#open(engine, options);
  }

  async #open(engine: Engine, options: Record<string, unknown>): Promise<void> {
    try {
      const session = await this.#def.open({
        engine,
        params: { ...(this.#request.params as Record<string, string>) },
        options,
        signal: this.#abort.signal,
        emit: (ev) => this.#send(ev),
        device: this.#request.hmpDevice,
        sessions: this.#sessions,
        log: this.#request.log,
      });
      if (this.#closed) {
        await session.close();
        return;
      }
      this.#session = session;
      this.#send({ type: 'ready', stream: this.#def.name });
      void this.#pump();
    } catch (err) {
      this.#sendError(err);
      this.#socket.close(1008, 'stream refused');
    }
  }

  #send(ev: Record<string, unknown>): void {
    if (this.#socket.readyState === OPEN) this.#socket.send(JSON.stringify(ev));
  }

  #sendError(err: unknown, seq?: number): void {
    const e = toHmpError(err, String(this.#request.id));
    if (!(err instanceof HmpError)) this.#request.log.error({ err, stream: this.#def.name }, 'stream failure');
    this.#send({ type: 'error', ...(seq === undefined ? {} : { seq }), ...wxFail(this.#def.name, e).body });
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    if (!isBinary) return this.#onControl(data.toString('utf8'));
    const seq = ++this.#seq;
    if (this.#def.input === 'audio') {
      if (this.#waiting.length >= this.#opts.streamAudioQueue) {
        this.#sendError(createError('HMP_ERR_SERVER_STREAM_OVERFLOW', this.#def.name, this.#opts.streamAudioQueue), seq);
        this.#metrics.streamInput(this.#def.name, 'dropped', this.#waiting.length + 1);
        this.#waiting = [];
        this.#socket.close(1013, 'stream overflow');
        return;
      }
      this.#waiting.push({ seq, data });
    } else {
      // A client that does not read its events gets no new work done for it.
      const stalled = this.#socket.bufferedAmount > this.#opts.streamMaxBuffered;
      // Either the new frame (client not reading) or the stale waiting one is dropped.
      if (stalled || this.#waiting.length > 0) {
        this.#dropped++;
        this.#metrics.streamInput(this.#def.name, 'dropped');
      }
      if (stalled) return;
      this.#waiting = [{ seq, data }];
    }
    void this.#pump();
  }

  #onControl(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.#sendError(createError('HMP_ERR_SERVER_STREAM_MESSAGE', 'text messages must be JSON control messages'));
    }
    const m = msg as Record<string, unknown>;
    if (typeof m === 'object' && m !== null && !Array.isArray(m) && typeof m.type === 'string' && m.type !== 'config' && this.#session?.control) {
      if (this.#def.input === 'audio') {
        if (this.#waiting.length >= this.#opts.streamAudioQueue) {
          return this.#sendError(createError('HMP_ERR_SERVER_STREAM_OVERFLOW', this.#def.name, this.#opts.streamAudioQueue));
        }
        this.#waiting.push({ seq: 0, data: Buffer.alloc(0), control: m });
        void this.#pump();
        return;
      }
      void this.#session.control(m).then(
        (out) => this.#sendEvents(out, undefined, undefined),
        (err: unknown) => this.#sendError(err),
      );
      return;
    }
    if (typeof m !== 'object' || m === null || m.type !== 'config' || this.#def.input !== 'image') {
      return this.#sendError(createError('HMP_ERR_SERVER_STREAM_MESSAGE', `unknown control message ${JSON.stringify(text.slice(0, 80))}; expected {"type":"config",...} on image streams`));
    }
    const unknown = Object.keys(m).filter((k) => k !== 'type' && !(k in FRAME_QUERY_PROPERTIES));
    if (unknown.length) return this.#sendError(createError('HMP_ERR_SERVER_STREAM_MESSAGE', `unknown config keys ${unknown.join(', ')}; known: width, height, format`));
    if (m.format !== undefined && !FRAME_FORMATS.includes(m.format as never)) {
      return this.#sendError(createError('HMP_ERR_FRAME_FORMAT', FRAME_FORMATS.join(', '), 'config.format', JSON.stringify(m.format)));
    }
    this.#geometry = { width: m.width, height: m.height, format: m.format };
    this.#send({ type: 'config', width: m.width ?? null, height: m.height ?? null, format: m.format ?? null });
  }

  async #pump(): Promise<void> {
    while (!this.#busy && this.#session && !this.#closed && this.#waiting.length > 0) {
      const item = this.#waiting.shift()!;
      this.#busy = true;
      const dropped = this.#dropped;
      this.#dropped = 0;
      try {
        if (item.control) {
          this.#sendEvents(await this.#session.control!(item.control), undefined, undefined);
          continue;
        }
        const input: StreamInput =
          this.#def.input === 'audio'
            ? { kind: 'audio', seq: item.seq, data: item.data }
            : { kind: 'image', seq: item.seq, image: binaryImage(item.data, this.#geometry, 'frame') };
        const out = await this.#session.push(input);
        this.#metrics.streamInput(this.#def.name, 'processed');
        this.#sendEvents(out, item.seq, dropped);
      } catch (err) {
        this.#metrics.streamInput(this.#def.name, 'failed');
        if (!this.#closed) this.#sendError(err, item.seq);
      } finally {
        this.#busy = false;
      }
    }
  }

  #sendEvents(out: Record<string, unknown> | Record<string, unknown>[] | void, seq: number | undefined, dropped: number | undefined): void {
    const events = out === undefined ? [] : Array.isArray(out) ? out : [out];
    for (const ev of events) this.#send(seq === undefined ? ev : { ...ev, seq, dropped });
  }

  async #onClose(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiting = [];
    this.#abort.abort();
    this.#metrics.streamClosed(this.#def.name);
    try {
      await this.#session?.close();
    } catch (err) {
      this.#request.log.error({ err, stream: this.#def.name }, 'stream close failed');
    }
  }
}
