/**
 * Voice sessions (main thread): stream microphone PCM in chunks of any size and get events
 * back — `speechStart`, `speechEnd` (with the utterance as a 16 kHz WAV, pre-roll included),
 * `wakeWord`, `command` and `error` — timed in the stream's own clock (seconds of audio pushed).
 *
 * Each chunk runs as one `voice.chunk` task on the engine's pool (resample in WASM → Silero VAD
 * v5 → openWakeWord mel + embedding → the profile's trained head). The stream state travels
 * with the chunk and comes back updated, so workers hold nothing per session and the session's
 * memory is bounded: the feature state (< 48 KiB), an audio ring sized by `maxSpeechMs` and a
 * bounded queue of chunks waiting.
 */
import type { Engine } from '../../engine/engine.js';
import { createError, HmpError } from '../../errors.js';
import * as is from '../../is.js';
import { closeSegment, detect, GATE_MIN_FRAMES, GATE_WINDOW, isolated, newDetectorState, newVadMachine, vadStep, type DetectorState, type VadMachine } from './detector.js';
import { newStreamState, type ChunkFeatures, type StreamState, VAD_FRAME } from './pipeline.js';
import { defaultProfileDir, loadProfile, type VoiceAction, type VoiceProfile } from './profile.js';
import { checkSampleRate, encodeWav, parseWav } from './wav.js';

export { encodeWav, parseWav } from './wav.js';
export { defaultProfileDir, loadProfile } from './profile.js';
export type { VoiceAction, VoicePhrase, VoiceProfile, VoiceProfileManifest } from './profile.js';

const RATE = 16000;
/** Default `patience`. */
const PATIENCE_DEFAULT = 1;

/** Voice activity detection settings. */
export interface VadOptions {
  /** Speech probability at or above which a 32 ms frame counts as speech. Default 0.5. */
  threshold?: number;
  /** Probability below which speech is considered paused. Default `threshold - 0.15`. */
  negativeThreshold?: number;
  /** Speech needed before `speechStart` fires, ms (one noisy 32 ms frame never does). Default 96. */
  minSpeechMs?: number;
  /** Silence after speech before `speechEnd` fires, ms. Default 480. */
  endDelayMs?: number;
  /** Speech longer than this ends with `forced: true`, ms. Default 15000. */
  maxSpeechMs?: number;
  /** Audio kept before the detected start in the utterance, ms. Default 320. */
  preRollMs?: number;
  /** Audio kept after the last speech frame in the utterance, ms (≤ endDelayMs). Default 160. */
  postRollMs?: number;
}

/** Options of {@link createVoiceSession}. */
export interface VoiceSessionOptions {
  /** Sample rate of the PCM16 pushed, 8000-48000 Hz. Required. */
  sampleRate: number;
  /**
   * Profile directory (phrases, commands, trained head). Default: the shipped profile
   * (`models/voice/default`); `null` runs voice activity detection only.
   */
  profile?: string | null;
  vad?: VadOptions;
  /**
   * Let a phrase fire only if the VAD heard at least 96 ms of speech in the 2 s before it
   * (suppresses phrases "heard" in noise). Default true.
   */
  vadGate?: boolean;
  /** Emit `command` only within `wakeWindowMs` after a `wakeWord`. Default false. */
  requireWake?: boolean;
  /** Default 8000. */
  wakeWindowMs?: number;
  /** Consecutive 80 ms steps a phrase's score must stay at or above its threshold. Default: the profile's `patience`, else 1. */
  patience?: number;
  /**
   * One score threshold for every phrase (0.5-0.99999) instead of the profile's per-phrase
   * thresholds. With `patience` it picks a point on the profile's operating curve (fewer false
   * accepts for more misses, or the reverse; see docs/voice.md). Default: the profile's.
   */
  phraseThreshold?: number;
  /**
   * Isolated commands: a `command` counts only if the VAD speech segment holding it is no
   * longer than the phrase can be (the profile's `maxSec` per phrase, + 0.4 s), so commands
   * inside longer talk do not fire. The event then comes when the segment ends (`endDelayMs`
   * after the speech, 480 ms by default) instead of as soon as the phrase is recognised; its
   * `t` stays the recognition time. Wake words are not affected. Default false.
   */
  isolatedCommands?: boolean;
  /** After a phrase fires, no phrase fires for this long, ms. Default 1500. */
  refractoryMs?: number;
  /** Chunks allowed to wait while one is processed; more fail with HMP_ERR_VOICE_BACKLOG. Default 64. */
  maxQueue?: number;
  /** Deadline per chunk, ms. Default: the engine's. */
  timeoutMs?: number;
}

