/**
 * Scene monitor (fire, smoke, camera tamper) as JSAPIs: a session per camera held by the server
 * (`scene.createSession` → `scene.pushFrame`... → `scene.closeSession`), and the WebSocket stream
 * `/v1/stream/scene/:id`, which attaches to the open session of that id or opens one for the
 * connection's lifetime.
 * @internal
 */
import { createSceneSession, SCENE_EVENT_TYPES, type SceneSession, type SceneSessionOptions } from '../../tasks/scene/index.js';
import type { JsApiDef, JsonSchema, StreamDef } from '../jsapi.js';
import type { SessionStore } from '../sessions.js';

const KIND = 'scene';
const ID: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Session id: 1-64 letters, digits, _ . -' };

const ruleSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    on: { type: 'number', minimum: 0, maximum: 1, description: 'Score that builds evidence' },
    off: { type: 'number', minimum: 0, maximum: 1, description: 'Score below which a raised alarm calms down' },
    raiseAfterMs: { type: 'number', minimum: 0, description: 'Evidence needed before raising, ms' },
    clearAfterMs: { type: 'number', minimum: 0, description: 'Quiet time before clearing, ms' },
  },
};

const SESSION_OPTIONS: Record<string, JsonSchema> = {
  snapshot: { type: 'boolean', description: 'Attach a small JPEG (base64) to raised events. Default true.' },
  snapshotWidth: { type: 'integer', minimum: 16, maximum: 1920, description: 'Snapshot width in pixels. Default 160.' },
  requireMotion: { type: 'boolean', description: 'Fire/smoke evidence needs motion (a static scene never alarms). Default true.' },
};

const obj: JsonSchema = { type: 'object', additionalProperties: true };
const FRAME_RESULT: Record<string, JsonSchema> = {
  session: { type: 'string' },
  frame: { type: 'integer', description: 'Frame number in the session (1-based)' },
  timestamp: { type: 'number' },
  scores: { type: 'object', properties: { fire: { type: 'number' }, smoke: { type: 'number' } } },
  regions: { type: 'array', items: obj, description: 'Fire/smoke regions of the frame' },
  tamper: { type: 'object', properties: { covered: { type: 'number' }, blinded: { type: 'number' }, defocused: { type: 'number' }, moved: { type: 'number' } } },
  global: { anyOf: [obj, { type: 'null' }] },
  stream: { anyOf: [obj, { type: 'null' }] },
  events: { type: 'array', items: obj, description: 'Alarms raised or cleared by this frame: {type, state, confidence, regions, snapshot?}' },
  ms: { type: 'number', description: 'Analysis time in the worker, ms' },
};

/** Session timestamps must increase strictly; frames in the same millisecond get the next one. */
function nextTimestamp(meta: Record<string, unknown>, given: unknown): number | undefined {
  if (given !== undefined) {
    meta.lastTs = given;
    return given as number;
  }
  const last = typeof meta.lastTs === 'number' ? meta.lastTs : -Infinity;
  const t = Math.max(Date.now(), last + 1);
  meta.lastTs = t;
  return t;
}

function sessionOptions(o: Record<string, unknown>, id: string): SceneSessionOptions {
  const out: SceneSessionOptions = { id };
  if (o.snapshot !== undefined) out.snapshot = o.snapshot as boolean;
  if (o.snapshotWidth !== undefined) out.snapshotWidth = o.snapshotWidth as number;
  if (o.requireMotion !== undefined) out.requireMotion = o.requireMotion as boolean;
  if (o.rules !== undefined) out.rules = o.rules as SceneSessionOptions['rules'];
  return out;
}

let anonymous = 0;

