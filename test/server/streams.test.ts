import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import sharp from 'sharp';
import type { StreamDef } from '../../dist/src/server/jsapi.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EVAL, HAS_EVAL } from '../helpers.js';
import { startHarness, zxingSample, type Harness } from './helpers.js';

/** A gate the test opens: the stream's handler waits on it (event sync, no sleeps). */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

let entered = gate();
let hold = gate();
// Camera stream over engine.decode whose push waits for the test's gate.
const gatedFrames: StreamDef = {
  name: 'stream.testFrames',
  path: 'test-frames',
  summary: 'test: decodes frames, waiting on a gate',
  input: 'image',
  options: { properties: {} },
  open: ({ engine, signal }) => ({
    async push(input) {
      if (input.kind !== 'image') return;
      entered.open();
      await hold.p;
      const img = await engine.decode(input.image, { signal });
      return { type: 'frame', width: img.width, height: img.height, format: img.format };
    },
    close() {},
  }),
};
const gatedAudio: StreamDef = {
  name: 'stream.testAudio',
  path: 'test-audio',
  summary: 'test: audio chunks, waiting on a gate',
  input: 'audio',
  options: { properties: {} },
  open: () => ({
    async push(input) {
      entered.open();
      await hold.p;
      return { type: 'chunk', bytes: input.kind === 'audio' ? input.data.length : 0 };
    },
    close() {},
  }),
};

