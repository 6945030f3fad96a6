import { describe, expect, it } from 'vitest';
import { isolated, vadSegments } from '../../../dist/src/tasks/voice/detector.js';

// The session's default VAD settings in 16 kHz samples: threshold 0.5, negative threshold 0.35,
// 96 ms minimum speech, 480 ms end delay, 15 s forced end.
const O = { threshold: 0.5, negThreshold: 0.35, minSpeech: 1536, endDelay: 7680, maxSpeech: 240_000 };
/** Per-frame probabilities (512 samples each): `speech` frames ranges [from, to) at 0.9, else 0.05. */
function probs(frames: number, speech: [number, number][]): Float32Array {
  const p = new Float32Array(frames).fill(0.05);
  for (const [a, b] of speech) p.fill(0.9, a, b);
  return p;
}

describe('isolated-command rule: VAD segments and the segment-length check', () => {
  it('segments start after minSpeech, bridge pauses shorter than the end delay, and a command passes only in a short segment', () => {
    // Speech frames 60-75 (0.48 s), then frames 120-130 and 140-300 (a 10-frame pause is 0.32 s < 0.48 s).
    const segs = vadSegments(probs(400, [[60, 75], [120, 130], [140, 300]]), O);
    expect(segs).toEqual([
      { start: 60 * 512, end: 75 * 512 },
      { start: 120 * 512, end: 300 * 512 },
    ]);
    const max = Math.round((0.8 + 0.4) * 16000);
    // A command recognised 0.3 s after the short segment's last frame: inside the end delay, passes.
    expect(isolated(segs, 75 * 512 + 4800, O.endDelay, max)).toBe(true);
    // The same command inside the 5.76 s segment: too long for the phrase, does not count.
    expect(isolated(segs, 200 * 512, O.endDelay, max)).toBe(false);
    // Recognised where the VAD found no segment (one 32 ms frame is not speech): does not count.
    expect(isolated(vadSegments(probs(100, [[50, 51]]), O), 51 * 512, O.endDelay, max)).toBe(false);
  });

  it('a segment still open at the end of the clip ends at its last speech frame', () => {
    expect(vadSegments(probs(100, [[90, 100]]), O)).toEqual([{ start: 90 * 512, end: 100 * 512 }]);
  });
});
