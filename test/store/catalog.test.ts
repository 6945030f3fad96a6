import { afterAll, describe, expect, it } from 'vitest';
import { backends } from './backends.js';

const item = (id: string, title = id) => ({ id, kind: 'miniProgram' as const, title, appId: 'wx0123456789abcdef', targeting: { ageBands: ['18-29' as const] } });

for (const b of backends()) {
  describe.skipIf(b.skip)(`store catalog: ${b.title}`, () => {
    afterAll(() => b.cleanup());

    it('puts, replaces, lists in id order and deletes items with their statistics', async () => {
      const s = await b.open();
      try {
        await s.putItems([item('b'), item('a'), item('C')], 1);
        await s.putItem(item('a', 'renamed'), 2);
        expect((await s.listItems()).map((i) => i.id)).toEqual(['C', 'a', 'b']);
        expect(await s.getItem('a')).toEqual(item('a', 'renamed'));
        expect(await s.getItem('zz')).toBeUndefined();
        await s.addStats([{ itemId: 'a', segment: '18-29|male', impressions: 2, clicks: 1, conversions: 0 }]);
        expect(await s.deleteItem('a')).toBe(true);
        expect(await s.deleteItem('a')).toBe(false);
        expect(await s.getStats()).toEqual([]);
        expect((await s.listItems()).map((i) => i.id)).toEqual(['C', 'b']);
      } finally {
        await s.close();
      }
    });

    it('keeps data across close and reopen', async () => {
      const s = await b.open();
      await s.putItem(item('kept'), 1);
      await s.close();
      const s2 = await b.reopen();
      try {
        expect((await s2.listItems()).map((i) => i.id)).toEqual(['kept']);
      } finally {
        await s2.close();
      }
    });
  });
}
