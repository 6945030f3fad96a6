/**
 * The kitchen scene monitor's main-thread API: one {@link SceneSession} per camera.
 *
 * Frames are analysed in the engine's workers (task `scene.frame`); the alarm policy runs
 * here. Why the stream state travels with each frame instead of pinning the session to a
 * worker: the pool has no affinity, any idle worker can take any camera's next frame (one busy
 * camera never queues behind another's pinned worker), and a crashed worker loses nothing but
 * the frame in flight — the session starts a fresh background and keeps going. The state is
 * about 60 KB at 320x240 and crosses by transfer, not copy; frames of one session are analysed
 * strictly one after another, so the state never forks.
 */
import { EventEmitter } from 'node:events';
import type { Engine } from '../../engine/engine.js';
import { createError, describe } from '../../errors.js';
import * as is from '../../is.js';
import { prepareImage, type ImageInput, type ImagePayload } from '../../runtime/image/index.js';
import { loadSceneModel } from './model.js';
import { AlarmTracker, DEFAULT_RULES, SCENE_EVENT_TYPES, type AlarmRule, type SceneEventType } from './policy.js';
import { newStreamState, type StreamState } from './stream.js';
import { stateBuffers, type SceneEvent, type SceneFrameResult, type WorkerFrameResult } from './types.js';
import type { SceneFramePayload } from './worker.js';

export type { SceneEvent, SceneFrameResult, SceneRegion, SceneGlobal, SceneStreamSummary, SceneEventType } from './types.js';
export type { AlarmRule } from './policy.js';
export { SCENE_EVENT_TYPES, DEFAULT_RULES } from './policy.js';

/** Options of {@link createSceneSession}. */
export interface SceneSessionOptions {
  /** Session id, echoed in results and events. Default: `scene-<n>`. */
  id?: string;
  /** Analysis width. Default: the model's (320). */
  width?: number;
  /** Analysis height. Default: the model's (240). */
  height?: number;
  /** Per event type overrides of {@link DEFAULT_RULES} (fire/smoke `on` default to the model's thresholds). */
  rules?: Partial<Record<SceneEventType, Partial<AlarmRule>>>;
  /** Attach a small JPEG (base64) to raised events. Default: true. */
  snapshot?: boolean;
  /** Snapshot width in pixels. Default: 160. */
  snapshotWidth?: number;
  /** POST every event as JSON to this URL (failures are reported as `webhookError`, never thrown). */
  webhook?: { url: string; timeoutMs?: number; headers?: Record<string, string> };
  /** Deadline per frame, ms. Default: the engine's. */
  timeoutMs?: number;
  /** Fire/smoke evidence needs motion in the frame (a static scene never alarms). Default: true. */
  requireMotion?: boolean;
}

/** Options of {@link SceneSession.push}. */
export interface ScenePushOptions {
  /** Capture time of the frame, ms (strictly increasing per session). Default: `Date.now()`. */
  timestamp?: number;
}

/** Shortest stream time between two snapshots taken while alarm evidence builds. */
const SNAPSHOT_EVERY_MS = 500;

const OPTION_KEYS = ['id', 'width', 'height', 'rules', 'snapshot', 'snapshotWidth', 'webhook', 'timeoutMs', 'requireMotion'];
const RULE_KEYS = ['on', 'off', 'raiseAfterMs', 'clearAfterMs'];
let sessionCounter = 0;

/** Resolved session settings. @internal */
interface SessionSettings {
  snapshot: boolean;
  snapshotWidth: number;
  webhook?: { url: string; timeoutMs: number; headers: Record<string, string> };
  timeoutMs?: number;
  requireMotion: boolean;
}

interface Pending {
  payload: ImagePayload;
  transfer: ArrayBuffer[];
  frame: number;
  timestamp: number;
  resolve: (r: SceneFrameResult) => void;
  reject: (e: unknown) => void;
}

/**
 * One camera's scene monitor. Events: `'event'` ({@link SceneEvent}, raised and cleared),
 * `'webhookError'` (`{event, message}`).
 *
 * @example
 * const session = await createSceneSession(engine, { id: 'fridge-1' });
 * session.on('event', (e) => console.log(e.type, e.state, e.confidence));
 * const r = await session.push({ data: rgba, width: 320, height: 240, format: 'rgba' });
 * // r: { session: 'fridge-1', frame: 1, scores: { fire: 0.0021, smoke: 0.0113 }, regions: [], events: [], ... }
 * await session.close();
 */
