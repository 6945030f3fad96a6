import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, HmpError } from '../../dist/src/index.js';
import { testTasks } from '../helpers.js';

// Note: piscina runs tasks in worker *threads*; process.abort() in a thread aborts the whole
// process, so a crash here is a thread that exits or throws outside any task promise.
describe('worker crash', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 2, tasks: testTasks(), verifyModels: false });
  });
  afterAll(() => engine.dispose());

  it.each(['test.exit', 'test.throwLater'])('%s fails only its own task with a retryable code; the pool recovers', async (task) => {
    const restarts = engine.stats().workerRestarts;
    const others = Array.from({ length: 4 }, () => engine.run<{ threadId: number }>('test.whoami', null));
    const err = (await engine.run(task, null).catch((e: unknown) => e)) as HmpError;
    expect(err).toBeInstanceOf(HmpError);
    expect(err.code).toBe('HMP_ERR_ENGINE_WORKER_CRASHED');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(task);
    await expect(Promise.all(others)).resolves.toHaveLength(4);
    const later = await Promise.all(Array.from({ length: 6 }, () => engine.run<{ threadId: number }>('test.whoami', null)));
    expect(later.every((r) => typeof r.threadId === 'number')).toBe(true);
    expect(engine.stats().workerRestarts).toBe(restarts + 1);
  });

  it('an uncoded error thrown by a handler becomes HMP_ERR_ENGINE_INTERNAL without killing the worker', async () => {
    const restarts = engine.stats().workerRestarts;
    const err = (await engine.run('test.fail', null).catch((e: unknown) => e)) as HmpError;
    expect(err.code).toBe('HMP_ERR_ENGINE_INTERNAL');
    expect(err.message).toContain('plain failure');
    expect(err.stack).toContain('crash.test'); // stack points at the caller
    expect(engine.stats().workerRestarts).toBe(restarts);
  });

  it('an unknown task is a coded error listing the registered tasks', async () => {
    const err = (await engine.run('nope', null).catch((e: unknown) => e)) as HmpError;
    expect(err.code).toBe('HMP_ERR_ENGINE_TASK_UNKNOWN');
    expect(err.message).toContain('core.noop');
  });
});
