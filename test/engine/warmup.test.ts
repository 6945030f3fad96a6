// A task's registry `warmup` export runs once in each worker after it starts, without any
// task having been sent (barcode.scan uses it to instantiate zxing-cpp before the first scan).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../dist/src/index.js';
import { BUILTIN_TASKS } from '../../dist/src/engine/registry.js';
import { ROOT } from '../helpers.js';

describe('task warm-up hooks', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({
      poolSize: 1,
      verifyModels: false,
      warmup: true,
      tasks: { 'test.warm': { module: join(ROOT, 'test', 'fixtures', 'warmup-task.mjs'), export: 'probe', input: 'none', warmup: 'warmup' } },
    });
  });
  afterAll(async () => { await engine?.dispose(); });

  it('the worker calls the hook once by itself', async () => {
    // probe resolves only after warmup ran; the deadline turns a missing call into a failure.
    await expect(engine.run('test.warm', null, { timeoutMs: 30_000 })).resolves.toEqual({ calls: 1 });
    await expect(engine.run('test.warm', null, { timeoutMs: 30_000 })).resolves.toEqual({ calls: 1 });
  });

  it('barcode.scan registers its zxing warm-up', () => {
    expect(BUILTIN_TASKS['barcode.scan']!.warmup).toBe('warmup');
  });

  it('a non-string warmup is a coded error naming the option', async () => {
    await expect(Engine.create({ poolSize: 1, verifyModels: false, tasks: { 'test.bad': { module: join(ROOT, 'test', 'fixtures', 'warmup-task.mjs'), warmup: 3 as unknown as string } } }))
      .rejects.toMatchObject({ code: 'HMP_ERR_ARG_INVALID', message: expect.stringContaining('options.tasks.test.bad.warmup') });
  });
});
