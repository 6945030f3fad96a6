/**
 * A small typed client for hmp's JSAPI server, for the device side: Node (fetch + `ws`) or a
 * mini-program (`wx.request` / `wx.connectSocket`, through {@link wxTransport}).
 * It never imports server or engine code; everything it knows is the wire protocol.
 *
 * @example
 * const hmp = new HmpClient({ baseUrl: 'http://127.0.0.1:8790', token: process.env.HMP_TOKEN });
 * const info = await hmp.getImageInfo(await readFile('photo.jpg'));
 * // { errMsg: 'getImageInfo:ok', width: 200, height: 200, type: 'jpeg', format: 'rgba' }
 */

/** A raw camera frame as the device has it (`onCameraFrame` gives rgba). */
export interface ClientFrame {
  data: Uint8Array | ArrayBuffer;
  width: number;
  height: number;
  format?: 'rgba' | 'rgb' | 'gray' | 'nv21';
}

/** An image: encoded bytes or a raw frame. */
export type ClientImage = Uint8Array | ArrayBuffer | ClientFrame;

/** One HTTP exchange, transport-neutral. */
export interface TransportRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  timeoutMs?: number;
}

/** The answer: status and the body, parsed as JSON when it is JSON, else text. */
export interface TransportResponse {
  status: number;
  body: unknown;
}

/** A connected socket, transport-neutral. */
export interface SocketLike {
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
  onOpen(cb: () => void): void;
  onMessage(cb: (text: string) => void): void;
  onClose(cb: (code: number, reason: string) => void): void;
  onError(cb: (err: Error) => void): void;
}

/** How the client talks to the server. */
export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  connect(url: string, headers: Record<string, string>): SocketLike;
}

/** A failure in the wx convention, thrown by the client. */
export class HmpRemoteError extends Error {
  /** hmp error code, e.g. `HMP_ERR_FRAME_SIZE`. */
  readonly code: string;
  /** Numeric errCode (see docs/server.md). */
  readonly errCode: number;
  /** `"<api>:fail <reason>"`. */
  readonly errMsg: string;
  /** HTTP status (0 for stream errors). */
  readonly status: number;
  readonly retryable: boolean;

  constructor(body: { errMsg?: string; errCode?: number; code?: string; message?: string; retryable?: boolean }, status: number) {
    super(body.message ?? body.errMsg ?? `HTTP ${status}`);
    this.name = 'HmpRemoteError';
    // Without an hmp body (a proxy's error page, not an hmp server) the code says so.
    this.code = body.code ?? 'HMP_ERR_CLIENT_RESPONSE';
    this.errCode = body.errCode ?? 0;
    this.errMsg = body.errMsg ?? `request:fail HTTP ${status}`;
    this.status = status;
    this.retryable = body.retryable ?? false;
  }
}

/** Success in the wx convention. */
export type WxOk<R> = R & { errMsg: string };

function isFrame(v: unknown): v is ClientFrame {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !(v instanceof ArrayBuffer) && 'width' in v && 'height' in v;
}

function bytesOf(v: Uint8Array | ArrayBuffer): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(v);
}

