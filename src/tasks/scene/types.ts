/**
 * Result types of the scene monitor: plain JSON-serialisable objects (the JSAPI stream route
 * sends them as they are).
 * @internal
 */
import type { SceneRegion } from './model.js';
import type { SceneEventType } from './policy.js';
import type { StreamState } from './stream.js';
import type { FrameAnalysis } from './analyze.js';

export type { SceneRegion } from './model.js';
export type { SceneEventType } from './policy.js';

/** Stream features of one frame, summarised over blocks. */
export interface SceneStreamSummary {
  /** Fraction of blocks with motion against the background. */
  motion: number;
  /** Largest loss of edge energy against the background among moving blocks (0..1). */
  edgeLoss: number;
  /** Largest flicker of flame-coloured pixels (0..1). */
  flicker: number;
  /** Mean vertical drift of moving blocks, thumbnail pixels per frame (+ = up). */
  drift: number;
}

/** Global tamper measures of one frame. */
export interface SceneGlobal {
  brightness: number;
  contrast: number;
  sharpness: number;
  /** Fraction of near-white pixels. */
  brightFrac: number;
  /** Fraction of dark, textureless blocks. */
  deadFrac: number;
  /** Fraction of the view changed against the slow reference. */
  changed: number;
  /** Estimated view shift in analysis pixels (only when the view changed). */
  shiftX: number;
  shiftY: number;
}

/** What the worker sends back for one frame. @internal */
export interface WorkerFrameResult {
  scores: { fire: number; smoke: number };
  regions: SceneRegion[];
  blocks: { fire: number[]; smoke: number[] };
  stream: SceneStreamSummary | null;
  global: SceneGlobal | null;
  tamper: { covered: number; blinded: number; defocused: number; moved: number } | null;
  state: StreamState | null;
  /** Features + classifier time in the worker, ms. */
  ms: number;
  snapshot?: Uint8Array;
}

/** An alarm raised or cleared. */
export interface SceneEvent {
  type: SceneEventType;
  state: 'raised' | 'cleared';
  /** Session id. */
  session: string;
  /** Frame number (1-based) in the session. */
  frame: number;
  /** Frame timestamp, ms. */
  timestamp: number;
  /** 0..1: the average evidence score while the alarm built up. */
  confidence: number;
  /** Regions of the frame that raised it (fire/smoke only). */
  regions: SceneRegion[];
  /** Small JPEG of the frame, base64 (raised events, when snapshots are on). */
  snapshot?: string;
}

/** Result of one pushed frame. */
export interface SceneFrameResult {
  session: string;
  frame: number;
  timestamp: number;
  scores: { fire: number; smoke: number };
  regions: SceneRegion[];
  tamper: { covered: number; blinded: number; defocused: number; moved: number };
  global: SceneGlobal | null;
  stream: SceneStreamSummary | null;
  /** Events this frame raised or cleared. */
  events: SceneEvent[];
  /** Features + classifier time in the worker, ms. */
  ms: number;
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** The buffers of a stream state (to transfer, not copy). */
export function stateBuffers(s: StreamState): ArrayBuffer[] {
  return [s.ref, s.bg, s.prev, s.refThumb, s.bgGrad, s.refGrad, s.flicker].map((a) => a.buffer as ArrayBuffer);
}

/** Builds the worker's JSON-friendly result from an analysis. @internal */
export function frameResultOf(a: FrameAnalysis, state: StreamState | null, ms: number, snapshot?: Uint8Array): WorkerFrameResult {
  let stream: SceneStreamSummary | null = null;
  if (a.stream) {
    const s = a.stream;
    let moving = 0, loss = 0, flick = 0, drift = 0;
    for (let b = 0; b < s.motion.length; b++) {
      flick = Math.max(flick, s.flicker[b]);
      if (s.motion[b] < 0.2) continue;
      moving++;
      loss = Math.max(loss, s.edgeLoss[b]);
      drift += s.drift[b];
    }
    stream = { motion: r4(moving / s.motion.length), edgeLoss: r4(loss), flicker: r4(flick), drift: r4(moving ? drift / moving : 0) };
  }
  const g = a.stream?.global;
  return {
    scores: { fire: r4(a.scores.fire), smoke: r4(a.scores.smoke) },
    regions: a.regions,
    blocks: { fire: Array.from(a.blocks.fire, r4), smoke: Array.from(a.blocks.smoke, r4) },
    stream,
    global: g ? { brightness: r4(g.brightness), contrast: r4(g.contrast), sharpness: r4(g.sharpness), brightFrac: r4(g.brightFrac), deadFrac: r4(g.deadFrac), changed: r4(g.changed), shiftX: g.shiftX, shiftY: g.shiftY } : null,
    tamper: a.stream ? { covered: r4(a.stream.tamper.covered), blinded: r4(a.stream.tamper.blinded), defocused: r4(a.stream.tamper.defocused), moved: r4(a.stream.tamper.moved) } : null,
    state,
    ms,
    ...(snapshot ? { snapshot } : {}),
  };
}