interface Conn {
  ws: WebSocket;
  events: Record<string, unknown>[];
  next(pred: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  closed: Promise<number>;
}

function connect(url: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const events: Record<string, unknown>[] = [];
    const waiters: { pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
    let seen = 0;
    const conn: Conn = {
      ws,
      events,
      next(pred) {
        // Events are consumed in order: each call looks only at events after the last match.
        for (let i = seen; i < events.length; i++) {
          if (pred(events[i]!)) {
            seen = i + 1;
            return Promise.resolve(events[i]!);
          }
        }
        return new Promise((r) => waiters.push({ pred, resolve: r }));
      },
      closed: new Promise((r) => ws.on('close', (code) => r(code))),
    };
    ws.on('message', (d: Buffer) => {
      const ev = JSON.parse(d.toString());
      events.push(ev);
      for (const w of [...waiters]) {
        if (w.pred(ev)) {
          waiters.splice(waiters.indexOf(w), 1);
          seen = events.length;
          w.resolve(ev);
        }
      }
      if (ev.type === 'ready') resolve(conn);
    });
    ws.on('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

async function metric(url: string, re: RegExp): Promise<number> {
  const m = re.exec(await (await fetch(`${url}/metrics`)).text());
  return m ? Number(m[1]) : 0;
}

describe('WebSocket streams: backpressure, errors, control messages', () => {
  let h: Harness;
  let ws: string;
  beforeAll(async () => {
    h = await startHarness({ streamAudioQueue: 2 }, {}, { streams: [gatedFrames, gatedAudio] });
    ws = h.url.replace('http', 'ws');
  });
  afterAll(async () => {
    hold.open();
    await h?.close();
  });

  it('camera frames: while one is processed only the newest waits; stale frames are dropped and counted', async () => {
    entered = gate();
    hold = gate();
    const c = await connect(`${ws}/v1/stream/test-frames?width=4&height=2&format=gray`);
    const frame = (v: number) => Buffer.alloc(8, v);
    c.ws.send(frame(1));
    await entered.p; // frame 1 is being processed and held
    for (let i = 2; i <= 10; i++) c.ws.send(frame(i));
    // Frames 2..9 were replaced by newer ones: wait until the server has counted them.
    for (let i = 0; i < 500 && (await metric(h.url, /hmp_stream_inputs_total\{stream="stream.testFrames",outcome="dropped"\} (\d+)/)) < 8; i++);
    hold.open();
    const first = await c.next((e) => e.type === 'frame');
    expect(first).toMatchObject({ seq: 1, dropped: 0, width: 4, height: 2, format: 'gray' });
    const last = await c.next((e) => e.type === 'frame');
    expect(last).toMatchObject({ seq: 10, dropped: 8 });
    expect(c.events.filter((e) => e.type === 'frame')).toHaveLength(2);
    c.ws.close();
    expect(await c.closed).toBe(1005);
  });

  it('a bad frame yields a coded error event with its seq and the stream goes on; config changes geometry', async () => {
    hold.open();
    const c = await connect(`${ws}/v1/stream/test-frames?width=4&height=2&format=gray`);
    c.ws.send(Buffer.alloc(5));
    const err = await c.next((e) => e.type === 'error');
    expect(err).toMatchObject({ seq: 1, code: 'HMP_ERR_FRAME_SIZE', errMsg: expect.stringMatching(/^stream.testFrames:fail Frame image.data has 5 bytes/) });
    c.ws.send(JSON.stringify({ type: 'config', width: 2, height: 2, format: 'rgba' }));
    await c.next((e) => e.type === 'config');
    c.ws.send(Buffer.alloc(16));
    expect(await c.next((e) => e.type === 'frame')).toMatchObject({ seq: 2, width: 2, height: 2, format: 'rgba' });
    c.ws.send('not json');
    expect(await c.next((e) => e.type === 'error')).toMatchObject({ code: 'HMP_ERR_SERVER_STREAM_MESSAGE' });
    c.ws.send(JSON.stringify({ type: 'config', colour: 'red' }));
    expect(await c.next((e) => e.type === 'error')).toMatchObject({ code: 'HMP_ERR_SERVER_STREAM_MESSAGE', message: expect.stringContaining('colour') });
    const png = await sharp({ create: { width: 3, height: 5, channels: 3, background: 'blue' } }).png().toBuffer();
    c.ws.send(JSON.stringify({ type: 'config' })); // back to encoded images
    await c.next((e) => e.type === 'config');
    c.ws.send(png);
    expect(await c.next((e) => e.type === 'frame')).toMatchObject({ width: 3, height: 5, format: 'rgba' });
    c.ws.close();
    await c.closed;
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('a bad query refuses the upgrade with HMP_ERR_SERVER_BAD_REQUEST', async () => {
    await expect(connect(`${ws}/v1/stream/test-frames?width=abc`)).rejects.toThrow('HTTP 400');
    await expect(connect(`${ws}/v1/stream/test-frames?bogus=1`)).rejects.toThrow('HTTP 400');
  });

  it('audio: nothing is dropped; beyond the bounded queue the stream overflows with HMP_ERR_SERVER_STREAM_OVERFLOW and closes', async () => {
    entered = gate();
    hold = gate();
    const c = await connect(`${ws}/v1/stream/test-audio`);
    c.ws.send(Buffer.alloc(10));
    await entered.p;
    for (let i = 0; i < 3; i++) c.ws.send(Buffer.alloc(10)); // queue holds 2; the third overflows
    const err = await c.next((e) => e.type === 'error');
    expect(err).toMatchObject({ code: 'HMP_ERR_SERVER_STREAM_OVERFLOW', seq: 4, retryable: true });
    expect(await c.closed).toBe(1013);
    hold.open();
  });

  it('stream counts appear in /metrics', async () => {
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toMatch(/^hmp_streams_total\{stream="stream.testFrames"\} [2-9]/m);
    expect(text).toMatch(/^hmp_streams_open\{stream="stream.testFrames"\} 0$/m);
  });
});

describe.skipIf(!HAS_EVAL)('scan stream on real frames (needs ../shared/eval)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('reports a QR code once per sighting across raw rgba frames', async () => {
    const s = zxingSample('qrcode-1', '1');
    const { data, info } = await sharp(s.image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const c = await connect(`${h.url.replace('http', 'ws')}/v1/stream/scan?width=${info.width}&height=${info.height}&format=rgba&formats=QRCode&dedupeMs=60000`);
    c.ws.send(data);
    const first = await c.next((e) => e.type === 'scan');
    expect(first).toMatchObject({ seq: 1, found: 1 });
    expect((first.newCodes as { text: string }[])[0]!.text).toBe(s.text);
    c.ws.send(data);
    const second = await c.next((e) => e.type === 'scan');
    expect(second).toMatchObject({ seq: 2, found: 1, newCodes: [] });
    c.ws.close();
    await c.closed;
  });

  it('tracks a face across frames with a stable track id', async () => {
    const dir = join(EVAL, 'faces', 'utkface-200', 'images');
    const jpg = readFileSync(join(dir, readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort()[0]!));
    const c = await connect(`${h.url.replace('http', 'ws')}/v1/stream/faces?maxFaces=1`);
    c.ws.send(jpg);
    const a = await c.next((e) => e.type === 'faces');
    c.ws.send(jpg);
    const b = await c.next((e) => e.type === 'faces');
    const fa = a.faces as { trackId: number }[];
    const fb = b.faces as { trackId: number }[];
    expect(fa).toHaveLength(1);
    expect(fb).toHaveLength(1);
    expect(fb[0]!.trackId).toBe(fa[0]!.trackId);
    expect((b.tracks as { frames: number }[])[0]!.frames).toBe(2);
    c.ws.close();
    await c.closed;
  });
});