function toBase64(b: Uint8Array): string {
  if (typeof Buffer !== 'undefined') return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function query(params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(item))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Options of {@link HmpClient}. */
export interface HmpClientOptions {
  /** e.g. `http://127.0.0.1:8790`. */
  baseUrl: string;
  /** The device's bearer token, when the server has tokens. */
  token?: string;
  /** Default: {@link nodeTransport}. Mini-programs pass `wxTransport(wx)`. */
  transport?: Transport;
  /** Deadline sent with every call (`x-hmp-timeout-ms`). Default: the server's. */
  timeoutMs?: number;
}

/** Per-call options. */
export interface CallOptions {
  /** The call's deadline in ms (mapped to the engine's deadline). */
  timeoutMs?: number;
  /** Send images as base64 JSON instead of binary (needed for options that are objects). Default: automatic. */
  json?: boolean;
}

/** The client. */
export class HmpClient {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #transport: Transport;
  readonly #timeoutMs: number | undefined;

  constructor(opts: HmpClientOptions) {
    this.#base = opts.baseUrl.replace(/\/+$/, '');
    this.#token = opts.token;
    this.#transport = opts.transport ?? nodeTransport();
    this.#timeoutMs = opts.timeoutMs;
  }

  #headers(extra: Record<string, string>, timeoutMs?: number): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.#token) h.authorization = `Bearer ${this.#token}`;
    const t = timeoutMs ?? this.#timeoutMs;
    if (t !== undefined) h['x-hmp-timeout-ms'] = String(t);
    return h;
  }

  async #send<R>(req: TransportRequest): Promise<WxOk<R>> {
    const res = await this.#transport.request(req);
    const body = res.body as Record<string, unknown>;
    if (res.status >= 200 && res.status < 300 && body && typeof body === 'object') return body as WxOk<R>;
    throw new HmpRemoteError(typeof body === 'object' && body ? body : { message: String(body) }, res.status);
  }

  /**
   * Calls a JSAPI on its own route. With an image, sends it as binary (raw frames as
   * application/octet-stream with geometry in the query, options in the query) unless an option
   * is an object or `json` is set, then as base64 JSON.
   * @throws HmpRemoteError with the server's code
   */
  call<R = Record<string, unknown>>(api: string, image: ClientImage | undefined, options: Record<string, unknown> = {}, call: CallOptions = {}): Promise<WxOk<R>> {
    const url = `${this.#base}/v1/${api}`;
    const objectOption = Object.values(options).some((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    if (image === undefined || call.json || objectOption) {
      const body: Record<string, unknown> = { ...options };
      if (image !== undefined) {
        body.image = isFrame(image)
          ? { data: toBase64(bytesOf(image.data)), width: image.width, height: image.height, format: image.format ?? 'rgba' }
          : toBase64(bytesOf(image));
      }
      return this.#send<R>({ method: 'POST', url, headers: this.#headers({ 'content-type': 'application/json' }, call.timeoutMs), body: JSON.stringify(body), timeoutMs: call.timeoutMs });
    }
    const q = isFrame(image) ? { ...options, width: image.width, height: image.height, format: image.format ?? 'rgba' } : options;
    const data = isFrame(image) ? bytesOf(image.data) : bytesOf(image);
    return this.#send<R>({ method: 'POST', url: url + query(q), headers: this.#headers({ 'content-type': 'application/octet-stream' }, call.timeoutMs), body: data, timeoutMs: call.timeoutMs });
  }

  /**
   * The Invoke Channel shape: `{command, data}` with `data` as the Invoke Channel passes it (a
   * JSON string) or an object.
   * @throws HmpRemoteError
   */
  invoke<R = Record<string, unknown>>(command: string, data: string | Record<string, unknown> = {}, call: CallOptions = {}): Promise<WxOk<R>> {
    return this.#send<R>({
      method: 'POST',
      url: `${this.#base}/v1/invoke`,
      headers: this.#headers({ 'content-type': 'application/json' }, call.timeoutMs),
      body: JSON.stringify({ command, data }),
      timeoutMs: call.timeoutMs,
    });
  }

  /** `getImageInfo`: size and type of an image, or validation of a raw frame. */
  getImageInfo(image: ClientImage, call?: CallOptions) {
    return this.call<{ width: number; height: number; type: string; format: string }>('getImageInfo', image, {}, call);
  }

  /** `scanCode`: barcodes in one image. Options as the server documents (formats, roi, budgetMs, ...). */
  scanCode(image: ClientImage, options: Record<string, unknown> = {}, call?: CallOptions) {
    return this.call<{ result: string; scanType: string; charSet: string; rawData: string; codes: { format: string; scanType: string; text: string }[] }>('scanCode', image, options, call);
  }

  /** `GET /readyz` body (does not throw on 503). */
  async ready(): Promise<{ status: string; [k: string]: unknown }> {
    const res = await this.#transport.request({ method: 'GET', url: `${this.#base}/readyz`, headers: this.#headers({}) });
    return res.body as { status: string };
  }

  /**
   * Opens a WebSocket stream (`/v1/stream/<path>`): send frames with `send()`, receive JSON
   * events through `onEvent`. Resolves once the server reports `{type: 'ready'}`.
   * @throws HmpRemoteError when the server refuses the stream
   */
  stream(path: string, params: Record<string, unknown>, onEvent: (ev: StreamEvent) => void): Promise<ClientStream> {
    const url = `${this.#base.replace(/^http/, 'ws')}/v1/stream/${path}${query(params)}`;
    const socket = this.#transport.connect(url, this.#headers({}));
    return new Promise((resolve, reject) => {
      let ready = false;
      const stream: ClientStream = {
        send: (frame) => socket.send(frame instanceof Uint8Array ? frame : new Uint8Array(frame)),
        configure: (geometry) => socket.send(JSON.stringify({ type: 'config', ...geometry })),
        control: (message) => socket.send(JSON.stringify(message)),
        close: () => socket.close(1000, 'done'),
        closed: new Promise((r) => socket.onClose((code, reason) => r({ code, reason }))),
      };
      socket.onMessage((text) => {
        const ev = JSON.parse(text) as StreamEvent;
        if (!ready && ev.type === 'ready') {
          ready = true;
          resolve(stream);
        } else if (!ready && ev.type === 'error') reject(new HmpRemoteError(ev as never, 0));
        onEvent(ev);
      });
      socket.onError((err) => {
        if (!ready) reject(err);
      });
      socket.onClose((code, reason) => {
        if (!ready) reject(new HmpRemoteError({ message: `stream closed before ready: ${code} ${reason}` }, 0));
      });
    });
  }
}

