/**
 * Voice as a WebSocket stream: `/v1/stream/voice` takes microphone PCM16 (little-endian, mono,
 * at `sampleRate`) as binary messages, in order and never dropped, and sends voice events:
 * `speechStart`, `speechEnd` (the utterance as a base64 16 kHz WAV), `wakeWord`, `command`; and
 * the same over HTTP with a server-held session (`voice.createSession` → `voice.pushAudio`... →
 * `voice.flush` → `voice.closeSession`) for devices that post recorded chunks.
 * @internal
 */
import { createVoiceSession, type VoiceEvent, type VoiceSession, type VoiceSessionOptions } from '../../tasks/voice/index.js';
import { createError, isErrorCode } from '../../errors.js';
import type { JsApiDef, JsonSchema, StreamDef } from '../jsapi.js';
import { errCodeOf } from '../wx.js';

const NAME = 'stream.voice';

const VAD: Record<string, JsonSchema> = {
  threshold: { type: 'number', minimum: 0.01, maximum: 0.99, description: 'Speech probability of a 32 ms frame that counts as speech. Default 0.5.' },
  minSpeechMs: { type: 'integer', minimum: 32, maximum: 5000, description: 'Speech needed before speechStart. Default 96.' },
  endDelayMs: { type: 'integer', minimum: 32, maximum: 10000, description: 'Silence after speech before speechEnd. Default 480.' },
  maxSpeechMs: { type: 'integer', minimum: 500, maximum: 120000, description: 'Longer speech ends with forced: true. Default 15000.' },
};

const SESSION_OPTIONS: Record<string, JsonSchema> = {
  sampleRate: { type: 'integer', minimum: 8000, maximum: 48000, description: 'Sample rate of the PCM16 sent, Hz' },
  vadOnly: { type: 'boolean', description: 'Voice activity only: no wake word or commands. Default false (the shipped profile).' },
  requireWake: { type: 'boolean', description: 'Commands only within wakeWindowMs after a wake word. Default false.' },
  wakeWindowMs: { type: 'integer', minimum: 500, maximum: 120000, description: 'Default 8000.' },
  refractoryMs: { type: 'integer', minimum: 0, maximum: 60000, description: 'After a phrase fires, none fires for this long. Default 1500.' },
  phraseThreshold: { type: 'number', minimum: 0.5, maximum: 0.99999, description: "One score threshold for every phrase instead of the profile's per-phrase thresholds; with patience, a point on the operating curve (docs/voice.md). Default: the profile's." },
  patience: { type: 'integer', minimum: 1, maximum: 10, description: "Consecutive 80 ms steps a phrase's score must stay at or above its threshold. Default: the profile's." },
  isolatedCommands: { type: 'boolean', description: 'A command counts only if its speech segment is about the phrase long (fewer false accepts in running talk; the event comes when the segment ends). Default false.' },
  ...VAD,
};

function sessionOptions(options: Record<string, unknown>): VoiceSessionOptions {
  const o: VoiceSessionOptions = { sampleRate: options.sampleRate as number };
  if (options.vadOnly === true) o.profile = null;
  for (const k of ['requireWake', 'wakeWindowMs', 'refractoryMs', 'phraseThreshold', 'patience', 'isolatedCommands'] as const) if (options[k] !== undefined) (o as unknown as Record<string, unknown>)[k] = options[k];
  const vad: Record<string, unknown> = {};
  for (const k of Object.keys(VAD)) if (options[k] !== undefined) vad[k] = options[k];
  if (Object.keys(vad).length) o.vad = vad;
  return o;
}

/** Events as JSON: the utterance WAV as base64; voice errors in the wx failure shape. */
function toJson(e: VoiceEvent): Record<string, unknown> {
  if (e.type === 'speechEnd') return { ...e, audio: Buffer.from(e.audio.buffer, e.audio.byteOffset, e.audio.byteLength).toString('base64') };
  if (e.type === 'error') {
    const code = isErrorCode(e.code) ? e.code : 'HMP_ERR_SERVER_INTERNAL';
    return { ...e, errMsg: `${NAME}:fail ${e.message}`, errCode: errCodeOf(code) };
  }
  return { ...e };
}

