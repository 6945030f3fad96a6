import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Engine } from '../../dist/src/index.js';
import { startServer } from '../../dist/src/server/server.js';
import { buildApp } from '../../dist/src/server/app.js';
import { post, startHarness, type Harness } from './helpers.js';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADElEQVQImWP4z8AAAAMBAQCc479ZAAAAAElFTkSuQmCC', 'base64');
const T1 = 'token-of-device-one-0000';
const T2 = 'token-of-device-two-0000';

/** Opens a WebSocket and resolves with the HTTP status that refused it, or 101. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('error', reject);
  });
}

describe('security: tokens, bind check, rate limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ tokens: { 'device-1': T1, 'device-2': T2 }, rateLimit: { max: 4, windowMs: 60_000 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses a non-loopback bind without tokens (HMP_ERR_SERVER_INSECURE_BIND) and short tokens', async () => {
    const e = h.engine;
    await expect(startServer({ engine: e, server: { host: '0.0.0.0', port: 0 } })).rejects.toMatchObject({ code: 'HMP_ERR_SERVER_INSECURE_BIND', message: expect.stringContaining('0.0.0.0') });
    await expect(buildApp({ engine: e, server: { tokens: { dev: 'short' } } })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_INVALID', message: expect.stringContaining('options.tokens.dev') });
    // The message never carries the token itself.
    await expect(buildApp({ engine: e, server: { tokens: { dev: 'short' } } })).rejects.not.toMatchObject({ message: expect.stringContaining('"short"') });
  });

  it('probes and docs are public; APIs, metrics and streams need a valid token', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${h.url}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${T2}` } })).status).toBe(200);
    const ws = h.url.replace('http', 'ws') + '/v1/stream/scan';
    const refused = await upgradeStatus(ws, {});
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body).code).toBe('HMP_ERR_SERVER_UNAUTHORIZED');
    expect((await upgradeStatus(ws, { authorization: `Bearer ${T2}` })).status).toBe(101);
  });

  it('rate-limits per device: the fifth call in the window gets HMP_ERR_SERVER_RATE_LIMITED (429) with Retry-After; another device is unaffected', async () => {
    const a = { authorization: `Bearer ${T1}` };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(`${h.url}/v1/getImageInfo`, PNG_1x1, 'image/png', a)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const limited = await post(`${h.url}/v1/getImageInfo`, PNG_1x1, 'image/png', a);
    expect(limited.json).toMatchObject({ code: 'HMP_ERR_SERVER_RATE_LIMITED', retryable: true, errMsg: expect.stringMatching(/^getImageInfo:fail Rate limit of 4 requests per 60000 ms/) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // device-2 used one /v1 request above (the stream upgrade); it still has room.
    expect((await post(`${h.url}/v1/getImageInfo`, PNG_1x1, 'image/png', { authorization: `Bearer ${T2}` })).status).toBe(200);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });
});

describe('security: no tokens on loopback', () => {
  it('serves without tokens on 127.0.0.1', async () => {
    const engine = await Engine.create({ poolSize: 1, verifyModels: false });
    const s = await startServer({ engine, server: { port: 0 } });
    try {
      expect((await post(`${s.url}/v1/getImageInfo`, PNG_1x1, 'image/png')).status).toBe(200);
    } finally {
      await s.close();
      await engine.dispose();
    }
  });
});
