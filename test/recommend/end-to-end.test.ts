/**
 * The whole path on real images: faces in camera frames → face tracks → audience →
 * recommendation → feedback changing later rankings, on SQLite and PostgreSQL.
 * Frames are composed from two UTKFace crops in ../shared/eval (a woman labelled 25, a man
 * labelled 65) on a grey 640x360 background, shifted 2 px per frame like a steady camera.
 */
import { randomBytes } from 'node:crypto';
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

/** n frames of the two faces (`side` px) at x = left, left + 320, drifting 2 px per frame. */
async function frames(n: number, side = 200, left = 60, top = 80, order = [WOMAN, MAN]): Promise<{ data: Buffer; width: number; height: number; format: 'rgb' }[]> {
  const crops = await Promise.all(order.map((f) => sharp(join(UTK, f)).resize(side, side).removeAlpha().raw().toBuffer()));
  return Array.from({ length: n }, (_, i) => {
    const buf = Buffer.alloc(W * H * 3, 110);
    crops.forEach((c, k) => {
      const ox = left + k * 320 + 2 * i;
      for (let y = 0; y < side; y++) c.copy(buf, ((top + y) * W + ox) * 3, y * side * 3, (y + 1) * side * 3);
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
    { id: 'gold-members', kind: 'coupon', title: 'Members lounge', appId: 'wx00000000000000a5', targeting: { customerGroups: ['gold'] } },
  ],
};

describe.skipIf(!existsSync(UTK))(`end to end from camera frames (needs ${UTK}; skipped when ../shared/eval is absent)`, () => {
  type Track = FaceTrackLike & { descriptor?: number[] };
  let tracks: Track[] = [];
  /** A later visit: the same two people, smaller, elsewhere in the frame, in swapped places. */
  let later: Track[] = [];
  let engine: hmp.Engine | undefined;

  beforeAll(async () => {
    // Fail loudly if the face pipeline's API is missing: this test is the contract between them.
    expect(hmp.FaceTracker, 'src/index.ts must export FaceTracker (src/tasks/face)').toBeTypeOf('function');
    engine = await hmp.Engine.create({ poolSize: 1 });
    const stream = async (fr: Awaited<ReturnType<typeof frames>>): Promise<Track[]> => {
      const tracker = new hmp.FaceTracker(engine!, { detect: { descriptor: true } } as never);
      let last: { tracks: Track[] } | undefined;
      for (const [i, f] of fr.entries()) last = (await tracker.push(f, i * 200)) as { tracks: Track[] };
      return last!.tracks;
    };
    tracks = await stream(await frames(6));
    later = await stream(await frames(4, 170, 90, 120, [MAN, WOMAN]));
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
    // Member identification needs the tracker's descriptors (detect option descriptor: true).
    for (const t of [...tracks, ...later]) expect(t.descriptor, 'FaceTracker tracks must carry 128-d descriptors').toHaveLength(128);
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

      it('an enrolled member is recognised on a later visit and gets member-only items', async () => {
        const store = await b.open();
        try {
          const rec = await Recommender.create({ store, seed: 5, now: () => NOON, context: { utcOffsetMinutes: 0 }, members: { key: randomBytes(32) } });
          await rec.importCatalog(catalog);
          const [woman] = [...tracks].sort((a, b2) => (a.age ?? 0) - (b2.age ?? 0));
          const band = fromFaceTracks([woman!])[0]!.ageBand!;
          await rec.members!.register({ memberId: 'alice', descriptors: [woman!.descriptor!], tags: { ageBand: band, gender: 'female', customerGroups: ['gold'] }, consent: { granted: true, textVersion: 'v1', at: NOON } });
          const ids = await Promise.all(later.map((t) => rec.members!.identify(t.descriptor!, { actor: 'screen-1' })));
          const matched = ids.filter((m) => m !== null);
          expect(matched.map((m) => m!.memberId)).toEqual(['alice']);
          const laterWoman = later[ids.findIndex((m) => m !== null)]!;
          expect(laterWoman.gender).toBe('female');
          const r = await rec.recommend({ memberId: 'alice', slots: 5, greedy: true });
          expect(r.audience.source).toBe('member');
          expect(r.items.find((i) => i.itemId === 'gold-members')!.reasons.matchedTargeting).toEqual(['customerGroups:gold']);
          expect(await store.listAudit({ memberId: 'alice' })).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'identify', actor: 'screen-1' })]));
          rec.close();
        } finally {
          await store.close();
        }
      });
    });
  }
});
