import { describe, expect, it } from 'vitest';
import { Engine, HmpError } from '../dist/src/index.js';

describe('engine options', () => {
  it.each([
    [{ poolSize: 0 }, 'HMP_ERR_ARG_RANGE', 'options.poolSize'],
    [{ poolSize: '2' }, 'HMP_ERR_ARG_INVALID', 'options.poolSize'],
    [{ timeoutMs: -1 }, 'HMP_ERR_ARG_RANGE', 'options.timeoutMs'],
    [{ maxPixels: 1.5 }, 'HMP_ERR_ARG_RANGE', 'options.maxPixels'],
    [{ poolsize: 2 }, 'HMP_ERR_OPTION_UNKNOWN', 'options.poolsize'],
    [{ tasks: { 'core.noop': { module: '/x.js' } } }, 'HMP_ERR_ARG_INVALID', 'options.tasks.core.noop'],
    [{ tasks: { mine: { module: '/does/not/exist.js' } } }, 'HMP_ERR_ARG_INVALID', 'options.tasks.mine.module'],
  ])('%j fails with %s naming %s', async (opts, code, param) => {
    const err = (await Engine.create(opts as never).catch((e: unknown) => e)) as HmpError;
    expect(err).toBeInstanceOf(HmpError);
    expect(err.code).toBe(code);
    expect(err.message).toContain(param);
  });

  it('per-call options are validated too', async () => {
    const engine = await Engine.create({ poolSize: 1, verifyModels: false });
    try {
      const err = (await engine.run('core.noop', null, { timeout: 5 } as never).catch((e: unknown) => e)) as HmpError;
      expect(err.code).toBe('HMP_ERR_OPTION_UNKNOWN');
      expect(err.message).toContain('options.timeout');
      const o = engine.options;
      expect(o.poolSize).toBe(1);
      (o as { poolSize: number }).poolSize = 99; // a copy: the engine is unaffected
      expect(engine.options.poolSize).toBe(1);
    } finally {
      await engine.dispose();
    }
  });
});