export const voiceStream: StreamDef = {
  name: NAME,
  path: 'voice',
  summary: 'Voice over a microphone stream: speech start/end with the utterance, wake word and commands',
  description:
    'Binary messages are PCM16 little-endian mono chunks of any length at sampleRate, processed in order (never dropped; a client more than the queue limit ahead gets HMP_ERR_SERVER_STREAM_OVERFLOW). Events: {type: "speechStart", t}, {type: "speechEnd", t, start, forced, audio (base64 16 kHz WAV), audioStart}, {type: "wakeWord", t, phrase, text, score}, {type: "command", t, phrase, text, command, action, score}; t is seconds of audio sent. Text {"type": "flush"} ends speech in progress (e.g. at the end of a recording).',
  input: 'audio',
  options: { required: ['sampleRate'], properties: SESSION_OPTIONS },
  open({ engine, options }) {
    const session = createVoiceSession(engine, sessionOptions(options));
    return {
      async push(input) {
        if (input.kind !== 'audio') return;
        return (await session.push(input.data)).map(toJson);
      },
      async control(msg) {
        if (msg.type !== 'flush') throw createError('HMP_ERR_SERVER_STREAM_MESSAGE', `unknown control message type ${JSON.stringify(msg.type)}; voice streams accept {"type":"flush"}`);
        return (await session.flush()).map(toJson);
      },
      close: () => session.close(),
    };
  },
};

const KIND = 'voice';
const ID: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Session id: 1-64 letters, digits, _ . -' };
const EVENTS: JsonSchema = { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Voice events in stream order: speechStart, speechEnd (audio: base64 WAV), wakeWord, command, error' };
let anonymous = 0;

export const voiceCreateSession: JsApiDef = {
  name: 'voice.createSession',
  path: 'voice/createSession',
  summary: 'Open a voice session (speech detection, wake word, commands) held by the server',
  description: 'Then post PCM16 chunks in order with voice.pushAudio, voice.flush at the end of a recording, voice.closeSession when done. Idle sessions close after the server\'s sessionIdleMs. For live microphones prefer the WebSocket /v1/stream/voice.',
  input: 'json',
  options: { required: ['sampleRate'], properties: { id: ID, ...SESSION_OPTIONS } },
  result: { required: ['session', 'sampleRate'], properties: { session: { type: 'string' }, sampleRate: { type: 'integer' }, profile: { type: ['string', 'null'], description: 'Loaded profile name, null for VAD only' } } },
  async handler({ engine, options, device, sessions }) {
    const id = (options.id as string | undefined) ?? `voice-${Date.now().toString(36)}-${++anonymous}`;
    const s = await sessions.create(KIND, device, id, () => createVoiceSession(engine, sessionOptions(options)));
    return { session: id, sampleRate: options.sampleRate, profile: s.profile?.name ?? null };
  },
};

export const voicePushAudio: JsApiDef = {
  name: 'voice.pushAudio',
  path: 'voice/pushAudio',
  summary: 'Push one chunk of PCM16 audio into a voice session; returns the events it produced',
  input: 'audio',
  bodyLimit: 4 * 1024 * 1024,
  options: { required: ['session'], properties: { session: ID } },
  result: { required: ['events', 't'], properties: { events: EVENTS, t: { type: 'number', description: 'Seconds of audio pushed so far' } } },
  async handler({ audio, options, device, sessions }) {
    const { value } = sessions.get<VoiceSession>(KIND, device, options.session as string);
    const events = (await value.push(audio!)).map(toJson);
    return { events, t: value.time };
  },
};

export const voiceFlush: JsApiDef = {
  name: 'voice.flush',
  path: 'voice/flush',
  summary: 'End speech in progress (end of a recording); returns the events it produced',
  input: 'json',
  options: { required: ['session'], properties: { session: ID } },
  result: { required: ['events'], properties: { events: EVENTS } },
  async handler({ options, device, sessions }) {
    const { value } = sessions.get<VoiceSession>(KIND, device, options.session as string);
    return { events: (await value.flush()).map(toJson) };
  },
};

export const voiceCloseSession: JsApiDef = {
  name: 'voice.closeSession',
  path: 'voice/closeSession',
  summary: 'Close a voice session',
  input: 'json',
  options: { required: ['session'], properties: { session: ID } },
  result: { required: ['session', 't'], properties: { session: { type: 'string' }, t: { type: 'number', description: 'Seconds of audio the session received' } } },
  async handler({ options, device, sessions }) {
    const id = options.session as string;
    const { value } = sessions.get<VoiceSession>(KIND, device, id);
    const t = value.time;
    await sessions.close(KIND, device, id);
    return { session: id, t };
  },
};
