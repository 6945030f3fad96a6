import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, HmpError } from '../../dist/src/index.js';
import { release, slots, testTasks, waitFor } from '../helpers.js';

describe('backpressure', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, maxQueue: 2, tasks: testTasks(), verifyModels: false });
  });
  afterAll(() => engine.dispose());

  it('fails fast with a coded overload error beyond the bounded queue, then recovers', async () => {
    const { sab, a } = slots();
    const running = engine.run('test.block', { sab });
    await waitFor(a, 0, 1);
    const queued = [engine.run('test.count', { sab }), engine.run('test.count', { sab })];
    expect(engine.stats().queueSize).toBe(2);
    let settledEarly = false;
    const over = engine.run('test.count', { sab }).catch((e: unknown) => {
      settledEarly = Atomics.load(a, 1) === 0; // rejected before anything was released
      return e;
    });
    const err = (await over) as HmpError;
    expect(err.code).toBe('HMP_ERR_ENGINE_OVERLOADED');
    expect(err.retryable).toBe(true);
    expect(err.status).toBe(503);
    expect(settledEarly).toBe(true);
    release(a);
    await running;
    await Promise.all(queued);
    expect(Atomics.load(a, 2)).toBe(3); // block + 2 counts ran; the rejected one did not
    await expect(engine.run('test.count', { sab })).resolves.toHaveProperty('threadId');
    expect(engine.stats().errors.HMP_ERR_ENGINE_OVERLOADED).toBe(1);
  });
});
