import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startHarness, type Harness } from './helpers.js';

const ESPEAK = ['/usr/bin/espeak-ng', '/usr/local/bin/espeak-ng'].find((p) => existsSync(p));
const json = 'application/json';

describe.skipIf(!ESPEAK)('voice sessions over HTTP on rendered speech (needs espeak-ng)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('create → pushAudio (binary and base64 JSON) → flush → close', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hmp-voice-')), 'speech.wav');
    execFileSync(ESPEAK!, ['-w', file, 'turn on the lights please']);
    const wav = readFileSync(file);
    const rate = wav.readUInt32LE(24);
    const pcm = wav.subarray(44);
    const created = await post(`${h.url}/v1/voice/createSession`, JSON.stringify({ id: 'mic-1', sampleRate: rate, vadOnly: true }), json);
    expect(created.json).toEqual({ errMsg: 'voice.createSession:ok', session: 'mic-1', sampleRate: rate, profile: null });

    const events: { type: string; t: number; audio?: string }[] = [];
    const silence = Buffer.alloc(rate);
    const first = await post(`${h.url}/v1/voice/pushAudio?session=mic-1`, silence, 'application/octet-stream');
    expect(first.json).toMatchObject({ errMsg: 'voice.pushAudio:ok', events: [], t: 0.5 });
    for (let i = 0; i < pcm.length; i += rate) {
      const chunk = pcm.subarray(i, Math.min(pcm.length, i + rate));
      // Alternate the two body shapes: both reach the same session in order.
      const r = (i / rate) % 2 === 0
        ? await post(`${h.url}/v1/voice/pushAudio?session=mic-1`, chunk, 'application/octet-stream')
        : await post(`${h.url}/v1/invoke`, JSON.stringify({ command: 'voice.pushAudio', data: { session: 'mic-1', audio: chunk.toString('base64') } }), json);
      expect(r.status).toBe(200);
      events.push(...(r.json.events as typeof events));
    }
    const flushed = await post(`${h.url}/v1/voice/flush`, JSON.stringify({ session: 'mic-1' }), json);
    events.push(...(flushed.json.events as typeof events));
    expect(events.map((e) => e.type)).toEqual(['speechStart', 'speechEnd']);
    expect(Buffer.from(events[1]!.audio!, 'base64').toString('ascii', 0, 4)).toBe('RIFF');

    const closed = await post(`${h.url}/v1/voice/closeSession`, JSON.stringify({ session: 'mic-1' }), json);
    expect(closed.json).toMatchObject({ errMsg: 'voice.closeSession:ok', session: 'mic-1' });
    expect(closed.json.t as number).toBeCloseTo(0.5 + pcm.length / 2 / rate, 3);
    const gone = await post(`${h.url}/v1/voice/pushAudio?session=mic-1`, silence, 'application/octet-stream');
    expect(gone.json).toMatchObject({ code: 'HMP_ERR_SERVER_SESSION_UNKNOWN' });
  });

  it('refuses wrong media types and bad session options with coded errors', async () => {
    const png = await post(`${h.url}/v1/voice/pushAudio?session=x`, Buffer.from([0x89, 0x50]), 'image/png');
    expect(png.status).toBe(415);
    expect(png.json).toMatchObject({ code: 'HMP_ERR_SERVER_UNSUPPORTED_MEDIA', message: expect.stringContaining('octet-stream') });
    const rate = await post(`${h.url}/v1/voice/createSession`, JSON.stringify({ sampleRate: 4000 }), json);
    expect(rate.json).toMatchObject({ code: 'HMP_ERR_SERVER_BAD_REQUEST', message: expect.stringContaining('sampleRate') });
    const th = await post(`${h.url}/v1/voice/createSession`, JSON.stringify({ sampleRate: 16000, phraseThreshold: 0.2 }), json);
    expect(th.json).toMatchObject({ code: 'HMP_ERR_SERVER_BAD_REQUEST', message: expect.stringContaining('phraseThreshold') });
    const ok = await post(`${h.url}/v1/voice/createSession`, JSON.stringify({ id: 'strict', sampleRate: 16000, phraseThreshold: 0.999, patience: 3, isolatedCommands: true }), json);
    expect(ok.json).toMatchObject({ errMsg: 'voice.createSession:ok', session: 'strict' });
    await post(`${h.url}/v1/voice/createSession`, JSON.stringify({ id: 'odd', sampleRate: 16000, vadOnly: true }), json);
    const odd = await post(`${h.url}/v1/voice/pushAudio?session=odd`, Buffer.alloc(3), 'application/octet-stream');
    expect(odd.json).toMatchObject({ code: 'HMP_ERR_VOICE_PCM_ODD' });
  });
});
