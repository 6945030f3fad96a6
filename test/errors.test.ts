import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HmpError, createError } from '../dist/src/index.js';
import { ROOT } from './helpers.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error registry', () => {
  const codes = Object.keys(ERROR_CODES);

  it('codes follow HMP_ERR_<AREA>_<WHAT>, are unique and documented', () => {
    expect(new Set(codes).size).toBe(codes.length);
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^HMP_ERR_[A-Z0-9]+_[A-Z0-9_]+$/);
      expect(spec.doc.length, code).toBeGreaterThan(10);
      expect(spec.message.length, code).toBeGreaterThan(5);
      expect(['Error', 'TypeError', 'RangeError', 'AbortError']).toContain(spec.base);
      expect(spec.status, code).toBeGreaterThanOrEqual(400);
      expect(spec.status, code).toBeLessThan(600);
    }
  });

  it('every code used in src/ is registered', () => {
    const used = new Set<string>();
    for (const f of sources(join(ROOT, 'src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/['"`](HMP_ERR_[A-Z0-9_]+)['"`]/g)) used.add(m[1]!);
    }
    const missing = [...used].filter((c) => !codes.includes(c));
    expect(missing).toEqual([]);
  });

  it('every code is listed in the README error table', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const missing = codes.filter((c) => !readme.includes(c));
    expect(missing).toEqual([]);
  });

  it('builds errors with the registered status, base name and formatted message', () => {
    const e = createError('HMP_ERR_ARG_RANGE', 'positive integer', 'width', '-3 of type number');
    expect(e).toBeInstanceOf(HmpError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('RangeError');
    expect(e.status).toBe(400);
    expect(e.message).toBe('Expected positive integer for width but received -3 of type number');
    expect(e.toJSON()).toEqual({ code: 'HMP_ERR_ARG_RANGE', message: e.message });
  });
});