export class SceneSession extends EventEmitter {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly #engine: Engine;
  readonly #tracker: AlarmTracker;
  readonly #opts: SessionSettings;
  #state: StreamState;
  #frames = 0;
  #lastPushT = -Infinity;
  #lastT = NaN;
  #busy: Promise<void> | null = null;
  #waiting: Pending | null = null;
  #closed = false;
  #lastSnapshot: string | undefined;
  /** Stream time (ms) of the frame {@link #lastSnapshot} shows. */
  #lastSnapshotT = -Infinity;
  readonly #webhooks = new Set<Promise<void>>();

  /** @internal use {@link createSceneSession} */
  constructor(engine: Engine, id: string, width: number, height: number, rules: Record<SceneEventType, AlarmRule>, opts: SessionSettings, grid: { bx: number; by: number }) {
    super();
    this.#engine = engine;
    this.id = id;
    this.width = width;
    this.height = height;
    this.#tracker = new AlarmTracker(rules, opts.requireMotion);
    this.#opts = opts;
    this.#state = newStreamState(width, height, grid);
    this.#grid = grid;
  }

  readonly #grid: { bx: number; by: number };

  /** Frames pushed so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Event types currently raised. */
  get active(): SceneEventType[] {
    return this.#tracker.active;
  }

  /** Alarm rules in force. */
  get rules(): Readonly<Record<SceneEventType, AlarmRule>> {
    return this.#tracker.rules;
  }

