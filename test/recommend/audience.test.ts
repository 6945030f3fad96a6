import { describe, expect, it } from 'vitest';
import { Audience } from '../../dist/src/recommend/index.js';

describe('audience analytics', () => {
  it('counts current and unique viewers by age band and gender over a sliding window, with dwell and attention', () => {
    const a = new Audience({ ttlMs: 120_000, currentGapMs: 2000, minGenderScore: 0.6 });
    a.update([
      { trackId: 1, at: 1000, age: 8, gender: 'male', genderScore: 0.9, attentionMs: 100 },
      { trackId: 2, at: 1000, ageBand: '30-44', gender: 'female', genderScore: 0.95 },
      { trackId: 1, at: 40_000, age: 9, gender: 'male', genderScore: 0.9, attentionMs: 3000 },
      { trackId: 3, at: 60_000, age: 65, gender: 'female', genderScore: 0.4, dwellMs: 500, attentionMs: 200 },
      { trackId: 4, at: 70_000, age: 22, gender: 'male', genderScore: 0.8 },
      { trackId: 4, at: 71_000, age: 23, gender: 'male', genderScore: 0.8 },
    ]);
    const last = a.getAudience({ window: 60_000 });
    expect(last.at).toBe(71_000);
    // Track 2 left at 1 s, outside the last minute; 1, 3 and 4 are in it.
    expect(last.unique).toBe(3);
    expect(last.byAgeBand).toEqual({ '0-12': 1, '13-17': 0, '18-29': 1, '30-44': 0, '45-59': 0, '60+': 1 });
    // Track 3's gender score 0.4 is below 0.6: unknown.
    expect(last.byGender).toEqual({ male: 2, female: 0, unknown: 1 });
    expect(last.current).toBe(1);
    expect(last.currentTrackIds).toEqual([4]);
    expect(last.segments).toEqual({ '18-29|male': 1 });
    expect(last.dwell.totalMs).toBe(39_000 + 500 + 1000);
    expect(last.attention.totalMs).toBe(3200);
    const all = a.getAudience({ window: 120_000 });
    expect(all.unique).toBe(4);
    expect(all.byAgeBand['30-44']).toBe(1);
    expect(a.segmentsOfTracks([1, 4, 'gone'])).toEqual({ segments: { '0-12|male': 0.5, '18-29|male': 0.5 }, found: 2 });
  });

  it('drops raw per-track records after the TTL', () => {
    const a = new Audience({ ttlMs: 10_000 });
    a.update({ trackId: 'x', at: 0, age: 30 });
    a.update({ trackId: 'y', at: 9000, age: 30 });
    expect(a.size).toBe(2);
    a.update({ trackId: 'y', at: 10_001, age: 30 });
    expect(a.size).toBe(1);
    expect(a.getAudience({ window: 10_000 }).unique).toBe(1);
  });

  it('with nobody in front of the screen, ranks for the window and reports zero current viewers', () => {
    const a = new Audience();
    expect(a.getAudience({ window: 1000 })).toMatchObject({ current: 0, unique: 0, segments: {} });
    a.update({ trackId: 1, at: 0, ageBand: '45-59', gender: 'female' });
    expect(a.getAudience({ window: 60_000, at: 30_000 })).toMatchObject({ current: 0, unique: 1, segments: { '45-59|female': 1 } });
  });

  it('rejects bad input naming the parameter', () => {
    const a = new Audience({ ttlMs: 60_000 });
    expect(() => a.update([{ trackId: 1, at: 0 }, { trackId: 2, at: -5 }])).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('updates[1].at') }));
    expect(() => a.update({ trackId: 1, at: 0, gender: 'x' as never })).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_INVALID', message: expect.stringContaining('update.gender') }));
    expect(() => a.getAudience({ window: 120_000 })).toThrow(expect.objectContaining({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('query.window') }));
    expect(() => a.getAudience({ windw: 5 } as never)).toThrow(expect.objectContaining({ code: 'HMP_ERR_OPTION_UNKNOWN', message: expect.stringContaining('query.windw') }));
    expect(() => new Audience({ ttl: 5 } as never)).toThrow(expect.objectContaining({ code: 'HMP_ERR_OPTION_UNKNOWN' }));
  });
});
