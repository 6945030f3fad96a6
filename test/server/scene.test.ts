import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EVAL, HAS_EVAL } from '../helpers.js';
import { post, startHarness, type Harness } from './helpers.js';

/** Frames of one video of the CCTV fire/smoke set, in frame order. */
function frames(group: string, n: number): Buffer[] {
  const dir = join(EVAL, 'scene', 'cctv-fire-smoke');
  const rows = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const files = rows.filter((r) => r[5] === group).map((r) => r[0]!);
  const idx = (f: string) => Number(/-(\d+)_jpg/.exec(f)?.[1] ?? 0);
  return files.sort((a, b) => idx(a) - idx(b)).slice(0, n).map((f) => readFileSync(join(dir, f)));
}

function streamOnce(url: string, frame: Buffer): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('message', (d: Buffer) => {
      const ev = JSON.parse(d.toString());
      if (ev.type === 'ready') ws.send(frame);
      else {
        ws.close();
        resolve(ev);
      }
    });
    ws.on('error', reject);
  });
}

const json = 'application/json';

describe.skipIf(!HAS_EVAL)('scene sessions over HTTP and WebSocket (needs ../shared/eval)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('create → push frames → attach a stream → close; ids are unique while open', async () => {
    const video = frames('fire2_mp4', 4);
    expect(video).toHaveLength(4);
    const created = await post(`${h.url}/v1/scene/createSession`, JSON.stringify({ id: 'cam-1', rules: { fire: { raiseAfterMs: 1000 } } }), json);
    expect(created.json).toMatchObject({ errMsg: 'scene.createSession:ok', session: 'cam-1', width: expect.any(Number), rules: { fire: { raiseAfterMs: 1000 } } });
    const again = await post(`${h.url}/v1/scene/createSession`, JSON.stringify({ id: 'cam-1' }), json);
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('HMP_ERR_SERVER_SESSION_EXISTS');

    for (let i = 0; i < 3; i++) {
      const r = await post(`${h.url}/v1/scene/pushFrame?session=cam-1&timestamp=${i * 500}`, video[i]!, 'image/jpeg');
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ errMsg: 'scene.pushFrame:ok', session: 'cam-1', frame: i + 1, timestamp: i * 500, events: expect.any(Array) });
      const scores = r.json.scores as { fire: number; smoke: number };
      for (const v of [scores.fire, scores.smoke]) expect(v >= 0 && v <= 1).toBe(true);
    }
    // Timestamps must increase: the session's own coded error comes through.
    const stale = await post(`${h.url}/v1/scene/pushFrame?session=cam-1&timestamp=10`, video[3]!, 'image/jpeg');
    expect(stale.json.code).toBe('HMP_ERR_SCENE_TIMESTAMP');

    // A stream with the same id attaches to the open session and continues its frame count.
    const ev = await streamOnce(`${h.url.replace('http', 'ws')}/v1/stream/scene/cam-1`, video[3]!);
    expect(ev).toMatchObject({ type: 'scene', session: 'cam-1', frame: 4, seq: 1, dropped: 0 });

    const closed = await post(`${h.url}/v1/invoke`, JSON.stringify({ command: 'scene.closeSession', data: JSON.stringify({ session: 'cam-1' }) }), json);
    expect(closed.json).toEqual({ errMsg: 'scene.closeSession:ok', session: 'cam-1', frames: 4 });
    const gone = await post(`${h.url}/v1/scene/pushFrame?session=cam-1`, video[0]!, 'image/jpeg');
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ code: 'HMP_ERR_SERVER_SESSION_UNKNOWN', errMsg: expect.stringContaining('cam-1') });
  });

  it('a stream to an unknown id opens a session that lives as long as the connection', async () => {
    const [f] = frames('fire2_mp4', 1);
    const ev = await streamOnce(`${h.url.replace('http', 'ws')}/v1/stream/scene/ephemeral?snapshot=false`, f!);
    expect(ev).toMatchObject({ type: 'scene', session: 'ephemeral', frame: 1 });
    // The server closes it when the socket closes (asynchronously): bounded wait for that state.
    let status = 0;
    for (let i = 0; i < 100 && status !== 404; i++) status = (await post(`${h.url}/v1/scene/closeSession`, JSON.stringify({ session: 'ephemeral' }), json)).status;
    expect(status).toBe(404);
  });

  it('bad session requests get coded errors', async () => {
    const bad = await post(`${h.url}/v1/scene/createSession`, JSON.stringify({ id: 'has space' }), json);
    expect(bad.json).toMatchObject({ code: 'HMP_ERR_SERVER_BAD_REQUEST', message: expect.stringContaining('body/id') });
    const rule = await post(`${h.url}/v1/scene/createSession`, JSON.stringify({ rules: { flood: {} } }), json);
    expect(rule.json).toMatchObject({ code: 'HMP_ERR_SERVER_BAD_REQUEST', message: expect.stringContaining('flood') });
    const missing = await post(`${h.url}/v1/scene/pushFrame`, Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg');
    expect(missing.json).toMatchObject({ code: 'HMP_ERR_SERVER_BAD_REQUEST', message: expect.stringContaining('session') });
  });
});
