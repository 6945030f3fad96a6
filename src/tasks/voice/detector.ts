/**
 * Turns per-step head scores into phrase detections: a phrase fires on the first 80 ms step
 * whose score reaches its threshold, then every phrase is silent for a refractory period (one
 * utterance, one event). Shared by the live session and `hmp eval voice`, so the evaluated
 * behaviour is the shipped behaviour.
 * @internal
 */
import { STEP } from './pipeline.js';

/** A detection: phrase index (0-based, class − 1), stream sample where the step ended, score. */
export interface Detection {
  phrase: number;
  end: number;
  score: number;
}

export interface DetectorState {
  /** Sample before which no phrase may fire again. */
  quietUntil: number;
  /** Phrase over threshold in the previous steps, and for how many consecutive steps. */
  run: number;
  runPhrase: number;
}

export const newDetectorState = (): DetectorState => ({ quietUntil: 0, run: 0, runPhrase: -1 });

/**
 * Scans `steps` rows of `scores` (`classes` per row, class 0 = none); row i ended at
 * `end0 + 1280·i`. `thresholds[p]` belongs to phrase p (class p + 1).
 */
export function detect(
  st: DetectorState,
  scores: Float32Array,
  classes: number,
  end0: number,
  thresholds: readonly number[],
  refractorySamples: number,
  allow?: (end: number) => boolean,
  patience = 1,
): Detection[] {
  const out: Detection[] = [];
  const steps = classes > 0 ? scores.length / classes : 0;
  for (let i = 0; i < steps; i++) {
    const end = end0 + i * STEP;
    if (end < st.quietUntil) continue;
    let best = -1;
    let bestMargin = 0;
    for (let c = 1; c < classes; c++) {
      const s = scores[i * classes + c]!;
      const m = s - thresholds[c - 1]!;
      if (m >= 0 && (best < 0 || m > bestMargin)) {
        best = c;
        bestMargin = m;
      }
    }
    // `patience` consecutive steps over threshold for the same phrase (openWakeWord's patience).
    if (best > 0 && best === st.runPhrase) st.run++;
    else {
      st.run = best > 0 ? 1 : 0;
      st.runPhrase = best;
    }
    // The gate (voice activity) is asked only when a phrase would fire, and a gated-out step
    // does not start the refractory period.
    if (best > 0 && st.run >= patience && (!allow || allow(end))) {
      out.push({ phrase: best - 1, end, score: scores[i * classes + best]! });
      st.quietUntil = end + refractorySamples;
      st.run = 0;
      st.runPhrase = -1;
    }
  }
  return out;
}

/** How long after a phrase ends its detection still counts as a hit (evaluation and threshold choice), samples at 16 kHz. */
export const HIT_AFTER = 1.2 * 16000;

/**
 * Whether a detection ending at `end` (stream samples) belongs to a phrase spoken over
 * [`start`, `stop`): between its start and {@link HIT_AFTER} after its end. The false-reject
 * rate of `hmp eval voice` and of the training-side threshold choice both use this.
 */
export const isHit = (end: number, start: number, stop: number): boolean => end >= start && end <= stop + HIT_AFTER;

/** Samples of speech evidence the VAD gate looks back over (the head's receptive field, ~2 s). */
export const GATE_WINDOW = 2 * 16000;
/** 32 ms VAD frames of speech the gate needs inside that window (96 ms). */
export const GATE_MIN_FRAMES = 3;

/**
 * Offline VAD gate over per-frame probabilities of a clip (frame i ends at 512·(i+1)): true
 * when at least {@link GATE_MIN_FRAMES} frames ending in (end − 2 s, end] reach `threshold`.
 */
export function vadGate(probs: Float32Array, threshold: number): (end: number) => boolean {
  return (end) => {
    const last = Math.min(probs.length - 1, Math.floor(end / 512) - 1);
    const first = Math.max(0, Math.ceil((end - GATE_WINDOW) / 512) - 1);
    let n = 0;
    for (let i = first; i <= last; i++) if (probs[i]! >= threshold && ++n >= GATE_MIN_FRAMES) return true;
    return false;
  };
}

/** Settings of the VAD state machine, in 16 kHz samples (thresholds are probabilities). */
export interface VadMachineOptions {
  threshold: number;
  negThreshold: number;
  minSpeech: number;
  endDelay: number;
  maxSpeech: number;
}

/** State of the VAD state machine (speech segments from per-frame probabilities). */
export interface VadMachine {
  inSpeech: boolean;
  /** Start of a possible segment not yet `minSpeech` long, or -1. */
  candidate: number;
  run: number;
  speechStart: number;
  /** End of the last frame at or above `negThreshold` in the segment. */
  lastSpeech: number;
}

export const newVadMachine = (): VadMachine => ({ inSpeech: false, candidate: -1, run: 0, speechStart: 0, lastSpeech: 0 });

/** What one VAD frame changed: a segment started at `start`, or ended at `end` (forced by `maxSpeech`). */
export type VadTransition = { start: number } | { end: number; forced: boolean } | undefined;

/**
 * One 512-sample frame (ending at `end`, probability `p`) through the VAD state machine: a
 * segment starts once `minSpeech` of frames at or above `threshold` ran (a frame below
 * `negThreshold` resets the run) and ends `endDelay` after its last frame at or above
 * `negThreshold`, or when it reaches `maxSpeech`. The live session and the evaluation share it.
 */
export function vadStep(m: VadMachine, o: VadMachineOptions, p: number, end: number): VadTransition {
  const start = end - 512;
  if (!m.inSpeech) {
    if (p >= o.threshold) {
      if (m.candidate < 0) m.candidate = start;
      m.run += 512;
      if (m.run >= o.minSpeech) {
        m.inSpeech = true;
        m.speechStart = m.candidate;
        m.lastSpeech = end;
        return { start: m.candidate };
      }
    } else if (p < o.negThreshold) {
      m.candidate = -1;
      m.run = 0;
    }
    return undefined;
  }
  if (p >= o.negThreshold) m.lastSpeech = end;
  if (end - m.speechStart >= o.maxSpeech) return closeSegment(m, end, true);
  if (end - m.lastSpeech >= o.endDelay) return closeSegment(m, m.lastSpeech, false);
  return undefined;
}

/** Ends the current segment at `end`. */
export function closeSegment(m: VadMachine, end: number, forced: boolean): { end: number; forced: boolean } {
  m.inSpeech = false;
  m.candidate = -1;
  m.run = 0;
  return { end, forced };
}

/** Speech segments [start, end) of a clip's per-frame VAD probabilities (frame i ends at 512·(i+1)); an open segment ends at its last speech frame. */
export function vadSegments(probs: Float32Array, o: VadMachineOptions): { start: number; end: number }[] {
  const m = newVadMachine();
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (let i = 0; i < probs.length; i++) {
    const t = vadStep(m, o, probs[i]!, 512 * (i + 1));
    if (t && 'start' in t) start = t.start;
    else if (t) out.push({ start, end: t.end });
  }
  if (m.inSpeech) out.push({ start: m.speechStart, end: m.lastSpeech });
  return out;
}

/**
 * The isolated-command rule: a command detected at `end` counts only if the speech segment
 * around it (open at `end`: it started before and had not ended `endDelay` before) is at most
 * `maxSamples` long. Without such a segment (too little speech for the VAD) it does not count.
 */
export function isolated(segments: readonly { start: number; end: number }[], end: number, endDelay: number, maxSamples: number): boolean {
  for (const s of segments) if (s.start <= end && end <= s.end + endDelay) return s.end - s.start <= maxSamples;
  return false;
}
