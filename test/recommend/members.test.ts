import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_THRESHOLD, Members, Recommender } from '../../dist/src/recommend/index.js';
import { SqliteStore } from '../../dist/src/store/index.js';
import { backends } from '../store/backends.js';

const KEY = randomBytes(32).toString('hex');
const consent = { granted: true as const, textVersion: 'privacy-v3', at: 1_700_000_000_000, channel: 'screen kiosk' };

/** Deterministic unit vector; `near` adds a small perturbation (same person, another frame). */
function face(seed: number, near = 0): Float32Array {
  let s = seed >>> 0;
  const v = new Float32Array(128);
  let n = 0;
  for (let i = 0; i < 128; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 32 - 0.5;
    if (near) v[i]! += near * Math.sin(i * 7 + seed);
    n += v[i]! * v[i]!;
  }
  n = Math.sqrt(n);
  for (let i = 0; i < 128; i++) v[i]! /= n;
  return v;
}

for (const b of backends()) {
  describe.skipIf(b.skip)(`members: ${b.title}`, () => {
    afterAll(() => b.cleanup());

    it('enrols with consent, identifies 1:N above the threshold, audits every identification, and deletes everything', async () => {
      const store = await b.open();
      let t = 1000;
      const m = await Members.open({ store, key: KEY, now: () => t++ });
      try {
        await m.register({ memberId: 'alice', descriptors: [face(1), face(1, 0.02)], tags: { ageBand: '30-44', gender: 'female', customerGroups: ['gold'] }, consent, actor: 'screen-1' });
        await m.register({ memberId: 'bob', descriptors: [face(2)], consent });
        for (let i = 0; i < 200; i++) await m.register({ memberId: `other${i}`, descriptors: [face(100 + i)], consent });
        expect(m.size).toBe(202);
        const hit = await m.identify(face(1, 0.05), { actor: 'screen-1' });
        expect(hit).toMatchObject({ memberId: 'alice', tags: { customerGroups: ['gold'] } });
        expect(hit!.score).toBeGreaterThan(DEFAULT_MATCH_THRESHOLD);
        expect(await m.identify(face(999))).toBeNull();
        const audit = await store.listAudit({ limit: 2 });
        expect(audit[0]).toMatchObject({ event: 'identify', memberId: null });
        expect(audit[0]!.score).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
        expect(audit[1]).toMatchObject({ event: 'identify', memberId: 'alice', actor: 'screen-1' });

        // A member's recommendations use its portrait tags and customer group.
        const rec = await Recommender.create({ store, seed: 5, members: { key: KEY }, context: { utcOffsetMinutes: 0 } });
        await rec.putItem({ id: 'gold-only', kind: 'coupon', title: 'Gold', appId: 'wx0123456789abcdef', targeting: { customerGroups: ['gold'] } });
        const r = await rec.recommend({ memberId: 'alice', slots: 2 });
        expect(r.audience).toEqual({ source: 'member', segments: { '30-44|female': 1 } });
        expect(r.items.map((i) => i.itemId)).toEqual(['gold-only']);
        expect((await rec.recommend({ memberId: 'bob' })).items).toEqual([]);
        rec.close();

        await m.delete('alice', { actor: 'admin' });
        expect(await store.getMember('alice')).toBeUndefined();
        expect(await m.identify(face(1, 0.05))).toBeNull();
        const left = await store.listAudit({ memberId: 'alice' });
        expect(left).toEqual([{ at: expect.any(Number), event: 'delete', memberId: 'alice', actor: 'admin' }]);
        await expect(m.delete('alice')).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_MEMBER_UNKNOWN' });
        // Bob and the others survive alice's rows being swapped out of the index.
        expect((await m.identify(face(2)))!.memberId).toBe('bob');
        expect((await m.identify(face(150)))!.memberId).toBe('other50');
      } finally {
        m.close();
        await store.close();
      }
    });

    it('keeps descriptors encrypted at rest and refuses the wrong key', async () => {
      const store = await b.open();
      const m = await Members.open({ store, key: KEY });
      const d = face(7);
      await m.register({ memberId: 'carol', descriptors: [d], consent });
      m.close();
      const row = (await store.getMember('carol'))!;
      const plain = Buffer.from(d.buffer);
      expect(Buffer.from(row.descriptorsEnc).includes(plain.subarray(0, 16))).toBe(false);
      expect(row.descriptorsEnc.length).toBe(12 + 512 + 16);
      if (store instanceof SqliteStore) {
        await store.close();
        expect(readFileSync(store.path).includes(plain.subarray(0, 16))).toBe(false);
      } else {
        await store.close();
      }
      const again = await b.reopen();
      try {
        // The right key from the environment reloads the index.
        process.env.HMP_MEMBER_KEY = KEY;
        const m2 = await Members.open({ store: again });
        expect((await m2.identify(d))!.memberId).toBe('carol');
        m2.close();
        await expect(Members.open({ store: again, key: randomBytes(32) })).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_DECRYPT', message: expect.stringContaining('carol') });
      } finally {
        delete process.env.HMP_MEMBER_KEY;
        await again.close();
      }
    });

    it('refuses enrolment without consent and bad descriptors or keys, naming the parameter', async () => {
      const store = await b.open();
      const m = await Members.open({ store, key: KEY });
      try {
        await expect(m.register({ descriptors: [face(1)], consent: { granted: false } as never })).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_CONSENT_REQUIRED' });
        await expect(m.register({ descriptors: [face(1)], consent: { granted: true, at: 1 } as never })).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_CONSENT_REQUIRED', message: expect.stringContaining('textVersion') });
        await expect(m.register({ descriptors: [new Float32Array(64)], consent })).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_DESCRIPTOR', message: expect.stringContaining('descriptors[0]') });
        await expect(m.register({ descriptors: [new Float32Array(128).fill(1)], consent })).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_DESCRIPTOR', message: expect.stringContaining('L2') });
        await m.register({ memberId: 'dup', descriptors: [face(3)], consent });
        await expect(m.register({ memberId: 'dup', descriptors: [face(4)], consent })).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_MEMBER_EXISTS' });
        await expect(m.identify([1, 2, 3])).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_DESCRIPTOR', message: expect.stringContaining('descriptor') });
        await expect(Members.open({ store, key: 'abcd' })).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_MEMBER_KEY' });
        await expect(Members.open({ store })).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_MEMBER_KEY', message: expect.stringContaining('HMP_MEMBER_KEY') });
      } finally {
        m.close();
        await store.close();
      }
    });
  });
}