  /**
   * Pushes one frame (raw RGBA/RGB/gray/NV21 or encoded bytes; any size: it is resampled to the
   * analysis size). Frames are analysed one at a time, in order; while one is analysed, only the
   * newest waiting frame is kept.
   * @throws HMP_ERR_SCENE_SESSION_CLOSED, HMP_ERR_SCENE_TIMESTAMP, image input codes (HMP_ERR_FRAME_SIZE, ...);
   *   rejects with HMP_ERR_SCENE_FRAME_DROPPED when a newer frame replaced this one
   */
  push(image: ImageInput, options: ScenePushOptions = {}): Promise<SceneFrameResult> {
    try {
      if (this.#closed) throw createError('HMP_ERR_SCENE_SESSION_CLOSED', this.id);
      if (!is.isObject(options)) throw is.invalid('options object', 'options', options);
      is.knownKeys(options as Record<string, unknown>, ['timestamp'], 'options');
      const timestamp = options.timestamp === undefined ? Date.now() : is.number(options.timestamp, 'options.timestamp', 0);
      if (!(timestamp > this.#lastPushT)) throw createError('HMP_ERR_SCENE_TIMESTAMP', this.#lastPushT, 'options.timestamp', describe(timestamp));
      const { payload, transfer } = prepareImage(image, 'image', this.#engine.options.maxPixels);
      this.#lastPushT = timestamp;
      const frame = ++this.#frames;
      return new Promise<SceneFrameResult>((resolve, reject) => {
        if (this.#waiting) {
          const old = this.#waiting;
          old.reject(createError('HMP_ERR_SCENE_FRAME_DROPPED', old.frame, this.id));
        }
        this.#waiting = { payload, transfer, frame, timestamp, resolve, reject };
        if (!this.#busy) this.#busy = this.#drain();
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async #drain(): Promise<void> {
    while (this.#waiting) {
      const job = this.#waiting;
      this.#waiting = null;
      try {
        job.resolve(await this.#analyse(job));
      } catch (err) {
        job.reject(err);
      }
    }
    this.#busy = null;
  }

  async #analyse(job: Pending): Promise<SceneFrameResult> {
    const dtMs = Number.isNaN(this.#lastT) ? 0 : job.timestamp - this.#lastT;
    const state = this.#state;
    const payload: SceneFramePayload = {
      image: job.payload, state, width: this.width, height: this.height, dtMs,
      // While evidence builds, keep a picture of it for the raise event — at most one JPEG per
      // SNAPSHOT_EVERY_MS of stream time (an encode costs several times the frame's analysis).
      snapshot: this.#opts.snapshot && this.#tracker.arming && job.timestamp - this.#lastSnapshotT >= SNAPSHOT_EVERY_MS,
      snapshotWidth: this.#opts.snapshotWidth,
    };
    let r: WorkerFrameResult;
    try {
      r = await this.#engine.run<WorkerFrameResult>('scene.frame', payload, {
        transfer: [...job.transfer, ...stateBuffers(state)],
        ...(this.#opts.timeoutMs ? { timeoutMs: this.#opts.timeoutMs } : {}),
      });
    } catch (err) {
      // The state went to the worker with the frame; if it did not come back, start afresh
      // (the background is relearned within seconds) rather than fail every later frame.
      if (state.bg.byteLength === 0) this.#state = newStreamState(this.width, this.height, this.#grid);
      throw err;
    }
    this.#state = r.state!;
    this.#lastT = job.timestamp;
    if (r.snapshot) {
      this.#lastSnapshot = Buffer.from(r.snapshot.buffer, r.snapshot.byteOffset, r.snapshot.byteLength).toString('base64');
      this.#lastSnapshotT = job.timestamp;
    }
    const transitions = this.#tracker.step({ timestamp: job.timestamp, scores: r.scores, tamper: r.tamper, motion: r.stream?.motion ?? null });
    const events: SceneEvent[] = transitions.map((t) => {
      const regions = t.type === 'fire' || t.type === 'smoke' ? r.regions.filter((g) => g.type === t.type) : [];
      const e: SceneEvent = { type: t.type, state: t.state, session: this.id, frame: job.frame, timestamp: job.timestamp, confidence: t.confidence, regions };
      if (t.state === 'raised' && this.#opts.snapshot && this.#lastSnapshot) e.snapshot = this.#lastSnapshot;
      return e;
    });
    if (!this.#tracker.arming) {
      this.#lastSnapshot = undefined;
      this.#lastSnapshotT = -Infinity;
    }
    for (const e of events) {
      this.emit('event', e);
      if (this.#opts.webhook) this.#post(e);
    }
    return {
      session: this.id, frame: job.frame, timestamp: job.timestamp,
      scores: r.scores, regions: r.regions,
      tamper: r.tamper ?? { covered: 0, blinded: 0, defocused: 0, moved: 0 },
      global: r.global, stream: r.stream, events, ms: Math.round(r.ms * 1000) / 1000,
    };
  }

  #post(e: SceneEvent): void {
    const w = this.#opts.webhook!;
    const p = (async () => {
      try {
        const res = await fetch(w.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...w.headers },
          body: JSON.stringify(e),
          signal: AbortSignal.timeout(w.timeoutMs),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        await res.arrayBuffer();
      } catch (err) {
        this.emit('webhookError', { event: e, message: (err as Error).message });
      }
    })();
    this.#webhooks.add(p);
    void p.finally(() => this.#webhooks.delete(p));
  }

  /**
   * Closes the session: a waiting frame is rejected (HMP_ERR_SCENE_SESSION_CLOSED), the frame
   * in flight and pending webhook posts are awaited. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = null;
      w.reject(createError('HMP_ERR_SCENE_SESSION_CLOSED', this.id));
    }
    if (this.#busy) await this.#busy;
    await Promise.all([...this.#webhooks]);
  }
}

function validateRules(input: unknown, defaults: Record<SceneEventType, AlarmRule>): Record<SceneEventType, AlarmRule> {
  const out = { ...defaults };
  if (input === undefined) return out;
  if (!is.isObject(input)) throw is.invalid('object of alarm rules', 'options.rules', input);
  is.knownKeys(input, SCENE_EVENT_TYPES, 'options.rules');
  for (const [t, r] of Object.entries(input)) {
    const name = `options.rules.${t}`;
    if (!is.isObject(r)) throw is.invalid('alarm rule object', name, r);
    is.knownKeys(r, RULE_KEYS, name);
    const m = { ...out[t as SceneEventType] };
    if (r.on !== undefined) m.on = is.number(r.on, `${name}.on`, 0, 1);
    if (r.off !== undefined) m.off = is.number(r.off, `${name}.off`, 0, 1);
    if (r.raiseAfterMs !== undefined) m.raiseAfterMs = is.number(r.raiseAfterMs, `${name}.raiseAfterMs`, 0, 600_000);
    if (r.clearAfterMs !== undefined) m.clearAfterMs = is.number(r.clearAfterMs, `${name}.clearAfterMs`, 0, 3_600_000);
    if (m.off > m.on) throw is.outOfRange(`off <= on (${m.on})`, `${name}.off`, m.off);
    out[t as SceneEventType] = m;
  }
  return out;
}

/**
 * Opens a scene session on an engine. Loads the scene model on this thread once (for its
 * analysis size and thresholds); workers load it on their first frame.
 *
 * Defaults: analysis 320x240, 8x6 blocks, snapshots on (160 px), rules {@link DEFAULT_RULES}
 * with fire/smoke `on` from the model (off = 0.6 x on).
 * @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_OPTION_UNKNOWN, HMP_ERR_SCENE_MODEL
 * @example
 * const s = await createSceneSession(engine, { id: 'fridge-1', rules: { smoke: { raiseAfterMs: 3000 } } });
 * s.rules.smoke // { on: 0.5, off: 0.3, raiseAfterMs: 3000, clearAfterMs: 5000 }
 */
export async function createSceneSession(engine: Engine, options: SceneSessionOptions = {}): Promise<SceneSession> {
  if (!is.isObject(options)) throw is.invalid('options object', 'options', options);
  is.knownKeys(options as Record<string, unknown>, OPTION_KEYS, 'options');
  const model = loadSceneModel(engine.modelsDir);
  const spec = model.file.spec;
  const id = options.id === undefined ? `scene-${++sessionCounter}` : is.string(options.id, 'options.id');
  if (!/^[\w.-]{1,64}$/.test(id)) throw is.invalid('id of 1-64 letters, digits, _ . -', 'options.id', id);
  const width = options.width === undefined ? spec.width : is.integer(options.width, 'options.width', 32, 1920);
  const height = options.height === undefined ? spec.height : is.integer(options.height, 'options.height', 24, 1080);
  const th = model.file.thresholds;
  const base: Record<SceneEventType, AlarmRule> = { ...DEFAULT_RULES } as Record<SceneEventType, AlarmRule>;
  base.fire = { ...base.fire, on: th.fire, off: Math.round(th.fire * 60) / 100 };
  base.smoke = { ...base.smoke, on: th.smoke, off: Math.round(th.smoke * 60) / 100 };
  const rules = validateRules(options.rules, base);
  const snapshot = options.snapshot === undefined ? true : is.boolean(options.snapshot, 'options.snapshot');
  const snapshotWidth = options.snapshotWidth === undefined ? 160 : is.integer(options.snapshotWidth, 'options.snapshotWidth', 16, 1920);
  let webhook: { url: string; timeoutMs: number; headers: Record<string, string> } | undefined;
  if (options.webhook !== undefined) {
    const w = options.webhook;
    if (!is.isObject(w)) throw is.invalid('webhook object {url, timeoutMs?, headers?}', 'options.webhook', w);
    is.knownKeys(w, ['url', 'timeoutMs', 'headers'], 'options.webhook');
    const url = is.string(w.url, 'options.webhook.url');
    let ok = false;
    try { ok = ['http:', 'https:'].includes(new URL(url).protocol); } catch { ok = false; }
    if (!ok) throw is.invalid('http(s) URL', 'options.webhook.url', url);
    const headers: Record<string, string> = {};
    if (w.headers !== undefined) {
      if (!is.isObject(w.headers)) throw is.invalid('object of header strings', 'options.webhook.headers', w.headers);
      for (const [k, v] of Object.entries(w.headers)) headers[k] = is.string(v, `options.webhook.headers.${k}`);
    }
    webhook = { url, timeoutMs: w.timeoutMs === undefined ? 3000 : is.integer(w.timeoutMs, 'options.webhook.timeoutMs', 1, 60_000), headers };
  }
  const timeoutMs = options.timeoutMs === undefined ? undefined : is.integer(options.timeoutMs, 'options.timeoutMs', 1, 600_000);
  const requireMotion = options.requireMotion === undefined ? true : is.boolean(options.requireMotion, 'options.requireMotion');
  return new SceneSession(engine, id, width, height, rules, { snapshot, snapshotWidth, webhook, timeoutMs, requireMotion }, spec.grid);
}

/**
 * Scores still images on their own (no stream state, no tamper): `--still` in the CLI.
 * Output mirrors input: one image in, one result out.
 * @throws image input codes, HMP_ERR_SCENE_MODEL
 */
export async function scoreSceneImage(engine: Engine, image: ImageInput): Promise<Pick<SceneFrameResult, 'scores' | 'regions' | 'ms'>> {
  const model = loadSceneModel(engine.modelsDir);
  const { payload, transfer } = prepareImage(image, 'image', engine.options.maxPixels);
  const p: SceneFramePayload = { image: payload, state: null, width: model.file.spec.width, height: model.file.spec.height, dtMs: 0, snapshot: false, snapshotWidth: 160 };
  const r = await engine.run<WorkerFrameResult>('scene.frame', p, { transfer });
  return { scores: r.scores, regions: r.regions, ms: Math.round(r.ms * 1000) / 1000 };
}

