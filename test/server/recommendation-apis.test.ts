import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Recommender } from '../../dist/src/recommend/index.js';
import { recommendationApis } from '../../dist/src/server/apis/recommendation.js';
import { SqliteStore } from '../../dist/src/store/index.js';
import { post, startHarness, type Harness } from './helpers.js';

function unit(seed: number): number[] {
  let s = seed;
  const v = Array.from({ length: 128 }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32 - 0.5));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('recommendation JSAPIs over HTTP', () => {
  let h: Harness;
  let rec: Recommender;
  let store: SqliteStore;
  const dir = mkdtempSync(join(tmpdir(), 'hmp-api-'));
  const call = (api: string, body: object) => post(`${h.url}/v1/${api}`, JSON.stringify(body), 'application/json');

  beforeAll(async () => {
    store = await SqliteStore.open({ dir });
    rec = await Recommender.create({ store, seed: 4, members: { key: randomBytes(32) }, context: { utcOffsetMinutes: 0 } });
    h = await startHarness({}, {}, { apis: recommendationApis(rec) });
  });
  afterAll(async () => {
    await h?.close();
    rec?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a catalog, recommends with reasons, takes feedback and serves the audience', async () => {
    const items = [
      { id: 'a', kind: 'coupon', title: 'A', appId: 'wx00000000000000aa', targeting: { genders: ['female'] } },
      { id: 'b', kind: 'miniProgram', title: 'B', appId: 'wx00000000000000bb', path: 'pages/index/index' },
    ];
    expect((await call('catalog/import', { catalog: { version: 1, items } })).json).toEqual({ imported: 2, errMsg: 'catalog.import:ok' });
    // The schema's defaults (active, weight) are filled in by the route's validation.
    expect((await call('catalog/listItems', {})).json.items).toEqual(items.map((i) => ({ ...i, active: true, weight: 1 })));
    const r = await call('recommend', { audience: { segments: { '30-44|male': 1 } }, slots: 2 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ errMsg: 'recommend:ok', audience: { source: 'audience' }, items: [{ rank: 1, itemId: 'b', path: 'pages/index/index', reasons: { estimatedRate: 0.05 } }] });
    const fb = await call('reportFeedback', { recommendationId: r.json.recommendationId, itemId: 'b', event: 'click' });
    expect(fb.json).toEqual({ errMsg: 'reportFeedback:ok' });
    rec.updateTracks({ trackId: 7, at: 1000, age: 33, gender: 'female', genderScore: 0.9 });
    expect((await call('getAudience', { window: 5000 })).json).toMatchObject({ errMsg: 'getAudience:ok', unique: 1, byAgeBand: { '30-44': 1 }, byGender: { female: 1 } });
    expect((await call('catalog/deleteItem', { id: 'a' })).json).toEqual({ errMsg: 'catalog.deleteItem:ok' });
  });

  it('enrols, identifies and deletes a member', async () => {
    const consent = { granted: true, textVersion: 'v1', at: 1 };
    const reg = await call('registerMember', { memberId: 'm1', descriptors: [unit(1)], tags: { gender: 'male' }, consent });
    expect(reg.json).toEqual({ memberId: 'm1', descriptors: 1, errMsg: 'registerMember:ok' });
    expect((await call('identifyMember', { descriptor: unit(1) })).json).toMatchObject({ matched: true, memberId: 'm1', tags: { gender: 'male' } });
    expect((await call('identifyMember', { descriptor: unit(2) })).json).toEqual({ matched: false, errMsg: 'identifyMember:ok' });
    expect((await call('deleteMember', { memberId: 'm1' })).json).toEqual({ errMsg: 'deleteMember:ok' });
    expect(await store.listAudit({ memberId: 'm1' })).toHaveLength(1);
  });

  it('fails in the wx convention with coded errors', async () => {
    const bad = await call('catalog/putItem', { item: { id: 'x', kind: 'coupon', title: 'X', appId: 'nope' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'HMP_ERR_SERVER_BAD_REQUEST' });
    expect(String(bad.json.errMsg)).toMatch(/^catalog\.putItem:fail /);
    const unknown = await call('reportFeedback', { recommendationId: 'nope', itemId: 'b', event: 'click' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'HMP_ERR_RECOMMEND_UNKNOWN', errMsg: expect.stringMatching(/^reportFeedback:fail /) });
    const noConsent = await call('registerMember', { descriptors: [unit(3)], consent: { granted: false, textVersion: 'v1', at: 1 } });
    expect(noConsent.status).toBe(403);
    expect(noConsent.json.code).toBe('HMP_ERR_RECOMMEND_CONSENT_REQUIRED');
    expect((await call('deleteMember', { memberId: 'ghost' })).json.code).toBe('HMP_ERR_RECOMMEND_MEMBER_UNKNOWN');
  });
});
