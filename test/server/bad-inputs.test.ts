import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../dist/src/index.js';
import { errCodeOf } from '../../dist/src/server/wx.js';
import { post, startHarness, type Harness } from './helpers.js';

// A tiny valid PNG (1x1 red, rendered with sharp): always present, no eval data needed.
const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADElEQVQImWP4z8AAAAMBAQCc479ZAAAAAElFTkSuQmCC', 'base64');
const TOKEN = 'device-one-token-0123456789';

// Each bad input gets its coded error in the wx convention, the HTTP status of the registry,
// and the server stays healthy.
describe('bad inputs get coded errors and leave the server healthy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ bodyLimit: 4096, tokens: { 'device-1': TOKEN } });
  });
  afterAll(async () => {
    await h?.close();
  });
  const auth = { authorization: `Bearer ${TOKEN}` };

  async function expectFail(res: { status: number; json: Record<string, unknown> }, api: string, code: keyof typeof ERROR_CODES, mention?: string) {
    expect(res.json.code, JSON.stringify(res.json)).toBe(code);
    expect(res.status).toBe(ERROR_CODES[code].status);
    expect(res.json.errCode).toBe(errCodeOf(code));
    expect(String(res.json.errMsg)).toMatch(new RegExp(`^${api.replace('.', '\\.')}:fail `));
    expect(res.json).not.toHaveProperty('stack');
    if (mention) expect(String(res.json.message)).toContain(mention);
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
  }

  it('control: a valid PNG succeeds', async () => {
    const r = await post(`${h.url}/v1/getImageInfo`, PNG_1x1, 'image/png', auth);
    expect(r.json).toEqual({ errMsg: 'getImageInfo:ok', width: 1, height: 1, type: 'png', format: 'rgba' });
  });

  it('missing or wrong token → HMP_ERR_SERVER_UNAUTHORIZED (401)', async () => {
    await expectFail(await post(`${h.url}/v1/getImageInfo`, PNG_1x1, 'image/png'), 'getImageInfo', 'HMP_ERR_SERVER_UNAUTHORIZED');
    await expectFail(await post(`${h.url}/v1/getImageInfo`, PNG_1x1, 'image/png', { authorization: `Bearer ${TOKEN}x` }), 'getImageInfo', 'HMP_ERR_SERVER_UNAUTHORIZED');
    await expectFail(await post(`${h.url}/v1/getImageInfo`, PNG_1x1, 'image/png', { authorization: TOKEN }), 'getImageInfo', 'HMP_ERR_SERVER_UNAUTHORIZED');
  });

  it('wrong content type → HMP_ERR_SERVER_UNSUPPORTED_MEDIA (415) naming the type', async () => {
    await expectFail(await post(`${h.url}/v1/getImageInfo`, 'hello', 'text/plain', auth), 'getImageInfo', 'HMP_ERR_SERVER_UNSUPPORTED_MEDIA', 'text/plain');
    await expectFail(await post(`${h.url}/v1/invoke`, PNG_1x1, 'image/png', auth), 'invoke', 'HMP_ERR_SERVER_UNSUPPORTED_MEDIA', 'application/json');
  });

  it('truncated image → HMP_ERR_IMAGE_CORRUPT (422)', async () => {
    await expectFail(await post(`${h.url}/v1/getImageInfo`, PNG_1x1.subarray(0, 40), 'image/png', auth), 'getImageInfo', 'HMP_ERR_IMAGE_CORRUPT', 'image');
  });

  it('non-image bytes → HMP_ERR_IMAGE_UNSUPPORTED (415); empty body → HMP_ERR_IMAGE_EMPTY', async () => {
    await expectFail(await post(`${h.url}/v1/getImageInfo`, Buffer.from('not an image at all'), 'application/octet-stream', auth), 'getImageInfo', 'HMP_ERR_IMAGE_UNSUPPORTED');
    await expectFail(await post(`${h.url}/v1/getImageInfo`, Buffer.alloc(0), 'application/octet-stream', auth), 'getImageInfo', 'HMP_ERR_IMAGE_EMPTY', 'body');
  });

  it('frame size mismatch → HMP_ERR_FRAME_SIZE (400) with the sizes; bad format → HMP_ERR_FRAME_FORMAT', async () => {
    await expectFail(await post(`${h.url}/v1/getImageInfo?width=8&height=8&format=rgba`, Buffer.alloc(100), 'application/octet-stream', auth), 'getImageInfo', 'HMP_ERR_FRAME_SIZE', '256');
    await expectFail(await post(`${h.url}/v1/getImageInfo`, Buffer.alloc(64), 'application/octet-stream; width=8; height=8; format=yuv', auth), 'getImageInfo', 'HMP_ERR_FRAME_FORMAT', 'format');
    await expectFail(await post(`${h.url}/v1/getImageInfo?width=8`, Buffer.alloc(64), 'application/octet-stream', auth), 'getImageInfo', 'HMP_ERR_SERVER_BAD_REQUEST', 'height');
  });

  it('bad JSON, bad base64, unknown and missing fields → HMP_ERR_SERVER_BAD_REQUEST (400) naming the field', async () => {
    await expectFail(await post(`${h.url}/v1/getImageInfo`, '{"image": ', 'application/json', auth), 'getImageInfo', 'HMP_ERR_SERVER_BAD_REQUEST', 'JSON');
    await expectFail(await post(`${h.url}/v1/getImageInfo`, JSON.stringify({ image: '***' }), 'application/json', auth), 'getImageInfo', 'HMP_ERR_SERVER_BAD_REQUEST', 'body.image');
    await expectFail(await post(`${h.url}/v1/getImageInfo`, JSON.stringify({ image: 'AAAA', colour: 1 }), 'application/json', auth), 'getImageInfo', 'HMP_ERR_SERVER_BAD_REQUEST', 'colour');
    await expectFail(await post(`${h.url}/v1/getImageInfo`, JSON.stringify({}), 'application/json', auth), 'getImageInfo', 'HMP_ERR_SERVER_BAD_REQUEST', 'image');
    await expectFail(await post(`${h.url}/v1/invoke`, JSON.stringify({ command: 'getImageInfo', data: '{oops' }), 'application/json', auth), 'getImageInfo', 'HMP_ERR_SERVER_BAD_REQUEST', 'data');
    await expectFail(await post(`${h.url}/v1/invoke`, JSON.stringify({ command: 'getImageInfo', data: { image: 'AAAA', x: 1 } }), 'application/json', auth), 'getImageInfo', 'HMP_ERR_SERVER_BAD_REQUEST', '(x)');
  });

  it('unknown command → HMP_ERR_SERVER_COMMAND_UNKNOWN (404) listing the commands; unknown route → HMP_ERR_SERVER_NOT_FOUND', async () => {
    await expectFail(await post(`${h.url}/v1/invoke`, JSON.stringify({ command: 'teleport', data: '{}' }), 'application/json', auth), 'invoke', 'HMP_ERR_SERVER_COMMAND_UNKNOWN', 'getImageInfo');
    const r = await fetch(`${h.url}/v1/teleport`, { method: 'POST', headers: auth });
    await expectFail({ status: r.status, json: await r.json() }, 'request', 'HMP_ERR_SERVER_NOT_FOUND', '/v1/teleport');
  });

  it('oversize body → HMP_ERR_SERVER_BODY_TOO_LARGE (413) with the limit, binary and JSON', async () => {
    await expectFail(await post(`${h.url}/v1/getImageInfo`, Buffer.alloc(5000), 'application/octet-stream', auth), 'getImageInfo', 'HMP_ERR_SERVER_BODY_TOO_LARGE', '4096');
    await expectFail(await post(`${h.url}/v1/getImageInfo`, JSON.stringify({ image: 'A'.repeat(5000) }), 'application/json', auth), 'getImageInfo', 'HMP_ERR_SERVER_BODY_TOO_LARGE', '4096');
  });

  it('a bad deadline header is refused; the server still answers real work afterwards', async () => {
    await expectFail(await post(`${h.url}/v1/getImageInfo`, PNG_1x1, 'image/png', { ...auth, 'x-hmp-timeout-ms': '-5' }), 'getImageInfo', 'HMP_ERR_SERVER_BAD_REQUEST', 'x-hmp-timeout-ms');
    const r = await post(`${h.url}/v1/getImageInfo`, PNG_1x1, 'image/png', auth);
    expect(r.status).toBe(200);
    const ready = await (await fetch(`${h.url}/readyz`)).json();
    expect(ready.status).toBe('ready');
  });
});