/** An event from a stream: `ready`, `error`, `config`, or the stream's own (`scan`, ...). */
export interface StreamEvent {
  type: string;
  seq?: number;
  dropped?: number;
  [k: string]: unknown;
}

/** An open stream. */
export interface ClientStream {
  send(frame: Uint8Array | ArrayBuffer): void;
  /** Sets the raw frame geometry of following frames. */
  configure(geometry: { width?: number; height?: number; format?: string }): void;
  /** Sends a control message, e.g. `{type: 'flush'}` on voice streams. */
  control(message: { type: string; [k: string]: unknown }): void;
  close(): void;
  /** Resolves when the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
}

/** Node transport: global `fetch` and the `ws` package (loaded on first stream). */
export function nodeTransport(): Transport {
  let WS: typeof import('ws').WebSocket | undefined;
  return {
    async request(req) {
      const res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body as RequestInit['body'],
        ...(req.timeoutMs ? { signal: AbortSignal.timeout(req.timeoutMs + 5000) } : {}),
      });
      const text = await res.text();
      const ct = res.headers.get('content-type') ?? '';
      return { status: res.status, body: ct.includes('json') && text ? JSON.parse(text) : text };
    },
    connect(url, headers) {
      const listeners: { open: (() => void)[]; message: ((t: string) => void)[]; close: ((c: number, r: string) => void)[]; error: ((e: Error) => void)[] } = { open: [], message: [], close: [], error: [] };
      let sock: import('ws').WebSocket | undefined;
      const queue: (Uint8Array | string)[] = [];
      void (async () => {
        WS ??= (await import('ws')).WebSocket;
        sock = new WS(url, { headers });
        sock.on('open', () => {
          for (const d of queue.splice(0)) sock!.send(d);
          listeners.open.forEach((f) => f());
        });
        sock.on('message', (data: Buffer) => listeners.message.forEach((f) => f(data.toString('utf8'))));
        sock.on('close', (code: number, reason: Buffer) => listeners.close.forEach((f) => f(code, reason.toString('utf8'))));
        sock.on('error', (err: Error) => listeners.error.forEach((f) => f(err)));
        sock.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString('utf8')));
          res.on('end', () => {
            let parsed: Record<string, unknown> = {};
            try {
              parsed = JSON.parse(body);
            } catch {
              parsed = { message: body };
            }
            const err = new HmpRemoteError(parsed, res.statusCode ?? 0);
            listeners.error.forEach((f) => f(err));
            listeners.close.forEach((f) => f(1006, err.message));
          });
        });
      })();
      return {
        send: (d) => (sock && sock.readyState === 1 ? sock.send(d) : queue.push(d)),
        close: (code, reason) => sock?.close(code, reason),
        onOpen: (cb) => listeners.open.push(cb),
        onMessage: (cb) => listeners.message.push(cb),
        onClose: (cb) => listeners.close.push(cb),
        onError: (cb) => listeners.error.push(cb),
      };
    },
  };
}

