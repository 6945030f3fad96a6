import { afterAll, describe, expect, it } from 'vitest';
import { backends } from './backends.js';

const member = (id: string) => ({
  memberId: id,
  descriptorsEnc: new Uint8Array([1, 2, 3, 250, 0, 7]),
  dim: 128,
  count: 1,
  tags: { ageBand: '30-44' as const, customerGroups: ['gold'] },
  consent: { granted: true as const, textVersion: 'v1', at: 1 },
  createdAt: 10,
});

for (const b of backends()) {
  describe.skipIf(b.skip)(`store members and audit: ${b.title}`, () => {
    afterAll(() => b.cleanup());

    it('inserts once, round-trips bytes, and delete erases the member, its audit entries and recommendations', async () => {
      const s = await b.open();
      try {
        expect(await s.insertMember(member('m1'))).toBe(true);
        expect(await s.insertMember(member('m1'))).toBe(false);
        await s.insertMember(member('m2'));
        expect(await s.getMember('m1')).toEqual(member('m1'));
        expect((await s.listMembers()).map((m) => m.memberId)).toEqual(['m1', 'm2']);
        await s.appendAudit({ at: 1, event: 'identify', memberId: 'm1', score: 0.9, actor: 'screen-1' });
        await s.appendAudit({ at: 2, event: 'identify', memberId: null, score: 0.3 });
        await s.appendAudit({ at: 3, event: 'identify', memberId: 'm2', score: 0.95 });
        await s.putRecommendation({ id: 'rm1', at: 5, segments: {}, itemIds: [], memberId: 'm1' });
        expect(await s.listAudit()).toEqual([
          { at: 3, event: 'identify', memberId: 'm2', score: 0.95 },
          { at: 2, event: 'identify', memberId: null, score: 0.3 },
          { at: 1, event: 'identify', memberId: 'm1', score: 0.9, actor: 'screen-1' },
        ]);
        expect(await s.deleteMember('m1')).toBe(true);
        expect(await s.deleteMember('m1')).toBe(false);
        expect(await s.getMember('m1')).toBeUndefined();
        expect(await s.listAudit({ memberId: 'm1' })).toEqual([]);
        expect(await s.getRecommendation('rm1')).toBeUndefined();
        expect((await s.listAudit()).length).toBe(2);
      } finally {
        await s.close();
      }
    });

    it('fails with HMP_ERR_STORE_CLOSED after close', async () => {
      const s = await b.open();
      await s.close();
      await s.close();
      await expect(s.listMembers()).rejects.toMatchObject({ code: 'HMP_ERR_STORE_CLOSED' });
    });
  });
}
