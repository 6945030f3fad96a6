import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsApiDef } from '../../dist/src/server/jsapi.js';
import { ROOT } from '../helpers.js';
import { post, startHarness } from './helpers.js';

const CLI = join(ROOT, 'dist', 'src', 'cli', 'index.js');

describe('graceful shutdown', () => {
  it('close() drains: an in-flight request completes, readiness and new /v1 calls are refused meanwhile', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow: JsApiDef = {
      name: 'slow',
      summary: 'test: waits for the test',
      input: 'json',
      options: { properties: {} },
      result: { properties: { done: { type: 'boolean' } } },
      async handler() {
        entered();
        await held;
        return { done: true };
      },
    };
    const h = await startHarness({}, {}, { apis: [slow] });
    const inflight = post(`${h.url}/v1/slow`, '{}', 'application/json');
    await inside;
    const closing = h.server.close();
    // The listener is closed: a new connection is refused.
    await expect(fetch(`${h.url}/healthz`)).rejects.toThrow();
    release();
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ errMsg: 'slow:ok', done: true });
    await closing;
    await h.engine.dispose();
  });
});

/** Runs `hmp serve` and resolves with its URL once it logs that it listens. */
function serve(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, url, exited, output: () => out, errors: () => err };
}

describe('hmp serve', () => {
  it('starts with flags and env, serves, and exits 0 after draining on SIGTERM', async () => {
    const s = serve(['--port', '0', '--workers', '1'], { HMP_RATE_LIMIT: '100/1000', HMP_LOG_LEVEL: 'info' });
    const url = await s.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await (await fetch(`${url}/readyz`)).json();
    expect(ready.workers).toEqual({ poolSize: 1, ready: 1 });
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('shutting down');
    expect(s.output()).toContain('"msg":"stopped"');
    // Structured logs carry request ids.
    expect(s.output()).toMatch(/"reqId":"[0-9a-f-]{36}"/);
  });

  it('refuses to bind a non-loopback address without tokens, before starting workers', async () => {
    const s = serve(['--host', '0.0.0.0', '--port', '0']);
    s.url.catch(() => {});
    expect(await s.exited).toBe(2);
    expect(s.errors()).toContain('HMP_ERR_SERVER_INSECURE_BIND');
  });
});