/** The parts of the mini-program `wx` object the wx transport uses. */
export interface WxLike {
  request(o: {
    url: string;
    method: string;
    header: Record<string, string>;
    data?: ArrayBuffer | string;
    dataType?: string;
    responseType?: string;
    timeout?: number;
    success(res: { statusCode: number; data: unknown }): void;
    fail(err: { errMsg: string }): void;
  }): unknown;
  connectSocket(o: { url: string; header: Record<string, string> }): {
    send(o: { data: ArrayBuffer | string }): void;
    close(o: { code?: number; reason?: string }): void;
    onOpen(cb: () => void): void;
    onMessage(cb: (r: { data: string | ArrayBuffer }) => void): void;
    onClose(cb: (r: { code: number; reason: string }) => void): void;
    onError(cb: (r: { errMsg: string }) => void): void;
  };
}

/** An ArrayBuffer holding exactly the view's bytes (wx APIs take ArrayBuffers, not views). */
function exactBuffer(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return b.buffer as ArrayBuffer;
  // Copy: Node Buffers are often views into a shared pool (and Buffer#slice does not copy).
  const c = new Uint8Array(b.byteLength);
  c.set(b);
  return c.buffer;
}

/** Transport over `wx.request` / `wx.connectSocket` (mini-program side). */
export function wxTransport(wx: WxLike): Transport {
  return {
    request(req) {
      return new Promise((resolve, reject) => {
        wx.request({
          url: req.url,
          method: req.method,
          header: req.headers,
          data: req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : exactBuffer(req.body),
          dataType: 'json',
          responseType: 'text',
          ...(req.timeoutMs ? { timeout: req.timeoutMs + 5000 } : {}),
          success: (res) => resolve({ status: res.statusCode, body: res.data }),
          fail: (err) => reject(new Error(err.errMsg)),
        });
      });
    },
    connect(url, headers) {
      const task = wx.connectSocket({ url, header: headers });
      const queue: (Uint8Array | string)[] = [];
      let open = false;
      const raw = (d: Uint8Array | string) => task.send({ data: typeof d === 'string' ? d : exactBuffer(d) });
      task.onOpen(() => {
        open = true;
        for (const d of queue.splice(0)) raw(d);
      });
      return {
        send: (d) => (open ? raw(d) : queue.push(d)),
        close: (code, reason) => task.close({ code, reason }),
        onOpen: (cb) => task.onOpen(cb),
        onMessage: (cb) => task.onMessage((r) => cb(typeof r.data === 'string' ? r.data : new TextDecoder().decode(r.data))),
        onClose: (cb) => task.onClose((r) => cb(r.code, r.reason)),
        onError: (cb) => task.onError((r) => cb(new Error(r.errMsg))),
      };
    },
  };
}
