/**
 * Training speech (src/tasks/voice/synth.ts, train.ts): Mandarin is spoken as Mandarin, and the
 * vocal-tract warp that makes voices espeak-ng does not have, measured on real espeak-ng output.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../../dist/src/tasks/voice/default-config.js';
import { MANDARIN_VOICE, rms, rng, speak, ZH_WORDS } from '../../../dist/src/tasks/voice/synth.js';
import { avoidList, contextRendering, EVAL_SPEAKERS, randomSpeaker, speechBed, TRAIN_SPEAKERS } from '../../../dist/src/tasks/voice/train.js';
import { ESPEAK_SKIP, HAS_ESPEAK } from './helpers.js';

/** Median pitch (Hz) of the voiced 40 ms frames: normalised autocorrelation peak over 50-400 Hz. */
function medianPitch(x: Float32Array): number {
  const F = 640;
  const f0: number[] = [];
  for (let s = 0; s + F + 320 < x.length; s += 320) {
    let e = 0;
    for (let i = 0; i < F; i++) e += x[s + i]! ** 2;
    if (e / F < 1e5) continue;
    let best = 0;
    let lag0 = 0;
    for (let lag = 40; lag <= 320; lag++) {
      let c = 0;
      let e2 = 0;
      for (let i = 0; i < F; i++) {
        c += x[s + i]! * x[s + i + lag]!;
        e2 += x[s + i + lag]! ** 2;
      }
      const v = c / Math.sqrt(e * e2 + 1e-9);
      if (v > best) [best, lag0] = [v, lag];
    }
    if (best > 0.8) f0.push(16000 / lag0);
  }
  f0.sort((a, b) => a - b);
  return f0[f0.length >> 1]!;
}

describe.skipIf(!HAS_ESPEAK)('voice synthesis: Mandarin', () => {
  if (!HAS_ESPEAK) console.warn(ESPEAK_SKIP);

  it('the Mandarin voice reads every word the training speaks as Mandarin: one toned syllable per character, no switch to English', () => {
    const texts = [
      ...ZH_WORDS,
      ...DEFAULT_TRAIN_CONFIG.phrases.filter((p) => p.lang === 'cmn').map((p) => p.text),
      ...(DEFAULT_TRAIN_CONFIG.confusables ?? []).filter((p) => p.lang === 'cmn').map((p) => p.text),
    ];
    // espeak-ng's phoneme mnemonics, one line per paragraph, a tone contour (digits) per
    // syllable: 今天 → "tS;'i55n_| th'iE55n_|". The `cmn` voice reads 今天 as English
    // "(en)dZI55nw'055n_| tja55nw'055n_|" ("jin one tian one").
    const lines = execFileSync('espeak-ng', ['-v', MANDARIN_VOICE, '-q', '-x', texts.join('\n\n')]).toString().trim().split('\n');
    expect(lines).toHaveLength(texts.length);
    const bad = texts.filter((t, i) => /\(en\)/.test(lines[i]!) || (lines[i]!.match(/\d+/g) ?? []).length !== [...t].length);
    expect(bad).toEqual([]);
    // The syllables are the right ones: tones and third-tone sandhi of 小美小美 (3-3-3-3 → 2-2-2-3).
    expect(lines[texts.indexOf('小美小美')]).toBe("S;j'Au35_| m'ei35_| S;j'Au35_| m'ei214_|");
  });
});

describe.skipIf(!HAS_ESPEAK)('voice synthesis: vocal-tract warp', () => {
  if (!HAS_ESPEAK) console.warn(ESPEAK_SKIP);
  const spk = { voice: 'en-us', variant: 'm6', speed: 160, pitch: 50 };

  it('scales pitch by the warp and duration by its inverse (espeak-ng output read at another rate)', async () => {
    const plain = await speak('where is the toilet', spk);
    const f0 = medianPitch(plain);
    expect(f0).toBeGreaterThan(60);
    for (const warp of [0.91, 1.09]) {
      const x = await speak('where is the toilet', { ...spk, warp });
      // espeak-ng writes 22050 Hz; the warped rate is rounded to a multiple of 1 kHz.
      const actual = (Math.round((22050 * warp) / 1000) * 1000) / 22050;
      expect(Math.abs(plain.length / x.length / actual - 1)).toBeLessThan(0.02);
      expect(Math.abs(medianPitch(x) / f0 / actual - 1)).toBeLessThan(0.03);
    }
    // warp 1 is the plain voice, sample for sample.
    expect(await speak('where is the toilet', { ...spk, warp: 1 })).toEqual(plain);
  });

  it('refuses a warp that leaves the resampler range with a coded error', async () => {
    await expect(speak('stop', { ...spk, warp: 0.3 })).rejects.toMatchObject({ code: 'HMP_ERR_VOICE_SYNTH' });
  });

  it('warps training speakers only: evaluation voices stay as espeak-ng speaks them', () => {
    const r = rng(1);
    const train = Array.from({ length: 200 }, () => randomSpeaker(TRAIN_SPEAKERS, 'en', r).warp);
    expect(new Set(train)).toEqual(new Set(TRAIN_SPEAKERS.warps));
    const ev = Array.from({ length: 50 }, () => randomSpeaker(EVAL_SPEAKERS, 'en', r).warp);
    expect(ev.every((w) => w === undefined)).toBe(true);
  });
});

describe.skipIf(!HAS_ESPEAK)('voice training: positives rendered in talk (--context-renders)', () => {
  if (!HAS_ESPEAK) console.warn(ESPEAK_SKIP);

  it('puts the phrase in babble at 5-20 dB and, about half the time, another talker just before it', async () => {
    const phrase = await speak('where is the toilet', { voice: 'en-us', variant: 'm1', speed: 160, pitch: 50 });
    const bed = await speechBed(TRAIN_SPEAKERS, 20, rng(3), avoidList(DEFAULT_TRAIN_CONFIG.phrases));
    const r = rng(11);
    let talkers = 0;
    let louder = 0;
    for (let k = 0; k < 16; k++) {
      const c = contextRendering(phrase, r, bed);
      expect(c.end - c.start).toBe(phrase.length);
      // The phrase is where the clip says: its span is louder than the babble after it.
      const after = rms(c.audio, c.end + 1600, c.audio.length);
      const snr = 20 * Math.log10(rms(c.audio, c.start, c.end) / after);
      expect(snr).toBeGreaterThan(0);
      expect(snr).toBeLessThan(30);
      expect(after).toBeGreaterThan(32768 * 10 ** (-70 / 20) * 3); // babble, not just the floor
      if (c.talker) {
        talkers++;
        const gap = c.start - c.talker.end;
        expect(gap).toBeGreaterThanOrEqual(0.1 * 16000 - 1);
        expect(gap).toBeLessThanOrEqual(0.4 * 16000 + 1);
        expect(c.talker.end - c.talker.start).toBeGreaterThan(4000);
        if (rms(c.audio, c.talker.start, c.talker.end) > after) louder++;
      }
    }
    expect(talkers).toBeGreaterThanOrEqual(4);
    expect(talkers).toBeLessThanOrEqual(12);
    // The talker adds to the babble: its stretch is louder than babble alone in most clips.
    expect(louder).toBeGreaterThanOrEqual(Math.ceil(talkers * 0.75));
  });
});
