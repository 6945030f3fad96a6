import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, HmpError } from '../../dist/src/index.js';
import { release, slots, testTasks, waitFor } from '../helpers.js';

describe('AbortSignal', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, tasks: testTasks(), verifyModels: false });
  });
  afterAll(() => engine.dispose());

  it('rejects at once with an already-aborted signal', async () => {
    const err = await engine.run('test.whoami', null, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((err as HmpError).code).toBe('HMP_ERR_ENGINE_ABORTED');
  });

  it('drops a queued task when its signal fires', async () => {
    const { sab, a } = slots();
    const blocker = engine.run('test.block', { sab });
    await waitFor(a, 0, 1);
    const ac = new AbortController();
    const queued = engine.run('test.block', { sab }, { signal: ac.signal });
    ac.abort();
    expect(((await queued.catch((e: unknown) => e)) as HmpError).code).toBe('HMP_ERR_ENGINE_ABORTED');
    release(a);
    await blocker;
    expect(Atomics.load(a, 0)).toBe(1);
  });

  it('stops a running cooperative task when its signal fires', async () => {
    const { sab, a } = slots();
    const ac = new AbortController();
    const running = engine.run('test.cooperative', { sab }, { signal: ac.signal });
    await waitFor(a, 0, 1);
    ac.abort();
    expect(((await running.catch((e: unknown) => e)) as HmpError).code).toBe('HMP_ERR_ENGINE_ABORTED');
    await expect(engine.run('test.whoami', null)).resolves.toHaveProperty('threadId');
  });

  it('rejects a signal that is not an AbortSignal, naming the parameter', async () => {
    const err = await engine.run('test.whoami', null, { signal: {} as AbortSignal }).catch((e: unknown) => e);
    expect((err as HmpError).code).toBe('HMP_ERR_ARG_INVALID');
    expect((err as HmpError).message).toContain('options.signal');
  });
});
