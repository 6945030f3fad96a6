import { describe, expect, it } from 'vitest';
import { matchTargeting, parseCatalogFile, validateItem } from '../../dist/src/recommend/index.js';

const base = { id: 'coffee', kind: 'coupon', title: '2 for 1', appId: 'wx0123456789abcdef' };

describe('catalog schema and targeting', () => {
  it('accepts a valid import file and returns clean items', () => {
    const items = parseCatalogFile(JSON.stringify({
      version: 1,
      items: [base, { ...base, id: 'shoes', kind: 'product', path: 'pages/p?sku=1', weight: 2.5, targeting: { ageBands: ['18-29'], genders: ['female'], hours: [[22, 6]], storeCategories: ['mall'] } }],
    }));
    expect(items.map((i) => i.id)).toEqual(['coffee', 'shoes']);
    expect(items[1]!.targeting!.hours).toEqual([[22, 6]]);
  });

  it('rejects invalid items with HMP_ERR_RECOMMEND_CATALOG_INVALID naming the field', () => {
    const cases: [unknown, string][] = [
      [{ ...base, appId: 'wx123' }, 'item.appId'],
      [{ ...base, kind: 'banner' }, 'item.kind'],
      [{ ...base, colour: 'red' }, 'item.colour'],
      [{ ...base, targeting: { ageBands: ['20-30'] } }, 'item.targeting.ageBands[0]'],
      [{ ...base, targeting: { hours: [[5, 25]] } }, 'item.targeting.hours[0]'],
      [{ ...base, weight: -1 }, 'item.weight'],
      [{ ...base, startAt: 10, endAt: 5 }, 'item.endAt'],
    ];
    for (const [v, field] of cases) {
      expect(() => validateItem(v)).toThrow(expect.objectContaining({ code: 'HMP_ERR_RECOMMEND_CATALOG_INVALID', message: expect.stringContaining(field) }));
    }
    expect(() => parseCatalogFile({ version: 1, items: [base, base] })).toThrow(expect.objectContaining({ message: expect.stringContaining('items[1].id') }));
    expect(() => parseCatalogFile('{not json')).toThrow(expect.objectContaining({ code: 'HMP_ERR_RECOMMEND_CATALOG_INVALID' }));
    expect(() => parseCatalogFile({ version: 2, items: [] })).toThrow(expect.objectContaining({ message: expect.stringContaining('file.version') }));
  });

  it('targets by audience share, hours (wrapping midnight), store category, customer group and campaign window', () => {
    const it1 = validateItem({ ...base, targeting: { ageBands: ['18-29'], genders: ['female'] } });
    expect(matchTargeting(it1, { '18-29|female': 1 }, { hour: 10 }, 0, 0.5)).toEqual({ eligible: true, share: 1, matched: ['ageBands:18-29', 'genders:female'] });
    expect(matchTargeting(it1, { '18-29|female': 0.4, '60+|male': 0.6 }, { hour: 10 }, 0, 0.5).eligible).toBe(false);
    expect(matchTargeting(it1, {}, { hour: 10 }, 0, 0.5).eligible).toBe(false);
    const night = validateItem({ ...base, targeting: { hours: [[22, 6]], storeCategories: ['bar'] } });
    expect(matchTargeting(night, {}, { hour: 23, storeCategory: 'bar' }, 0, 0.5)).toMatchObject({ eligible: true, matched: ['hours:22-6', 'storeCategories:bar'] });
    expect(matchTargeting(night, {}, { hour: 3, storeCategory: 'bar' }, 0, 0.5).eligible).toBe(true);
    expect(matchTargeting(night, {}, { hour: 12, storeCategory: 'bar' }, 0, 0.5).eligible).toBe(false);
    expect(matchTargeting(night, {}, { hour: 23, storeCategory: 'grocery' }, 0, 0.5).eligible).toBe(false);
    const vip = validateItem({ ...base, targeting: { customerGroups: ['gold'] } });
    expect(matchTargeting(vip, {}, { hour: 1 }, 0, 0.5).eligible).toBe(false);
    expect(matchTargeting(vip, {}, { hour: 1, customerGroups: ['gold'] }, 0, 0.5).matched).toEqual(['customerGroups:gold']);
    const campaign = validateItem({ ...base, startAt: 100, endAt: 200 });
    expect([50, 150, 200].map((t) => matchTargeting(campaign, {}, { hour: 0 }, t, 0.5).eligible)).toEqual([false, true, false]);
    expect(matchTargeting(validateItem({ ...base, active: false }), {}, { hour: 0 }, 0, 0.5).eligible).toBe(false);
  });
});
