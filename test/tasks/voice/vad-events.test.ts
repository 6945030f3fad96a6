import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, processVoiceFile, parseWav, type VoiceEvent } from '../../../dist/src/index.js';
import { ESPEAK_SKIP, HAS_ESPEAK, HAS_SOX, scene, soxRate } from './helpers.js';

type Ev<T extends VoiceEvent['type']> = Extract<VoiceEvent, { type: T }>;
const of = <T extends VoiceEvent['type']>(ev: VoiceEvent[], t: T) => ev.filter((e): e is Ev<T> => e.type === t);

describe.skipIf(!HAS_ESPEAK)('voice activity events on synthesised speech', () => {
  if (!HAS_ESPEAK) console.warn(ESPEAK_SKIP);
  let engine: Engine;
  let s: Awaited<ReturnType<typeof scene>>;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
    // A short word, a sentence and a greeting with pauses between them (held-out voice en-us+m6).
    s = await scene([{ at: 0.6, text: 'stop' }, { at: 2.4, text: 'where is the toilet please' }, { at: 5.6, text: 'hello' }], 'en-us', 'm6', 7.5);
  });
  afterAll(() => engine.dispose());

  it('one speechStart/speechEnd pair per utterance, timed in stream seconds, short words included', async () => {
    const ev = await processVoiceFile(engine, s.wav, { profile: null });
    const starts = of(ev, 'speechStart');
    const ends = of(ev, 'speechEnd');
    expect(starts.length).toBe(3);
    expect(ends.length).toBe(3);
    s.placements.forEach((p, i) => {
      // Silero needs a frame or few to pick up a soft onset such as the /s/ of "stop".
      expect(starts[i]!.t - p.start).toBeGreaterThan(-0.05);
      expect(starts[i]!.t - p.start).toBeLessThan(0.15);
      expect(Math.abs(ends[i]!.t - p.end)).toBeLessThan(0.15);
      expect(ends[i]!.start).toBe(starts[i]!.t);
      expect(ends[i]!.forced).toBe(false);
    });
  });

  it('the utterance is a 16 kHz WAV with 320 ms pre-roll and 160 ms post-roll', async () => {
    const ev = await processVoiceFile(engine, s.wav, { profile: null });
    const end = of(ev, 'speechEnd')[1]!;
    const w = parseWav(end.audio);
    expect(w.sampleRate).toBe(16000);
    expect(end.audioStart).toBeCloseTo(end.start - 0.32, 3);
    expect(w.pcm.length / 2 / 16000).toBeCloseTo(end.t + 0.16 - end.audioStart, 3);
    // It holds the right audio: identical to the input samples at that position.
    const at = Math.round(end.audioStart * 16000);
    const got = new Int16Array(new Uint8Array(w.pcm).buffer);
    expect(Array.from(got.subarray(0, 400))).toEqual(Array.from(s.samples.subarray(at, at + 400)));
  });

  it('events do not depend on how the stream is chunked', async () => {
    const a = await processVoiceFile(engine, s.wav, { profile: null, chunkMs: 1000 });
    const b = await processVoiceFile(engine, s.wav, { profile: null, chunkMs: 37 });
    const strip = (ev: VoiceEvent[]) => ev.map((e) => ({ ...e, audio: e.type === 'speechEnd' ? e.audio.length : undefined }));
    expect(strip(b)).toEqual(strip(a));
  });

  it('minimum speech duration, end delay and forced end for over-long speech', async () => {
    // The sentence lasts ~1.5 s: a 600 ms cap ends it (forced) and speech that goes on starts anew.
    const forced = await processVoiceFile(engine, s.wav, { profile: null, vad: { maxSpeechMs: 600 } });
    const f = of(forced, 'speechEnd').filter((e) => e.forced);
    expect(f.length).toBeGreaterThanOrEqual(1);
    expect(f[0]!.t - f[0]!.start).toBeCloseTo(0.6, 1);
    expect(of(forced, 'speechStart').length).toBeGreaterThan(3);
    // A minimum speech duration longer than "stop" suppresses it entirely (no start, no end).
    const strict = await processVoiceFile(engine, s.wav, { profile: null, vad: { minSpeechMs: 600 } });
    // (The sentence's word gaps reset the count, so its start comes later than 2.4 s.)
    const st = of(strict, 'speechStart');
    expect(st.length).toBe(1);
    expect(st[0]!.t).toBeGreaterThan(2.4);
    expect(st[0]!.t).toBeLessThan(3.5);
    // A long end delay merges nothing here (pauses are > 1 s) but delays nothing in t either.
    const slow = await processVoiceFile(engine, s.wav, { profile: null, vad: { endDelayMs: 1000 } });
    expect(of(slow, 'speechEnd').map((e) => e.t)).toEqual(of(await processVoiceFile(engine, s.wav, { profile: null }), 'speechEnd').map((e) => e.t));
  });

  it.skipIf(!HAS_SOX)('8 kHz and 44.1 kHz input give the same events within a frame', async () => {
    const ref = await processVoiceFile(engine, s.wav, { profile: null });
    for (const rate of [8000, 44100]) {
      const ev = await processVoiceFile(engine, soxRate(s.wav, rate), { profile: null });
      expect(ev.map((e) => e.type)).toEqual(ref.map((e) => e.type));
      ev.forEach((e, i) => expect(Math.abs(e.t - ref[i]!.t)).toBeLessThanOrEqual(0.1));
    }
  });
});
