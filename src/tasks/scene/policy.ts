/**
 * Alarm policy: per event type, raise once evidence has persisted for a while, clear with
 * hysteresis. Pure and main-thread side, so a session's alarms never depend on which worker
 * analysed which frame.
 * @internal
 */

/** Event types a scene session raises. */
export type SceneEventType = 'fire' | 'smoke' | 'tamper.covered' | 'tamper.blinded' | 'tamper.defocused' | 'tamper.moved';
export const SCENE_EVENT_TYPES: readonly SceneEventType[] = Object.freeze(['fire', 'smoke', 'tamper.covered', 'tamper.blinded', 'tamper.defocused', 'tamper.moved']);

/** When an event raises and clears. */
export interface AlarmRule {
  /** Score at or above which a frame counts as evidence (0..1). */
  on: number;
  /** Score below which a frame counts towards clearing (0..1, <= on). */
  off: number;
  /** Evidence time needed to raise, ms. */
  raiseAfterMs: number;
  /** Continuous quiet time (score < off) needed to clear, ms. */
  clearAfterMs: number;
}

/**
 * Defaults. Fire raises faster than smoke (flame colour is a stronger cue; smoke is easily
 * confused with steam or haze, so it needs more persistence). Tamper needs 1 s.
 */
export const DEFAULT_RULES: Readonly<Record<SceneEventType, Readonly<AlarmRule>>> = Object.freeze({
  fire: Object.freeze({ on: 0.5, off: 0.3, raiseAfterMs: 1000, clearAfterMs: 5000 }),
  smoke: Object.freeze({ on: 0.5, off: 0.3, raiseAfterMs: 1600, clearAfterMs: 5000 }),
  'tamper.covered': Object.freeze({ on: 0.5, off: 0.3, raiseAfterMs: 1000, clearAfterMs: 2000 }),
  'tamper.blinded': Object.freeze({ on: 0.5, off: 0.3, raiseAfterMs: 1000, clearAfterMs: 2000 }),
  'tamper.defocused': Object.freeze({ on: 0.5, off: 0.3, raiseAfterMs: 1000, clearAfterMs: 2000 }),
  'tamper.moved': Object.freeze({ on: 0.5, off: 0.3, raiseAfterMs: 1000, clearAfterMs: 2000 }),
});

/** Longest gap between frames that still counts as evidence time (a stalled camera proves nothing). */
export const MAX_FRAME_GAP_MS = 500;

/** Per-type policy state. */
export interface RuleState {
  active: boolean;
  evidenceMs: number;
  quietMs: number;
  /** Running confidence: average score over the evidence frames. */
  confidence: number;
}

export const newRuleState = (): RuleState => ({ active: false, evidenceMs: 0, quietMs: 0, confidence: 0 });

/**
 * Advances one rule by one frame; returns 'raised', 'cleared' or null. Evidence leaks away as
 * fast as it builds, so one missed frame delays an alarm slightly instead of restarting it,
 * while evidence in at most half of the frames never adds up.
 */
export function stepRule(rule: AlarmRule, s: RuleState, score: number, dtMs: number): 'raised' | 'cleared' | null {
  const dt = Math.min(Math.max(0, dtMs), MAX_FRAME_GAP_MS);
  if (score >= rule.on) {
    s.confidence = s.evidenceMs > 0 ? s.confidence + 0.3 * (score - s.confidence) : score;
    s.evidenceMs += dt;
    s.quietMs = 0;
  } else {
    s.evidenceMs = Math.max(0, s.evidenceMs - dt);
    s.quietMs = score < rule.off ? s.quietMs + dt : 0;
  }
  if (!s.active && s.evidenceMs >= rule.raiseAfterMs && score >= rule.on) {
    s.active = true;
    return 'raised';
  }
  if (s.active && s.quietMs >= rule.clearAfterMs) {
    s.active = false;
    s.evidenceMs = 0;
    return 'cleared';
  }
  return null;
}

/** How long smoke evidence explains away a loss of sharpness (see {@link AlarmTracker.step}). */
export const SMOKE_MASKS_DEFOCUS_MS = 5000;

