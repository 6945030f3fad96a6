import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HmpClient, HmpRemoteError, nodeTransport, wxTransport, type StreamEvent, type WxLike } from '../../dist/src/client/index.js';
import { HAS_EVAL } from '../helpers.js';
import { startHarness, zxingSample, type Harness } from './helpers.js';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADElEQVQImWP4z8AAAAMBAQCc479ZAAAAAElFTkSuQmCC', 'base64');
const TOKEN = 'client-test-token-0123456789';

/**
 * A `wx` object with the mini-program's request/connectSocket contract, implemented on Node's
 * fetch and ws, so the wx transport's mapping is exercised against the real server.
 */
function wxOnNode(): WxLike {
  return {
    request(o) {
      void (async () => {
        try {
          const res = await fetch(o.url, { method: o.method, headers: o.header, body: o.data as ArrayBuffer | string | undefined });
          const text = await res.text();
          o.success({ statusCode: res.status, data: o.dataType === 'json' ? JSON.parse(text) : text });
        } catch (err) {
          o.fail({ errMsg: `request:fail ${(err as Error).message}` });
        }
      })();
    },
    connectSocket(o) {
      const ws = new WebSocket(o.url, { headers: o.header });
      return {
        send: ({ data }) => ws.send(data),
        close: ({ code, reason }) => ws.close(code, reason),
        onOpen: (cb) => void ws.on('open', cb),
        onMessage: (cb) => void ws.on('message', (d: Buffer, bin: boolean) => cb({ data: bin ? d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) : d.toString() })),
        onClose: (cb) => void ws.on('close', (code: number, reason: Buffer) => cb({ code, reason: reason.toString() })),
        onError: (cb) => void ws.on('error', (e: Error) => cb({ errMsg: e.message })),
      };
    },
  };
}

describe.each([
  ['node transport', () => nodeTransport()],
  ['wx transport', () => wxTransport(wxOnNode())],
])('HmpClient over the %s', (_name, transport) => {
  let h: Harness;
  let hmp: HmpClient;
  beforeAll(async () => {
    h = await startHarness({ tokens: { kiosk: TOKEN } });
    hmp = new HmpClient({ baseUrl: h.url, token: TOKEN, transport: transport() });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('calls JSAPIs with encoded images, raw frames and the Invoke Channel shape', async () => {
    expect(await hmp.getImageInfo(PNG_1x1)).toEqual({ errMsg: 'getImageInfo:ok', width: 1, height: 1, type: 'png', format: 'rgba' });
    const frame = { data: new Uint8Array(6 * 4 * 3), width: 6, height: 4, format: 'rgb' as const };
    expect(await hmp.getImageInfo(frame)).toMatchObject({ width: 6, height: 4, type: 'raw', format: 'rgb' });
    expect(await hmp.getImageInfo(frame, { json: true })).toMatchObject({ width: 6, height: 4, type: 'raw' });
    const viaInvoke = await hmp.invoke('getImageInfo', JSON.stringify({ image: PNG_1x1.toString('base64') }));
    expect(viaInvoke).toMatchObject({ errMsg: 'getImageInfo:ok', width: 1 });
    expect((await hmp.ready()).status).toBe('ready');
  });

  it('rejects with HmpRemoteError carrying code, errCode, errMsg and status', async () => {
    const err = await hmp.getImageInfo({ data: new Uint8Array(10), width: 6, height: 4, format: 'rgb' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HmpRemoteError);
    expect(err).toMatchObject({ code: 'HMP_ERR_FRAME_SIZE', status: 400, errMsg: expect.stringMatching(/^getImageInfo:fail /), errCode: expect.any(Number) });
    const anon = new HmpClient({ baseUrl: h.url, transport: transport() });
    await expect(anon.getImageInfo(PNG_1x1)).rejects.toMatchObject({ code: 'HMP_ERR_SERVER_UNAUTHORIZED', status: 401 });
    await expect(hmp.invoke('nope')).rejects.toMatchObject({ code: 'HMP_ERR_SERVER_COMMAND_UNKNOWN' });
  });

  it('streams frames and receives events', async () => {
    const events: StreamEvent[] = [];
    let notify: (() => void) | undefined;
    const s = await hmp.stream('scan', { width: 8, height: 8, format: 'gray' }, (ev) => {
      events.push(ev);
      notify?.();
    });
    const got = new Promise<void>((r) => (notify = () => events.some((e) => e.type === 'scan') && r()));
    s.send(new Uint8Array(64));
    await got;
    expect(events.find((e) => e.type === 'scan')).toMatchObject({ seq: 1, newCodes: [], found: 0 });
    s.close();
    expect((await s.closed).code).toBe(1000);
  });

  it.skipIf(!HAS_EVAL)('scanCode with options in the query (binary) and as JSON (roi object)', async () => {
    const q = zxingSample('qrcode-1', '1');
    expect((await hmp.scanCode(q.image, { formats: ['QRCode'] })).result).toBe(q.text);
    expect((await hmp.scanCode(q.image, { roi: { x: 0, y: 0, width: 1, height: 1 } })).result).toBe(q.text);
  });
});
