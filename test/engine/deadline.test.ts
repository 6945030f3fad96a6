import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, HmpError } from '../../dist/src/index.js';
import { release, slots, testTasks, waitFor } from '../helpers.js';

describe('per-task deadline', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, maxQueue: 8, tasks: testTasks(), verifyModels: false });
  });
  afterAll(() => engine.dispose());

  it('drops a task whose deadline passes while queued; its handler never runs', async () => {
    const { sab, a } = slots();
    const blocker = engine.run('test.block', { sab });
    await waitFor(a, 0, 1); // the only worker is now busy
    const queued = engine.run('test.block', { sab }, { timeoutMs: 30 });
    const err = await queued.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HmpError);
    expect((err as HmpError).code).toBe('HMP_ERR_ENGINE_DEADLINE');
    expect((err as HmpError).retryable).toBe(true);
    expect((err as HmpError).message).toMatch(/test\.block.*30 ms/);
    release(a);
    await blocker;
    expect(Atomics.load(a, 0)).toBe(1); // the queued task never started
    expect(engine.stats().workerRestarts).toBe(0);
  });

  it('fails a running task at its deadline; a cooperative task stops at its checkpoint and keeps its worker', async () => {
    const before = (await engine.run<{ threadId: number }>('test.whoami', null)).threadId;
    const { sab } = slots();
    const err = await engine.run('test.cooperative', { sab }, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect((err as HmpError).code).toBe('HMP_ERR_ENGINE_DEADLINE');
    const after = (await engine.run<{ threadId: number }>('test.whoami', null)).threadId;
    expect(after).toBe(before);
  });

  it('replaces a stuck worker after the deadline and grace, and later tasks succeed', async () => {
    const restarts = engine.stats().workerRestarts;
    const before = (await engine.run<{ threadId: number }>('test.whoami', null)).threadId;
    const { sab, a } = slots();
    const t0 = Date.now();
    const err = await engine.run('test.stuck', { sab }, { timeoutMs: 60 }).catch((e: unknown) => e);
    expect((err as HmpError).code).toBe('HMP_ERR_ENGINE_DEADLINE');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(Atomics.load(a, 0)).toBe(1);
    // The next task waits for the replacement worker.
    const after = (await engine.run<{ threadId: number }>('test.whoami', null)).threadId;
    expect(after).not.toBe(before);
    expect(engine.stats().workerRestarts).toBe(restarts + 1);
  });
});