/** `t` is seconds of stream time (the audio pushed so far, at the input rate). */
export type VoiceEvent =
  | { type: 'speechStart'; t: number }
  | {
      type: 'speechEnd';
      t: number;
      /** When the speech started (the matching speechStart's `t`). */
      start: number;
      /** Whether `maxSpeechMs` cut it. */
      forced: boolean;
      /** The utterance, pre- and post-roll included, as a 16 kHz mono PCM16 WAV file. */
      audio: Uint8Array;
      /** Stream time of the first sample of `audio`. */
      audioStart: number;
    }
  | { type: 'wakeWord'; t: number; phrase: string; text: string; score: number }
  | { type: 'command'; t: number; phrase: string; text: string; command: string; action: VoiceAction; score: number }
  | { type: 'error'; t: number; code: string; message: string };

export type VoiceEventType = VoiceEvent['type'];

/** Bounded 16 kHz audio history for utterances. */
class AudioRing {
  #buf: Int16Array;
  /** Absolute sample index of #buf[0], and samples held. */
  #base = 0;
  #len = 0;
  constructor(capacity: number) {
    this.#buf = new Int16Array(capacity);
  }
  get bytes(): number {
    return this.#buf.byteLength;
  }
  push(x: Int16Array): void {
    const cap = this.#buf.length;
    if (x.length >= cap) {
      this.#buf.set(x.subarray(x.length - cap));
      this.#base += this.#len + x.length - cap;
      this.#len = cap;
      return;
    }
    const drop = Math.max(0, this.#len + x.length - cap);
    if (drop > 0) {
      this.#buf.copyWithin(0, drop, this.#len);
      this.#base += drop;
      this.#len -= drop;
    }
    this.#buf.set(x, this.#len);
    this.#len += x.length;
  }
  /** Samples [from, to) clamped to what is held. */
  slice(from: number, to: number): { start: number; samples: Int16Array } {
    const a = Math.max(from, this.#base);
    const b = Math.min(to, this.#base + this.#len);
    return { start: a, samples: this.#buf.slice(a - this.#base, Math.max(a, b) - this.#base) };
  }
}

interface ResolvedOptions {
  threshold: number;
  negThreshold: number;
  minSpeech: number;
  endDelay: number;
  maxSpeech: number;
  preRoll: number;
  postRoll: number;
  vadGate: boolean;
  patience: number;
  phraseThreshold: number | undefined;
  isolatedCommands: boolean;
  requireWake: boolean;
  wakeWindow: number;
  refractory: number;
  maxQueue: number;
  timeoutMs: number | undefined;
}

const SESSION_KEYS = ['sampleRate', 'profile', 'vad', 'vadGate', 'patience', 'phraseThreshold', 'isolatedCommands', 'requireWake', 'wakeWindowMs', 'refractoryMs', 'maxQueue', 'timeoutMs'] as const;
const VAD_KEYS = ['threshold', 'negativeThreshold', 'minSpeechMs', 'endDelayMs', 'maxSpeechMs', 'preRollMs', 'postRollMs'] as const;

function resolve(o: VoiceSessionOptions, profilePatience: number | undefined): ResolvedOptions {
  const v = o.vad ?? {};
  if (!is.isObject(v)) throw is.invalid('object', 'options.vad', v);
  is.knownKeys(v as Record<string, unknown>, VAD_KEYS, 'options.vad');
  const ms = (x: unknown, name: string, def: number, min: number, max: number) => (x === undefined ? def : is.integer(x, name, min, max)) * (RATE / 1000);
  const threshold = v.threshold === undefined ? 0.5 : is.number(v.threshold, 'options.vad.threshold', 0.01, 0.99);
  const negThreshold = v.negativeThreshold === undefined ? Math.max(0.01, threshold - 0.15) : is.number(v.negativeThreshold, 'options.vad.negativeThreshold', 0.01, threshold);
  const endDelay = ms(v.endDelayMs, 'options.vad.endDelayMs', 480, 32, 10_000);
  return {
    threshold,
    negThreshold,
    minSpeech: ms(v.minSpeechMs, 'options.vad.minSpeechMs', 96, 32, 5000),
    endDelay,
    maxSpeech: ms(v.maxSpeechMs, 'options.vad.maxSpeechMs', 15_000, 500, 120_000),
    preRoll: ms(v.preRollMs, 'options.vad.preRollMs', 320, 0, 2000),
    postRoll: Math.min(endDelay, ms(v.postRollMs, 'options.vad.postRollMs', 160, 0, 2000)),
    vadGate: o.vadGate === undefined ? true : is.boolean(o.vadGate, 'options.vadGate'),
    patience: o.patience === undefined ? (profilePatience ?? PATIENCE_DEFAULT) : is.integer(o.patience, 'options.patience', 1, 10),
    phraseThreshold: o.phraseThreshold === undefined ? undefined : is.number(o.phraseThreshold, 'options.phraseThreshold', 0.5, 0.99999),
    isolatedCommands: o.isolatedCommands === undefined ? false : is.boolean(o.isolatedCommands, 'options.isolatedCommands'),
    requireWake: o.requireWake === undefined ? false : is.boolean(o.requireWake, 'options.requireWake'),
    wakeWindow: ms(o.wakeWindowMs, 'options.wakeWindowMs', 8000, 500, 120_000),
    refractory: ms(o.refractoryMs, 'options.refractoryMs', 1500, 0, 60_000),
    maxQueue: o.maxQueue === undefined ? 64 : is.integer(o.maxQueue, 'options.maxQueue', 1, 10_000),
    timeoutMs: o.timeoutMs === undefined ? undefined : is.integer(o.timeoutMs, 'options.timeoutMs', 1, 600_000),
  };
}

/** Bytes of a chunk as a Uint8Array view (no copy). @throws HMP_ERR_ARG_INVALID, HMP_ERR_VOICE_PCM_ODD */
function chunkBytes(chunk: unknown, name: string): Uint8Array {
  let b: Uint8Array;
  if (chunk instanceof Uint8Array) b = chunk;
  else if (chunk instanceof Int16Array) b = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  else if (chunk instanceof ArrayBuffer) b = new Uint8Array(chunk);
  else throw is.invalid('PCM16 bytes (Uint8Array, Buffer, Int16Array or ArrayBuffer)', name, chunk);
  if (b.byteLength % 2 !== 0) throw createError('HMP_ERR_VOICE_PCM_ODD', name, b.byteLength);
  return b;
}

/**
 * A live voice stream. Create with {@link createVoiceSession}; push PCM16 chunks in order;
 * listen with {@link VoiceSession.on} or use the events each {@link VoiceSession.push} resolves.
 */
export class VoiceSession {
  readonly #engine: Engine;
  readonly #o: ResolvedOptions;
  readonly #profile: VoiceProfile | undefined;
  readonly #inputRate: number;
  #state: StreamState;
  #ring: AudioRing;
  #det: DetectorState = newDetectorState();
  #listeners = new Map<VoiceEventType, Set<(e: VoiceEvent) => void>>();
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;
  #closed = false;
  #pushed = 0;
  // VAD machine.
  #vad: VadMachine = newVadMachine();
  /** The last closed speech segment, and a command waiting for its segment to end (isolatedCommands). */
  #lastSegment: { start: number; end: number } | undefined;
  #pending: { phrase: number; end: number; score: number } | undefined;
  #wakeUntil = -1;
  /** End samples of recent speech frames (VAD ≥ threshold), for the phrase gate; ≤ 2 s of them. */
  #speechFrames: number[] = [];

  /** @internal use {@link createVoiceSession} */
  constructor(engine: Engine, options: VoiceSessionOptions) {
    if (!is.isObject(options)) throw is.invalid('options object', 'options', options);
    is.knownKeys(options as unknown as Record<string, unknown>, SESSION_KEYS);
    this.#inputRate = checkSampleRate(options.sampleRate, 'options.sampleRate');
    const p = options.profile === undefined ? defaultProfileDir() : options.profile;
    if (p !== null) this.#profile = loadProfile(is.string(p, 'options.profile'));
    this.#o = resolve(options, this.#profile?.patience);
    this.#engine = engine;
    this.#state = newStreamState(this.#inputRate);
    const o = this.#o;
    this.#ring = new AudioRing(o.preRoll + o.maxSpeech + o.endDelay + o.postRoll + 2 * RATE);
  }

  /** The loaded profile, if any. */
  get profile(): VoiceProfile | undefined {
    return this.#profile;
  }

  /** Seconds of audio pushed so far. */
  get time(): number {
    return this.#pushed / this.#inputRate;
  }

  /** Memory this session holds on the main thread, bytes (bounded; see the module docs). */
  get memoryBytes(): number {
    const s = this.#state;
    return this.#ring.bytes + s.resampler.buf.byteLength + s.vadPending.byteLength + s.melPending.byteLength + s.melTail.byteLength + s.embState.reduce((a, b) => a + b.byteLength, 0) + s.embRing.byteLength + s.vadState.byteLength + s.vadContext.byteLength;
  }

  /** Adds a listener for one event type. Returns a function that removes it. */
  on(type: VoiceEventType, listener: (e: VoiceEvent) => void): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Queues one chunk of PCM16 little-endian mono at `sampleRate` (any length, even bytes) and
   * resolves with the events it produced, in stream order. Processing failures do not reject:
   * they come back as an `error` event and the chunk is dropped.
   * @throws HMP_ERR_VOICE_PCM_ODD, HMP_ERR_ARG_INVALID (bad chunk), HMP_ERR_VOICE_SESSION_CLOSED,
   *   HMP_ERR_VOICE_BACKLOG (rejected promise; nothing queued)
   */
  push(chunk: Uint8Array | Int16Array | ArrayBuffer): Promise<VoiceEvent[]> {
    try {
      if (this.#closed) throw createError('HMP_ERR_VOICE_SESSION_CLOSED');
      const bytes = chunkBytes(chunk, 'chunk');
      if (this.#queued >= this.#o.maxQueue) throw createError('HMP_ERR_VOICE_BACKLOG', this.#queued, this.#o.maxQueue);
      // Copy now: the caller may reuse its buffer, and the copy is transferred to the worker.
      // (Not bytes.slice(): on a Node Buffer that is a view, and transferring it would detach
      // the caller's memory.)
      const pcm = new Uint8Array(bytes);
      this.#pushed += pcm.length / 2;
      this.#queued++;
      const p = this.#tail.then(() => this.#process(pcm));
      this.#tail = p.catch(() => {});
      return p;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Ends the stream: waits for queued chunks, then ends any speech in progress
   * (`speechEnd` with `forced: false`). The session can keep receiving audio afterwards.
   */
  flush(): Promise<VoiceEvent[]> {
    if (this.#closed) return Promise.reject(createError('HMP_ERR_VOICE_SESSION_CLOSED'));
    const p = this.#tail.then(() => {
      const ev: VoiceEvent[] = [];
      if (this.#vad.inSpeech) this.#end(closeSegment(this.#vad, this.#vad.lastSpeech, false), ev);
      this.#emit(ev);
      return ev;
    });
    this.#tail = p.catch(() => {});
    return p;
  }

  /** Stops the session; queued chunks still finish, later pushes fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#tail;
    this.#listeners.clear();
  }

  async #process(pcm: Uint8Array): Promise<VoiceEvent[]> {
    const ev: VoiceEvent[] = [];
    try {
      const r = await this.#engine.run<{ features: ChunkFeatures; state: StreamState }>(
        'voice.chunk',
        { pcm, state: this.#state, headPath: this.#profile?.headPath },
        { transfer: [pcm.buffer as ArrayBuffer], ...(this.#o.timeoutMs ? { timeoutMs: this.#o.timeoutMs } : {}) },
      );
      this.#state = r.state;
      this.#consume(r.features, ev);
    } catch (err) {
      const e = err instanceof HmpError ? err : createError('HMP_ERR_ENGINE_INTERNAL', 'voice.chunk', (err as Error)?.message ?? String(err));
      ev.push({ type: 'error', t: this.#state.produced / RATE, code: e.code, message: e.message });
    } finally {
      this.#queued--;
    }
    this.#emit(ev);
    return ev;
  }

  #emit(ev: VoiceEvent[]): void {
    for (const e of ev) for (const l of this.#listeners.get(e.type) ?? []) l(e);
  }

  #consume(f: ChunkFeatures, ev: VoiceEvent[]): void {
    this.#ring.push(f.audio);
    const o = this.#o;
    // Merge VAD frames and head steps in time order so events come out sorted.
    const steps = f.classes > 0 ? f.scores.length / f.classes : 0;
    // Every VAD frame of this chunk ends by the last scored step, so the gate sees all of them.
    for (let i = 0; i < f.vad.length; i++) if (f.vad[i]! >= o.threshold) this.#speechFrames.push(f.vadEnd0 + i * VAD_FRAME);
    const horizon = f.vadEnd0 + f.vad.length * VAD_FRAME - 2 * GATE_WINDOW;
    while (this.#speechFrames.length && this.#speechFrames[0]! < horizon) this.#speechFrames.shift();
    const gate = o.vadGate
      ? (end: number) => this.#speechFrames.filter((e) => e <= end && e > end - GATE_WINDOW).length >= GATE_MIN_FRAMES
      : undefined;
    const dets = this.#profile && steps > 0
      ? detect(this.#det, f.scores, f.classes, f.scoreEnd0, this.#profile.phrases.map((p) => o.phraseThreshold ?? p.threshold), o.refractory, gate, o.patience)
      : [];
    let d = 0;
    for (let i = 0; i < f.vad.length; i++) {
      const end = f.vadEnd0 + i * VAD_FRAME;
      while (d < dets.length && dets[d]!.end <= end) this.#phrase(dets[d++]!, ev);
      this.#vadFrame(f.vad[i]!, end, ev);
    }
    while (d < dets.length) this.#phrase(dets[d++]!, ev);
  }

  #vadFrame(p: number, end: number, ev: VoiceEvent[]): void {
    const t = vadStep(this.#vad, this.#o, p, end);
    if (t && 'start' in t) ev.push({ type: 'speechStart', t: t.start / RATE });
    else if (t) this.#end(t, ev);
  }

  #end(seg: { end: number; forced: boolean }, ev: VoiceEvent[]): void {
    const o = this.#o;
    const { end, forced } = seg;
    const speechStart = this.#vad.speechStart;
    this.#lastSegment = { start: speechStart, end };
    // A command waiting for its segment: it counts if the segment turned out short enough.
    const d = this.#pending;
    this.#pending = undefined;
    if (d && this.#isolated(d)) this.#command(d, ev);
    const { start, samples } = this.#ring.slice(speechStart - o.preRoll, end + (forced ? 0 : o.postRoll));
    ev.push({ type: 'speechEnd', t: end / RATE, start: speechStart / RATE, forced, audio: encodeWav(samples, RATE), audioStart: start / RATE });
  }

  /** Whether a command detection passes the isolated-command rule against the segments known now. */
  #isolated(d: { phrase: number; end: number }): boolean {
    const ph = this.#profile!.phrases[d.phrase]!;
    const max = Math.round(((ph.maxSec ?? 2.5) + 0.4) * RATE);
    return this.#lastSegment !== undefined && isolated([this.#lastSegment], d.end, this.#o.endDelay, max);
  }

  #phrase(d: { phrase: number; end: number; score: number }, ev: VoiceEvent[]): void {
    const ph = this.#profile!.phrases[d.phrase]!;
    if (ph.kind === 'wake') {
      this.#wakeUntil = d.end + this.#o.wakeWindow;
      ev.push({ type: 'wakeWord', t: d.end / RATE, phrase: ph.id, text: ph.text, score: Math.round(d.score * 1000) / 1000 });
      return;
    }
    if (this.#o.requireWake && d.end > this.#wakeUntil) return;
    if (!this.#o.isolatedCommands) this.#command(d, ev);
    // Still in the segment: decide when it ends. Otherwise the segment (if any) is known.
    else if (this.#vad.inSpeech) this.#pending = d;
    else if (this.#isolated(d)) this.#command(d, ev);
  }

  #command(d: { phrase: number; end: number; score: number }, ev: VoiceEvent[]): void {
    const ph = this.#profile!.phrases[d.phrase]!;
    ev.push({ type: 'command', t: d.end / RATE, phrase: ph.id, text: ph.text, command: ph.command!, action: this.#profile!.commands[ph.command!]!.action, score: Math.round(d.score * 1000) / 1000 });
  }
}

/**
 * An event as plain JSON (for `--json` output and WebSocket text frames): times rounded to
 * milliseconds; a `speechEnd` utterance becomes `audioBytes` (its length) or, with
 * `audio: 'base64'`, also `audioBase64` (the WAV file).
 * @example toJsonEvent({ type: 'speechStart', t: 0.7040001 }) // { type: 'speechStart', t: 0.704 }
 */
export function toJsonEvent(e: VoiceEvent, options: { audio?: 'omit' | 'base64' } = {}): Record<string, unknown> {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  switch (e.type) {
    case 'speechEnd':
      return {
        type: e.type, t: r(e.t), start: r(e.start), forced: e.forced, audioStart: r(e.audioStart), audioBytes: e.audio.length,
        ...(options.audio === 'base64' ? { audioBase64: Buffer.from(e.audio.buffer, e.audio.byteOffset, e.audio.byteLength).toString('base64') } : {}),
      };
    case 'wakeWord':
      return { type: e.type, t: r(e.t), phrase: e.phrase, text: e.text, score: e.score };
    case 'command':
      return { type: e.type, t: r(e.t), phrase: e.phrase, text: e.text, command: e.command, score: e.score, action: e.action };
    case 'error':
      return { type: e.type, t: r(e.t), code: e.code, message: e.message };
    default:
      return { type: e.type, t: r(e.t) };
  }
}

/**
 * Opens a voice session on an engine. Validates options and loads the profile synchronously.
 * @throws HMP_ERR_VOICE_SAMPLE_RATE, HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_VOICE_PROFILE
 * @example
 * const s = createVoiceSession(engine, { sampleRate: 16000 });
 * s.on('command', (e) => console.log(e));
 * await s.push(pcmChunk);
 * // { type: 'command', t: 2.64, phrase: 'stop_en', text: 'stop', command: 'treadmill.stop',
 * //   action: { type: 'treadmill', op: 'stop' }, score: 0.97 }
 */
export function createVoiceSession(engine: Engine, options: VoiceSessionOptions): VoiceSession {
  return new VoiceSession(engine, options);
}

/**
 * Runs a whole WAV file (mono PCM16, 8-48 kHz) through a session and returns every event,
 * the stream flushed at the end. `chunkMs` only changes how the file is cut (events are the
 * same for any chunking). Default 1000.
 * @throws HMP_ERR_VOICE_FORMAT, HMP_ERR_VOICE_SAMPLE_RATE, and the errors of createVoiceSession
 * @example
 * await processVoiceFile(engine, readFileSync('stop.wav'))
 * // [{ type: 'speechStart', t: 2.112 }, { type: 'command', t: 2.64, phrase: 'stop_en', ... }, { type: 'speechEnd', ... }]
 */
export async function processVoiceFile(
  engine: Engine,
  wav: Uint8Array,
  options: Omit<VoiceSessionOptions, 'sampleRate'> & { chunkMs?: number } = {},
): Promise<VoiceEvent[]> {
  const { chunkMs, ...rest } = options;
  const bytes = is.bytes(wav, 'wav');
  const { sampleRate, pcm } = parseWav(bytes, 'wav');
  const s = createVoiceSession(engine, { ...rest, sampleRate });
  const step = 2 * Math.max(1, Math.round((sampleRate * (chunkMs === undefined ? 1000 : is.integer(chunkMs, 'options.chunkMs', 10, 60_000))) / 1000));
  const all: VoiceEvent[] = [];
  // One chunk at a time: chunks of a stream are sequential anyway (each needs the last state).
  for (let i = 0; i < pcm.length; i += step) all.push(...(await s.push(pcm.subarray(i, Math.min(pcm.length, i + step)))));
  all.push(...(await s.flush()));
  await s.close();
  return all;
}