/** What the tracker needs from one analysed frame. */
export interface TrackInput {
  timestamp: number;
  /**
   * Fraction of blocks moving against the background (null: unknown). Fire flickers and smoke
   * drifts: with `requireMotion`, a frame of a motionless scene is no fire/smoke evidence, so a
   * poster, a red lamp or a hazy still view cannot raise an alarm however it scores.
   */
  motion?: number | null;
  scores: { fire: number; smoke: number };
  tamper: { covered: number; blinded: number; defocused: number; moved: number } | null;
}

/** An alarm transition, before the session adds ids, regions and snapshots. */
export interface Transition {
  type: SceneEventType;
  state: 'raised' | 'cleared';
  confidence: number;
}

/**
 * All six rules of one stream. Feed frames in time order; returns the transitions of each.
 */
export class AlarmTracker {
  readonly rules: Readonly<Record<SceneEventType, AlarmRule>>;
  readonly #state = new Map<SceneEventType, RuleState>();
  #lastT = NaN;
  #lastSmokeT = -Infinity;

  /** Whether fire/smoke evidence needs motion in the frame (see {@link TrackInput.motion}). */
  readonly requireMotion: boolean;

  constructor(rules: Readonly<Record<SceneEventType, AlarmRule>>, requireMotion = true) {
    this.rules = rules;
    this.requireMotion = requireMotion;
    for (const t of SCENE_EVENT_TYPES) this.#state.set(t, newRuleState());
  }

  /** Score of each event type in a frame. */
  static scoresOf(f: TrackInput): Record<SceneEventType, number> {
    const t = f.tamper;
    return {
      fire: f.scores.fire,
      smoke: f.scores.smoke,
      'tamper.covered': t ? t.covered : 0,
      'tamper.blinded': t ? t.blinded : 0,
      'tamper.defocused': t ? t.defocused : 0,
      'tamper.moved': t ? t.moved : 0,
    };
  }

  /** Time since the previous frame (0 for the first). */
  dtFor(timestamp: number): number {
    return Number.isNaN(this.#lastT) ? 0 : timestamp - this.#lastT;
  }

  step(f: TrackInput): Transition[] {
    // The first frame proves nothing on its own: it counts one nominal 200 ms frame.
    const dt = Number.isNaN(this.#lastT) ? 200 : f.timestamp - this.#lastT;
    this.#lastT = f.timestamp;
    const scores = AlarmTracker.scoresOf(f);
    // Smoke softens the whole view as it thickens: a loss of sharpness within 5 s of smoke seen
    // while the view was still sharp is smoke, not a defocused lens. (A lens knocked out of
    // focus blurs the view at once, before any smoke evidence, so it is not masked.)
    const defocusRaw = scores['tamper.defocused'];
    const masked = defocusRaw > 0 && f.timestamp - this.#lastSmokeT <= SMOKE_MASKS_DEFOCUS_MS;
    if (masked) scores['tamper.defocused'] = 0;
    if (scores.smoke >= this.rules.smoke.on && (defocusRaw === 0 || masked)) this.#lastSmokeT = f.timestamp;
    // A covered, blinded or defocused camera sees nothing useful: its fire/smoke scores mean
    // nothing either (a saturated white or blurred view looks like smoke to the classifier).
    const blind = !!f.tamper && (f.tamper.covered > 0 || f.tamper.blinded > 0 || scores['tamper.defocused'] > 0);
    if (blind || (this.requireMotion && f.motion === 0)) {
      scores.fire = 0;
      scores.smoke = 0;
    }
    const out: Transition[] = [];
    for (const t of SCENE_EVENT_TYPES) {
      const s = this.#state.get(t)!;
      const r = stepRule(this.rules[t], s, scores[t], dt);
      if (r) out.push({ type: t, state: r, confidence: Math.round(s.confidence * 1e4) / 1e4 });
    }
    return out;
  }

  /**
   * Whether any rule is collecting evidence towards a raise (the session then asks the worker
   * for a snapshot with the frame, so the raise event carries a picture of the evidence). Not
   * while an alarm merely stays raised: a JPEG per frame would cost more than the analysis.
   */
  get arming(): boolean {
    for (const s of this.#state.values()) if (s.evidenceMs > 0 && !s.active) return true;
    return false;
  }

  /** Event types currently raised. */
  get active(): SceneEventType[] {
    return SCENE_EVENT_TYPES.filter((t) => this.#state.get(t)!.active);
  }
}
