import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startHarness, type Harness } from './helpers.js';
import type { JsApiDef } from '../../dist/src/server/jsapi.js';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADElEQVQImWP4z8AAAAMBAQCc479ZAAAAAElFTkSuQmCC', 'base64');

// A JSAPI whose handler fails with a plain Error: what a bug looks like to the server.
const buggy: JsApiDef = {
  name: 'buggy',
  summary: 'test: throws an uncoded error',
  input: 'json',
  options: { properties: {} },
  result: { properties: {} },
  async handler() {
    throw new Error('secret internal detail at /srv/hmp/src/x.ts:12');
  },
};

// Health, readiness, metrics, OpenAPI, docs, request ids, and no internals in responses.
describe('operations endpoints', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, {}, { apis: [buggy] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('/healthz is live and /readyz reports workers, models, APIs and streams', async () => {
    const live = await (await fetch(`${h.url}/healthz`)).json();
    expect(live).toMatchObject({ status: 'ok', versions: { hmp: expect.any(String), node: process.versions.node } });
    const res = await fetch(`${h.url}/readyz`);
    expect(res.status).toBe(200);
    const ready = await res.json();
    expect(ready).toMatchObject({ status: 'ready', workers: { poolSize: 1, ready: 1 }, queue: { size: 0 } });
    expect(ready.apis).toEqual(expect.arrayContaining(['getImageInfo', 'buggy']));
    expect(Array.isArray(ready.models)).toBe(true);
  });

  it('an uncoded failure becomes HMP_ERR_SERVER_INTERNAL (500) with the request id and no details or stack', async () => {
    const r = await post(`${h.url}/v1/buggy`, '{}', 'application/json', { 'x-request-id': 'req-abc-123' });
    expect(r.status).toBe(500);
    expect(r.headers.get('x-request-id')).toBe('req-abc-123');
    expect(r.json).toMatchObject({ code: 'HMP_ERR_SERVER_INTERNAL', errMsg: 'buggy:fail Internal server error (request req-abc-123)' });
    const text = JSON.stringify(r.json);
    expect(text).not.toContain('secret');
    expect(text).not.toContain('.ts:');
    expect(r.json).not.toHaveProperty('stack');
  });

  it('/metrics exposes per-API latency histograms, errors by code, queue depth, restarts and streams', async () => {
    await post(`${h.url}/v1/getImageInfo`, PNG_1x1, 'image/png');
    await post(`${h.url}/v1/getImageInfo`, Buffer.from('nope'), 'application/octet-stream');
    const res = await fetch(`${h.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^hmp_api_request_duration_seconds_count\{api="getImageInfo"\} [2-9]/m);
    expect(text).toMatch(/^hmp_api_request_duration_seconds_bucket\{api="getImageInfo",le="\+Inf"\} [2-9]/m);
    expect(text).toMatch(/^hmp_api_errors_total\{api="getImageInfo",code="HMP_ERR_IMAGE_UNSUPPORTED"\} 1$/m);
    expect(text).toMatch(/^hmp_engine_task_duration_seconds_count\{task="core.decode"\} [2-9]/m);
    expect(text).toMatch(/^hmp_engine_queue_depth 0$/m);
    expect(text).toMatch(/^hmp_engine_worker_restarts_total 0$/m);
    expect(text).toContain('# TYPE hmp_streams_open gauge');
    // Every sample line is "name{labels} number".
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? -?[0-9.e+-]+$/);
  });

  it('/openapi.json documents every route with request and response schemas; /docs serves the UI offline', async () => {
    const doc = await (await fetch(`${h.url}/openapi.json`)).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/v1/getImageInfo', '/v1/scanCode', '/v1/invoke', '/v1/buggy']) {
      const op = doc.paths[p].post;
      expect(op.requestBody.content['application/json'].schema, p).toBeTruthy();
      expect(op.responses['200'], p).toBeTruthy();
      expect(op.responses['4XX'] ?? op.responses['4xx'], p).toBeTruthy();
    }
    expect(doc.paths['/v1/getImageInfo'].post.requestBody.content['application/octet-stream'].schema.format).toBe('binary');
    expect(doc.paths['/v1/stream/scan'].get.description).toContain('WebSocket');
    for (const p of ['/healthz', '/readyz', '/metrics']) expect(doc.paths[p], p).toBeTruthy();
    const ui = await fetch(`${h.url}/docs`, { redirect: 'follow' });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
    const bundle = await fetch(`${h.url}/docs/static/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('CORS is off by default', async () => {
    const r = await fetch(`${h.url}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });
});