export const sceneCreateSession: JsApiDef = {
  name: 'scene.createSession',
  path: 'scene/createSession',
  summary: 'Open a scene monitor session (fire, smoke, camera tamper) for one camera',
  description: 'The session lives on the server until scene.closeSession, or until it has been idle (no frames, no stream) for the server\'s sessionIdleMs. Ids are scoped to the device token.',
  input: 'json',
  options: {
    properties: {
      id: ID,
      rules: { type: 'object', additionalProperties: false, properties: Object.fromEntries(SCENE_EVENT_TYPES.map((t) => [t, ruleSchema])), description: `Alarm rule overrides per event type (${SCENE_EVENT_TYPES.join(', ')})` },
      ...SESSION_OPTIONS,
    },
  },
  result: {
    required: ['session', 'width', 'height', 'rules'],
    properties: {
      session: { type: 'string' },
      width: { type: 'integer', description: 'Analysis width (frames of any size are resampled)' },
      height: { type: 'integer' },
      rules: { type: 'object', additionalProperties: ruleSchema },
    },
  },
  async handler({ engine, options, device, sessions }) {
    const id = (options.id as string | undefined) ?? `scene-${Date.now().toString(36)}-${++anonymous}`;
    const s = await sessions.create(KIND, device, id, () => createSceneSession(engine, sessionOptions(options, id)));
    return { session: s.id, width: s.width, height: s.height, rules: s.rules };
  },
};

export const scenePushFrame: JsApiDef = {
  name: 'scene.pushFrame',
  path: 'scene/pushFrame',
  summary: 'Analyse one camera frame in a scene session; returns scores and the alarms it raised or cleared',
  description: 'Frames of one session are analysed in order; if a newer frame arrives while one is analysed, the older waiting one fails with HMP_ERR_SCENE_FRAME_DROPPED. For a camera stream prefer the WebSocket /v1/stream/scene/{id}.',
  input: 'image',
  options: {
    required: ['session'],
    properties: {
      session: ID,
      timestamp: { type: 'number', minimum: 0, description: 'Capture time in ms, strictly increasing per session. Default: now.' },
    },
  },
  result: { required: ['session', 'frame', 'scores', 'events'], properties: FRAME_RESULT },
  async handler({ image, options, device, sessions }) {
    const { value, meta } = sessions.get<SceneSession>(KIND, device, options.session as string);
    const timestamp = nextTimestamp(meta, options.timestamp);
    return value.push(image!, timestamp === undefined ? {} : { timestamp });
  },
};

export const sceneCloseSession: JsApiDef = {
  name: 'scene.closeSession',
  path: 'scene/closeSession',
  summary: 'Close a scene session',
  input: 'json',
  options: { required: ['session'], properties: { session: ID } },
  result: { required: ['session', 'frames'], properties: { session: { type: 'string' }, frames: { type: 'integer', description: 'Frames analysed' } } },
  async handler({ options, device, sessions }) {
    const id = options.session as string;
    const { value } = sessions.get<SceneSession>(KIND, device, id);
    const frames = value.frames;
    await sessions.close(KIND, device, id);
    return { session: id, frames };
  },
};

async function attachOrOpen(sessions: SessionStore, device: string | null, id: string, open: () => Promise<SceneSession>) {
  const found = sessions.find<SceneSession>(KIND, device, id);
  if (found) return { session: found.value, meta: found.meta, owned: false };
  await sessions.create(KIND, device, id, open);
  const created = sessions.get<SceneSession>(KIND, device, id);
  return { session: created.value, meta: created.meta, owned: true };
}

export const sceneStream: StreamDef = {
  name: 'stream.scene',
  path: 'scene/:id',
  summary: 'Scene monitor over a camera stream: per-frame scores and fire/smoke/tamper alarms',
  description:
    'Attaches to the open scene session {id} (created with scene.createSession, which is where alarm rules are set) or opens one that closes with the connection. Every processed frame yields {type: "scene", frame, scores, regions, tamper, events, ms, seq, dropped}; events lists alarms raised or cleared.',
  input: 'image',
  options: { properties: SESSION_OPTIONS },
  async open({ engine, params, options, device, sessions }) {
    const id = params.id ?? '';
    const { session, meta, owned } = await attachOrOpen(sessions, device, id, () => createSceneSession(engine, sessionOptions(options, id)));
    sessions.attach(KIND, device, id, 1);
    return {
      async push(input) {
        if (input.kind !== 'image') return;
        const r = await session.push(input.image, { timestamp: nextTimestamp(meta, undefined)! });
        return { type: 'scene', ...r };
      },
      async close() {
        sessions.attach(KIND, device, id, -1);
        if (owned && sessions.find(KIND, device, id)) await sessions.close(KIND, device, id);
      },
    };
  },
};
