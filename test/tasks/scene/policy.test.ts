import { describe, expect, it } from 'vitest';
import { AlarmTracker, DEFAULT_RULES } from '../../../dist/src/tasks/scene/policy.js';

const rules = { ...DEFAULT_RULES, fire: { on: 0.5, off: 0.3, raiseAfterMs: 1000, clearAfterMs: 2000 } };
const step = (t: AlarmTracker, ts: number, fire: number) => t.step({ timestamp: ts, scores: { fire, smoke: 0 }, tamper: null });

describe('alarm policy: persistence to raise, hysteresis to clear', () => {
  it('raises only after 1 s of evidence and clears after 2 s below off', () => {
    const t = new AlarmTracker(rules);
    const log: string[] = [];
    const seq = [0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2];
    seq.forEach((v, i) => { for (const e of step(t, i * 200, v)) log.push(`${i}:${e.type}:${e.state}`); });
    // Evidence from frame 1 (200 ms per frame): 1000 ms reached at frame 5.
    // 0.4 is between off and on: neither evidence nor quiet; quiet from frame 10, 2000 ms at frame 19.
    expect(log).toEqual(['5:fire:raised', '19:fire:cleared']);
  });

  it('scattered single-frame spikes never add up to an alarm', () => {
    const t = new AlarmTracker(rules);
    const log: string[] = [];
    for (let i = 0; i < 200; i++) for (const e of step(t, i * 200, i % 3 === 0 ? 0.95 : 0.1)) log.push(e.state);
    expect(log).toEqual([]);
  });

  it('a stalled camera (long gap) does not count as evidence time', () => {
    const t = new AlarmTracker(rules);
    expect(step(t, 0, 0.9)).toEqual([]);
    expect(step(t, 60_000, 0.9)).toEqual([]);
    // 200 (first frame) + 500 (gap, capped) + 200 = 900 ms < 1000: not yet.
    expect(step(t, 60_200, 0.9)).toEqual([]);
    expect(step(t, 60_400, 0.9).map((e) => e.type)).toEqual(['fire']);
  });
});
