import { describe, expect, it } from 'vitest';
import { simulate } from '../../dist/src/recommend/index.js';

describe('bandit simulation', () => {
  it('beats random and targeting-only click-through on a hidden-preference world (seeded)', async () => {
    const r = await simulate({ impressions: 3000, seed: 42 });
    const again = await simulate({ impressions: 3000, seed: 42 });
    expect(again.bandit.clicks).toBe(r.bandit.clicks);
    expect(r.liftOverRandom).toBeGreaterThan(2);
    expect(r.liftOverTargeting).toBeGreaterThan(1.3);
    expect(r.bandit.ctrLastQuarter).toBeLessThanOrEqual(r.oracle.ctr * 1.2);
  });
});
