import { afterAll, describe, expect, it } from 'vitest';
import { Recommender } from '../../dist/src/recommend/index.js';
import { backends } from '../store/backends.js';

const NOON = Date.UTC(2026, 0, 1, 12);
const item = (id: string, targeting?: object) => ({ id, kind: 'miniProgram', title: id, appId: 'wx0123456789abcdef', path: `pages/${id}/index`, ...(targeting ? { targeting } : {}) });
const YOUNG = { segments: { '18-29|female': 1 } };
const OLD = { segments: { '60+|male': 1 } };

for (const b of backends()) {
  describe.skipIf(b.skip)(`recommendation learns from feedback: ${b.title}`, () => {
    afterAll(() => b.cleanup());

    it('ranks reproducibly for a seed, filters by targeting and explains the ranking', async () => {
      const store = await b.open();
      try {
        const mk = () => Recommender.create({ store, seed: 11, now: () => NOON, context: { utcOffsetMinutes: 0, storeCategory: 'mall' } });
        const r1 = await mk();
        await r1.importCatalog({ version: 1, items: [item('a'), item('b'), item('c', { ageBands: ['60+'] }), item('d', { storeCategories: ['bar'] })] });
        const first = await r1.recommend({ audience: YOUNG, slots: 4 });
        const again = await (await mk()).recommend({ audience: YOUNG, slots: 4 });
        expect(again.items.map((i) => i.itemId)).toEqual(first.items.map((i) => i.itemId));
        // c targets 60+, d bars: neither is eligible for a young viewer in a mall.
        expect(first.items.map((i) => i.itemId).sort()).toEqual(['a', 'b']);
        expect(first.items[0]).toMatchObject({ rank: 1, appId: 'wx0123456789abcdef', reasons: { matchedTargeting: [], estimatedRate: 0.05, weight: 1, impressions: 0 } });
        const old = await r1.recommend({ audience: OLD, slots: 4 });
        expect(old.items.find((i) => i.itemId === 'c')!.reasons.matchedTargeting).toEqual(['ageBands:60+']);
        expect(await r1.recommend({ audience: { segments: {} }, slots: 2 })).toMatchObject({ audience: { source: 'audience', segments: {} } });
      } finally {
        await store.close();
      }
    });

    it('clicks from one segment move an item up for that segment, not for another', async () => {
      const store = await b.open();
      try {
        const rec = await Recommender.create({ store, seed: 3, now: () => NOON });
        await rec.importCatalog({ version: 1, items: ['a', 'b', 'c', 'd'].map((id) => item(id)) });
        const greedyTop = async (audience: object) => (await rec.recommend({ audience: audience as never, slots: 1, greedy: true })).items[0]!.itemId;
        expect(await greedyTop(YOUNG)).toBe('a'); // ties break by id before any feedback
        // Young viewers see d 30 times and click 12 times; every other item is ignored.
        for (let i = 0; i < 30; i++) {
          const r = await rec.recommend({ audience: YOUNG, slots: 4 });
          for (const it of r.items) await rec.reportFeedback({ recommendationId: r.recommendationId, itemId: it.itemId, event: 'impression' });
          if (i % 5 < 2) await rec.reportFeedback({ recommendationId: r.recommendationId, itemId: 'd', event: 'click' });
        }
        expect(await greedyTop(YOUNG)).toBe('d');
        const top = (await rec.recommend({ audience: YOUNG, slots: 1, greedy: true })).items[0]!;
        expect(top.reasons.estimatedRate).toBeGreaterThan(0.2);
        expect(top.reasons.impressions).toBe(30);
        // Another screen sharing the store picks up what this one learned.
        const other = await Recommender.create({ store, seed: 99, now: () => NOON });
        expect((await other.recommend({ audience: YOUNG, slots: 1, greedy: true })).items[0]!.itemId).toBe('d');
        // Until old viewers give feedback, d's pooled rate carries over to them (cold start)...
        expect(await greedyTop(OLD)).toBe('d');
        // ...and once they ignore d and click a, the segments part ways.
        for (let i = 0; i < 30; i++) {
          const r = await rec.recommend({ audience: OLD, slots: 4 });
          for (const it of r.items) await rec.reportFeedback({ recommendationId: r.recommendationId, itemId: it.itemId, event: 'impression' });
          if (i % 5 < 2) await rec.reportFeedback({ recommendationId: r.recommendationId, itemId: 'a', event: 'click' });
        }
        expect(await greedyTop(OLD)).toBe('a');
        expect(await greedyTop(YOUNG)).toBe('d');
      } finally {
        await store.close();
      }
    });

    it('rejects feedback for unknown recommendations or items not served, naming the parameter', async () => {
      const store = await b.open();
      try {
        const rec = await Recommender.create({ store, seed: 1, now: () => NOON });
        await rec.putItem(item('a'));
        await rec.putItem(item('b'));
        const r = await rec.recommend({ audience: YOUNG, slots: 1 });
        await expect(rec.reportFeedback({ recommendationId: 'nope', itemId: 'a', event: 'click' })).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_UNKNOWN' });
        const other = r.items[0]!.itemId === 'a' ? 'b' : 'a';
        await expect(rec.reportFeedback({ recommendationId: r.recommendationId, itemId: other, event: 'click' })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_INVALID', message: expect.stringContaining('feedback.itemId') });
        await expect(rec.reportFeedback({ recommendationId: r.recommendationId, itemId: r.items[0]!.itemId, event: 'tap' as never })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_INVALID', message: expect.stringContaining('feedback.event') });
        await expect(rec.recommend({ audience: YOUNG, trackIds: [1] })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_INVALID', message: expect.stringContaining('request') });
        await expect(rec.recommend({ slots: 0 })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('request.slots') });
        await expect(rec.recommend({ memberId: 'm' })).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_MEMBER_UNKNOWN' });
        await expect(rec.deleteItem('zz')).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_ITEM_UNKNOWN' });
      } finally {
        await store.close();
      }
    });
  });
}
