/**
 * The whole path on real images: faces in camera frames → face tracks → audience →
 * recommendation → feedback changing later rankings, on SQLite and PostgreSQL.
 * Frames are composed from two UTKFace crops in ../shared/eval (a woman labelled 25, a man
 * labelled 65) on a grey 640x360 background, shifted 2 px per frame like a steady camera.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as hmp from '../../dist/src/index.js';
import { fromFaceTracks, Recommender, type FaceTrackLike } from '../../dist/src/recommend/index.js';
import { backends } from '../store/backends.js';
import { EVAL } from '../helpers.js';

const UTK = join(EVAL, 'faces', 'utkface-200', 'images');
const WOMAN = '25_1_0_20170103180907920.jpg.chip.jpg';
const MAN = '65_0_0_20170111200004259.jpg.chip.jpg';
const W = 640;
const H = 360;
const NOON = Date.UTC(2026, 0, 1, 12);

async function frames(n: number): Promise<{ data: Buffer; width: number; height: number; format: 'rgb' }[]> {
  const crops = await Promise.all([WOMAN, MAN].map((f) => sharp(join(UTK, f)).resize(200, 200).removeAlpha().raw().toBuffer()));
  return Array.from({ length: n }, (_, i) => {
    const buf = Buffer.alloc(W * H * 3, 110);
    crops.forEach((c, k) => {
      const ox = 60 + k * 320 + 2 * i;
      for (let y = 0; y < 200; y++) c.copy(buf, ((80 + y) * W + ox) * 3, y * 600, (y + 1) * 600);
    });
    return { data: buf, width: W, height: H, format: 'rgb' as const };
  });
}

const catalog = {
  version: 1,
  items: [
    { id: 'young-women', kind: 'product', title: 'Cosmetics', appId: 'wx00000000000000a1', targeting: { ageBands: ['18-29', '30-44'], genders: ['female'] } },
    { id: 'seniors', kind: 'miniProgram', title: 'Health check', appId: 'wx00000000000000a2', targeting: { ageBands: ['60+'] } },
    { id: 'general-a', kind: 'coupon', title: 'Coffee', appId: 'wx00000000000000a3' },
    { id: 'general-b', kind: 'coupon', title: 'Tea', appId: 'wx00000000000000a4' },
  ],
};

describe.skipIf(!existsSync(UTK))(`end to end from camera frames (needs ${UTK}; skipped when ../shared/eval is absent)`, () => {
  let tracks: FaceTrackLike[] = [];
  let engine: hmp.Engine | undefined;

  beforeAll(async () => {
    // Fail loudly if the face pipeline's API is missing: this test is the contract between them.
    expect(hmp.FaceTracker, 'src/index.ts must export FaceTracker (src/tasks/face)').toBeTypeOf('function');
    engine = await hmp.Engine.create({ poolSize: 1 });
    const tracker = new hmp.FaceTracker(engine);
    let last: { tracks: FaceTrackLike[] } | undefined;
    for (const [i, f] of (await frames(6)).entries()) last = await tracker.push(f, i * 200);
    tracks = last!.tracks;
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  it('tracks both people with age and gender', () => {
    expect(tracks).toHaveLength(2);
    const [woman, man] = [...tracks].sort((a, b) => (a.age ?? 0) - (b.age ?? 0));
    expect(woman).toMatchObject({ gender: 'female' });
    expect(man).toMatchObject({ gender: 'male' });
    expect(woman!.age!).toBeLessThan(45);
    expect(man!.age!).toBeGreaterThanOrEqual(60);
    expect(woman!.dwellMs).toBe(1000);
  });

  for (const b of backends()) {
    describe.skipIf(b.skip)(b.title, () => {
      afterAll(() => b.cleanup());

      it('audience → recommendation per viewer → feedback changes the later ranking', async () => {
        const store = await b.open();
        try {
          const rec = await Recommender.create({ store, seed: 21, now: () => NOON, context: { utcOffsetMinutes: 0 } });
          await rec.importCatalog(catalog);
          rec.updateTracks(fromFaceTracks(tracks));
          const audience = rec.getAudience({ window: 60_000 });
          expect(audience).toMatchObject({ unique: 2, current: 2, byGender: { male: 1, female: 1, unknown: 0 } });
          expect(audience.byAgeBand['60+']).toBe(1);

          const [woman, man] = [...tracks].sort((a, b2) => (a.age ?? 0) - (b2.age ?? 0));
          const forWoman = await rec.recommend({ trackIds: [woman!.trackId], slots: 4, greedy: true });
          const forMan = await rec.recommend({ trackIds: [man!.trackId], slots: 4, greedy: true });
          expect(forWoman.items.map((i) => i.itemId)).toContain('young-women');
          expect(forWoman.items.map((i) => i.itemId)).not.toContain('seniors');
          expect(forMan.items.map((i) => i.itemId)).toContain('seniors');
          expect(forMan.items.map((i) => i.itemId)).not.toContain('young-women');
          expect(forMan.items.find((i) => i.itemId === 'seniors')!.reasons.matchedTargeting).toEqual(['ageBands:60+']);
          // The whole audience: the two of them together (one each, 50/50).
          const both = await rec.recommend({ audience, slots: 4, greedy: true });
          expect(both.items.map((i) => i.itemId)).toEqual(expect.arrayContaining(['general-a', 'general-b']));

          const top = async () => (await rec.recommend({ trackIds: [woman!.trackId], slots: 4, greedy: true })).items.filter((i) => i.itemId.startsWith('general'))[0]!.itemId;
          expect(await top()).toBe('general-a');
          // She taps the tea coupon, never the coffee one.
          for (let i = 0; i < 20; i++) {
            const r = await rec.recommend({ trackIds: [woman!.trackId], slots: 4 });
            for (const it of r.items) await rec.reportFeedback({ recommendationId: r.recommendationId, itemId: it.itemId, event: 'impression' });
            if (i % 2 === 0 && r.items.some((it) => it.itemId === 'general-b')) await rec.reportFeedback({ recommendationId: r.recommendationId, itemId: 'general-b', event: 'click' });
          }
          expect(await top()).toBe('general-b');
          rec.close();
        } finally {
          await store.close();
        }
      });
    });
  }
});
