import { afterAll, describe, expect, it } from 'vitest';
import { backends } from './backends.js';

for (const b of backends()) {
  describe.skipIf(b.skip)(`store statistics: ${b.title}`, () => {
    afterAll(() => b.cleanup());

    it('adds fractional counts atomically, also from concurrent callers', async () => {
      const s = await b.open();
      try {
        const one = { itemId: 'x', segment: '30-44|female', impressions: 0.5, clicks: 0.25, conversions: 0 };
        // 40 concurrent additions (several pool connections on PostgreSQL) must not lose any.
        await Promise.all(Array.from({ length: 40 }, () => s.addStats([one, { ...one, segment: '18-29|male', impressions: 1, clicks: 0 }])));
        expect(await s.getStats()).toEqual([
          { itemId: 'x', segment: '18-29|male', impressions: 40, clicks: 0, conversions: 0 },
          { itemId: 'x', segment: '30-44|female', impressions: 20, clicks: 10, conversions: 0 },
        ]);
      } finally {
        await s.close();
      }
    });

    it('stores recommendation records and prunes old ones', async () => {
      const s = await b.open();
      try {
        await s.putRecommendation({ id: 'r1', at: 1000, segments: { '18-29|male': 1 }, itemIds: ['a', 'b'] });
        await s.putRecommendation({ id: 'r2', at: 5000, segments: {}, itemIds: [], memberId: 'm' });
        expect(await s.getRecommendation('r1')).toEqual({ id: 'r1', at: 1000, segments: { '18-29|male': 1 }, itemIds: ['a', 'b'] });
        expect(await s.pruneRecommendations(2000)).toBe(1);
        expect(await s.getRecommendation('r1')).toBeUndefined();
        expect((await s.getRecommendation('r2'))?.memberId).toBe('m');
      } finally {
        await s.close();
      }
    });
  });
}
