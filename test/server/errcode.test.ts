import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../dist/src/index.js';
import { AREA_BASE, errCodeOf, errCodeTable } from '../../dist/src/server/wx.js';

describe('wx errCode numbering', () => {
  it('gives every registered code a unique errCode inside its area block', () => {
    const table = errCodeTable();
    expect(table).toHaveLength(Object.keys(ERROR_CODES).length);
    expect(new Set(table.map((r) => r.errCode)).size).toBe(table.length);
    for (const r of table) {
      const area = /^HMP_ERR_([A-Z0-9]+)_/.exec(r.code)![1]!;
      // Every area in the registry has a documented base (a new area adds one line to AREA_BASE).
      expect(AREA_BASE[area], `${r.code}: add ${area} to AREA_BASE in src/server/wx.ts`).toBeDefined();
      expect(r.errCode).toBeGreaterThan(AREA_BASE[area]!);
      expect(r.errCode).toBeLessThan(AREA_BASE[area]! + 1000);
      expect(r.status).toBe(ERROR_CODES[r.code].status);
    }
  });

  it('keeps published numbers (codes are only appended to their area)', () => {
    expect(errCodeOf('HMP_ERR_ARG_INVALID')).toBe(10001);
    expect(errCodeOf('HMP_ERR_ENGINE_OVERLOADED')).toBe(12002);
    expect(errCodeOf('HMP_ERR_IMAGE_CORRUPT')).toBe(13003);
    expect(errCodeOf('HMP_ERR_FRAME_SIZE')).toBe(14001);
    expect(errCodeOf('HMP_ERR_SERVER_UNAUTHORIZED')).toBe(17001);
    expect(errCodeOf('HMP_ERR_SERVER_RATE_LIMITED')).toBe(17007);
  });
});
