import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HmpClient, type StreamEvent } from '../../dist/src/client/index.js';
import { startHarness, type Harness } from './helpers.js';

// Real speech rendered by espeak-ng (Debian package espeak-ng, also used by the voice
// capability's synthetic training data); skipped where it is not installed.
const ESPEAK = ['/usr/bin/espeak-ng', '/usr/local/bin/espeak-ng'].find((p) => existsSync(p));

function speech(text: string): { rate: number; pcm: Buffer } {
  const file = join(mkdtempSync(join(tmpdir(), 'hmp-voice-')), 'speech.wav');
  execFileSync(ESPEAK!, ['-w', file, text]);
  const wav = readFileSync(file);
  // espeak-ng writes a canonical 44-byte header: PCM16 mono.
  expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
  expect(wav.readUInt16LE(22)).toBe(1);
  expect(wav.readUInt16LE(34)).toBe(16);
  return { rate: wav.readUInt32LE(24), pcm: wav.subarray(44) };
}

describe.skipIf(!ESPEAK)('voice stream on rendered speech (needs espeak-ng)', () => {
  let h: Harness;
  let hmp: HmpClient;
  beforeAll(async () => {
    h = await startHarness();
    hmp = new HmpClient({ baseUrl: h.url });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('reports speechStart and speechEnd with the utterance as a WAV, every chunk processed in order', async () => {
    const { rate, pcm } = speech('hello, please stop the treadmill now');
    const events: StreamEvent[] = [];
    let onEnd!: () => void;
    const ended = new Promise<void>((r) => (onEnd = r));
    const s = await hmp.stream('voice', { sampleRate: rate, vadOnly: true }, (ev) => {
      events.push(ev);
      if (ev.type === 'speechEnd') onEnd();
    });
    const silence = Buffer.alloc(rate); // 0.5 s
    const chunks = [silence];
    for (let i = 0; i < pcm.length; i += rate / 5) chunks.push(pcm.subarray(i, Math.min(pcm.length, i + rate / 5)));
    chunks.push(silence, silence);
    for (const c of chunks) s.send(c);
    await ended;
    const start = events.find((e) => e.type === 'speechStart')!;
    const end = events.find((e) => e.type === 'speechEnd')!;
    expect(start.t as number).toBeGreaterThan(0.3);
    expect(end.start).toBe(start.t);
    expect(end.t as number).toBeGreaterThan(start.t as number);
    const wav = Buffer.from(end.audio as string, 'base64');
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(16000);
    // Audio is never dropped: events carry dropped 0 and increasing seq.
    for (const e of events.filter((x) => x.seq !== undefined)) expect(e.dropped).toBe(0);
    s.close();
    await s.closed;
  });

  it('an odd-length chunk is a coded error event; flush ends speech in progress', async () => {
    const { rate, pcm } = speech('good morning');
    const events: StreamEvent[] = [];
    const waiters: [(e: StreamEvent) => boolean, () => void][] = [];
    const s = await hmp.stream('voice', { sampleRate: rate, vadOnly: true, endDelayMs: 5000 }, (ev) => {
      events.push(ev);
      for (const [p, r] of waiters) if (p(ev)) r();
    });
    const when = (p: (e: StreamEvent) => boolean) => (events.some(p) ? Promise.resolve() : new Promise<void>((r) => waiters.push([p, r])));
    s.send(Buffer.alloc(3));
    await when((e) => e.type === 'error');
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'HMP_ERR_VOICE_PCM_ODD', seq: 1, errMsg: expect.stringMatching(/^stream.voice:fail /) });
    s.send(Buffer.alloc(rate / 2));
    s.send(pcm);
    await when((e) => e.type === 'speechStart');
    // endDelayMs 5000: the utterance only ends when the client flushes.
    s.control({ type: 'flush' });
    await when((e) => e.type === 'speechEnd');
    expect(events.find((e) => e.type === 'speechEnd')).toMatchObject({ forced: false });
    s.close();
    await s.closed;
  });

  it('refuses a stream without sampleRate (HTTP 400, HMP_ERR_SERVER_BAD_REQUEST)', async () => {
    await expect(hmp.stream('voice', {}, () => {})).rejects.toMatchObject({ code: 'HMP_ERR_SERVER_BAD_REQUEST', status: 400 });
  });
});
