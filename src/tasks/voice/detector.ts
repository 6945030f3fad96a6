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
}

export const newDetectorState = (): DetectorState => ({ quietUntil: 0 });

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
    if (best > 0) {
      out.push({ phrase: best - 1, end, score: scores[i * classes + best]! });
      st.quietUntil = end + refractorySamples;
    }
  }
  return out;
}
