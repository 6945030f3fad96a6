import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsApiDef } from '../../dist/src/server/jsapi.js';
import { release, slots, testTasks, waitFor } from '../helpers.js';
import { post, startHarness, type Harness } from './helpers.js';

// A JSAPI over the engine's fixture tasks (test/fixtures/tasks.mjs), synchronised with Atomics.
const { sab, a } = slots();
const fixtureApi = (name: string, task: string): JsApiDef => ({
  name,
  summary: `test: runs ${task}`,
  input: 'json',
  options: { properties: {} },
  result: { properties: { threadId: { type: 'integer' } } },
  handler: ({ engine, signal, timeoutMs }) => engine.run(task, { sab }, { signal, timeoutMs }) as Promise<object>,
});

describe('request deadlines and overload map to engine deadlines and fast rejections', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ rateLimit: false }, { poolSize: 1, maxQueue: 1, tasks: testTasks() }, { apis: [fixtureApi('stuck', 'test.stuck'), fixtureApi('block', 'test.block'), fixtureApi('count', 'test.count')] });
  });
  afterAll(async () => {
    release(a);
    await h?.close();
  });

  it('x-hmp-timeout-ms becomes the engine deadline: a stuck task fails with HMP_ERR_ENGINE_DEADLINE (504), its worker is replaced', async () => {
    const t0 = performance.now();
    const r = await post(`${h.url}/v1/stuck`, '{}', 'application/json', { 'x-hmp-timeout-ms': '300' });
    const ms = performance.now() - t0;
    expect(r.status).toBe(504);
    expect(r.json).toMatchObject({ code: 'HMP_ERR_ENGINE_DEADLINE', retryable: true, errMsg: expect.stringMatching(/^stuck:fail Task test.stuck exceeded its deadline of 300 ms/) });
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(5000);
    // The replaced worker serves the next call.
    const ok = await post(`${h.url}/v1/count`, '{}', 'application/json');
    expect(ok.status).toBe(200);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/^hmp_engine_worker_restarts_total [1-9]/m);
    expect(metrics).toMatch(/^hmp_api_errors_total\{api="stuck",code="HMP_ERR_ENGINE_DEADLINE"\} 1$/m);
  });

  it('beyond the bounded queue, calls fail fast with HMP_ERR_ENGINE_OVERLOADED (503) while the running one is held', async () => {
    Atomics.store(a, 0, 0);
    Atomics.store(a, 1, 0);
    const running = post(`${h.url}/v1/block`, '{}', 'application/json');
    await waitFor(a, 0, 1); // the block task is running in the only worker
    const queued = post(`${h.url}/v1/count`, '{}', 'application/json');
    // Wait until the queued call is in the engine's queue (observable through /readyz).
    for (let i = 0; i < 200; i++) {
      const ready = await (await fetch(`${h.url}/readyz`)).json();
      if (ready.queue.size >= 1) break;
    }
    const over = await post(`${h.url}/v1/count`, '{}', 'application/json');
    expect(Atomics.load(a, 1)).toBe(0); // answered while the worker was still held
    expect(over.status).toBe(503);
    expect(over.json).toMatchObject({ code: 'HMP_ERR_ENGINE_OVERLOADED', retryable: true });
    release(a);
    expect((await running).status).toBe(200);
    expect((await queued).status).toBe(200);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });
});
