import { describe, expect, it } from 'vitest';
import { Engine, HmpError } from '../../dist/src/index.js';
import { release, slots, testTasks, waitFor } from '../helpers.js';

describe('dispose()', () => {
  it('drains running and queued work within the bound, then refuses new work', async () => {
    const engine = await Engine.create({ poolSize: 1, tasks: testTasks(), verifyModels: false, drainTimeoutMs: 10_000 });
    const { sab, a } = slots();
    const running = engine.run('test.block', { sab });
    await waitFor(a, 0, 1);
    const queued = engine.run('test.count', { sab });
    const disposing = engine.dispose();
    expect(engine.disposed).toBe(true);
    const late = (await engine.run('test.count', { sab }).catch((e: unknown) => e)) as HmpError;
    expect(late.code).toBe('HMP_ERR_ENGINE_DISPOSED');
    release(a);
    await expect(running).resolves.toHaveProperty('threadId');
    await expect(queued).resolves.toHaveProperty('threadId');
    await disposing;
    expect(engine.stats().threads).toBe(0);
    await engine.dispose(); // idempotent
  });

  it('terminates work still running when the drain bound passes', async () => {
    const engine = await Engine.create({ poolSize: 1, tasks: testTasks(), verifyModels: false, drainTimeoutMs: 50 });
    const { sab, a } = slots();
    const stuck = engine.run('test.stuck', { sab }, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await waitFor(a, 0, 1);
    const t0 = Date.now();
    await engine.dispose();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(((await stuck) as HmpError).code).toBe('HMP_ERR_ENGINE_DISPOSED');
  });
});
