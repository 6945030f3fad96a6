/**
 * `hmp voice train`: synthesises training speech with espeak-ng (voices, variants, speeds,
 * pitches), places it in noise and reverb, computes openWakeWord embeddings exactly as a live
 * stream would, trains the classifier head and writes a voice profile (`profile.json` +
 * `head.onnx`).
 *
 * Held out for evaluation (never used here): the espeak-ng variants, speeds and pitches in
 * {@link EVAL_SPEAKERS}, the English accent `en-029`, the noise kinds `brown` and `hum`, babble
 * from held-out voices, and sentences drawn with a different seed.
 * @internal
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AudioKernelOps } from '../../runtime/audio-kernels.js';
import { detect, isHit, newDetectorState, vadGate } from './detector.js';
import { headScores, headToOnnx, trainHead, type HeadDataset, type HeadWeights } from './head.js';
import { loadVoiceModels } from './models.js';
import { clipEmbeddings, clipVad, EMB_DIM, EMB_WINDOW, STEP, type VoiceModels } from './pipeline.js';
import type { VoiceAction, VoicePhrase, VoiceProfileManifest } from './profile.js';
import { EN_WORDS, MANDARIN_VOICE, pick, placeClip, rms, rng, sentence, speakMany, ZH_WORDS, type NoiseKind, type PlacedClip, type SpeakerSpec } from './synth.js';

/** Speaker conditions. Training and evaluation sets share no variant, speed or pitch. */
export interface SpeakerSet {
  voices: { cmn: string[]; en: string[] };
  variants: string[];
  speeds: number[];
  pitches: number[];
  noises: NoiseKind[];
  rt60: number[];
  /** Vocal-tract warps ({@link SpeakerSpec.warp}), one drawn per speaker; absent: as spoken. */
  warps?: number[];
}

export const TRAIN_SPEAKERS: SpeakerSet = {
  // English accents and espeak-ng variants (voice qualities) other than the held-out ones: the
  // more speakers the head hears, the better it carries over to speakers it has not heard.
  voices: { cmn: [MANDARIN_VOICE], en: ['en-us', 'en-gb', 'en-gb-scotland', 'en-gb-x-rp', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd'] },
  variants: [
    'm1', 'm2', 'm3', 'm4', 'm5', 'm8', 'f1', 'f2', 'f3', 'klatt', 'klatt2', 'klatt4',
    'Andy', 'Annie', 'Denis', 'Gene', 'Jacky', 'Lee', 'Michael', 'adam', 'anika', 'aunty', 'belinda', 'benjamin', 'boris', 'caleb',
    'david', 'ed', 'edward', 'iven', 'john', 'linda', 'max', 'michel', 'norbert', 'paul', 'quincy', 'rob', 'robert', 'steph', 'travis', 'victor', 'zac',
  ],
  speeds: [130, 150, 170, 190],
  pitches: [30, 50, 70],
  noises: ['white', 'pink', 'babble'],
  rt60: [0, 0, 0.2, 0.4],
  // Every voice also with its formants and pitch scaled by 0.91-1.09 (and its duration by the
  // inverse): voices between and beyond espeak-ng's variants.
  warps: [0.91, 0.95, 1, 1.04, 1.09],
};

export const EVAL_SPEAKERS: SpeakerSet = {
  voices: { cmn: [MANDARIN_VOICE], en: ['en-us', 'en-029'] },
  variants: ['m6', 'm7', 'f4', 'f5', 'klatt3'],
  speeds: [140, 180],
  pitches: [40, 60],
  noises: ['brown', 'hum', 'babble'],
  rt60: [0, 0.3],
};

/** Training input: what to recognise and what it means. */
export interface TrainConfig {
  name: string;
  phrases: Array<Omit<VoicePhrase, 'threshold'> & { threshold?: number }>;
  commands: Record<string, { action: VoiceAction }>;
  /** Hard negatives: near-misses that must not fire (partial phrases are added automatically). */
  confusables?: Array<{ text: string; lang: 'cmn' | 'en' }>;
}

/** Knobs of a training run; all recorded in the profile. */
export interface TrainRunOptions {
  seed: number;
  /** Positive clips per phrase. Default {@link TRAIN_DEFAULTS}. */
  clipsPerPhrase?: number;
  /** Minutes of unrelated speech and noise as negatives. Default {@link TRAIN_DEFAULTS}. */
  negativeMinutes?: number;
  /**
   * Minutes of training-voice speech in the babble bed (babble noise = three talkers from random
   * offsets of it). Default {@link TRAIN_DEFAULTS}.
   */
  babbleMinutes?: number;
  /**
   * Extra renderings of every positive in babble (5-20 dB; half of them with another talker's
   * speech 0.1-0.4 s before the phrase), drawn from their own random stream so the rest of the
   * data is the same as without them. Default {@link TRAIN_DEFAULTS}.
   */
  contextRenders?: number;
  /** Rounds of near-miss speech (every generated near-miss once per round, new speakers). */
  nearMissRounds?: number;
  epochs?: number;
  hidden?: number;
  /** L2 weight decay of the head's weight matrices. */
  l2?: number;
  /** Heads in the ensemble: the final head plus (n − 1) more trained on the same mined windows with other seeds; scores averaged. Default {@link TRAIN_DEFAULTS}. */
  ensemble?: number;
  /** Hard-negative mining rounds (score all negative windows, add those over 0.3 with more weight, retrain). */
  mineRounds?: number;
  /** Minutes of training-side validation negatives used to choose per-phrase thresholds. */
  validationMinutes?: number;
  /** Rounds of training-side validation speakers (each says every phrase at 4 SNRs). */
  validationRounds?: number;
  /**
   * Threshold written for every phrase unless the config sets one. Default: chosen per phrase
   * on the training-side validation split (see {@link chooseThresholds}).
   */
  threshold?: number;
  /** The command line, recorded for reproduction. */
  commandLine?: string;
  log?: (line: string) => void;
}

/** A random speaker from a set for a language. */
export function randomSpeaker(set: SpeakerSet, lang: 'cmn' | 'en', r: () => number): SpeakerSpec {
  const spk: SpeakerSpec = { voice: pick(r, set.voices[lang]), variant: pick(r, set.variants), speed: pick(r, set.speeds), pitch: pick(r, set.pitches) };
  if (set.warps) spk.warp = pick(r, set.warps);
  return spk;
}

/** Words that negative sentences must avoid so they never contain a target phrase. */
export function avoidList(phrases: readonly { text: string; lang: string }[]): { en: string[]; cmn: string[] } {
  const en = new Set<string>();
  const cmn = new Set<string>();
  for (const p of phrases) {
    if (p.lang === 'en') for (const w of p.text.toLowerCase().split(/\s+/)) { if (w.length > 2) en.add(w); }
    else for (let i = 0; i + 2 <= p.text.length; i++) cmn.add(p.text.slice(i, i + 2));
  }
  return { en: [...en], cmn: [...cmn] };
}

/** A long stream of unrelated speech (both languages) with pauses, for babble beds and negatives. */
export async function speechBed(
  set: SpeakerSet,
  seconds: number,
  r: () => number,
  avoid: { en: string[]; cmn: string[] },
  k?: AudioKernelOps,
): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  let total = 0;
  while (total < seconds * 16000) {
    // One espeak-ng process per batch of 6 sentences from one speaker.
    const lang = r() < 0.5 ? 'cmn' : 'en';
    const spk = randomSpeaker(set, lang, r);
    const texts = Array.from({ length: 6 }, () => sentence(lang, r, lang === 'en' ? avoid.en : avoid.cmn));
    for (const sp of await speakMany(texts, spk, k)) {
      const gap = new Float32Array(Math.floor((0.15 + r() * 0.8) * 16000));
      parts.push(sp, gap);
      total += sp.length + gap.length;
    }
  }
  const out = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Speaks every text once: one random speaker of `set` per language, one espeak-ng process per
 * language. Returns the clips in the order of `texts`.
 */
export async function speakPhrases(texts: readonly { text: string; lang: 'cmn' | 'en' }[], set: SpeakerSet, r: () => number, k?: AudioKernelOps): Promise<Float32Array[]> {
  const out = new Array<Float32Array>(texts.length);
  for (const lang of ['cmn', 'en'] as const) {
    const idx = texts.flatMap((t, i) => (t.lang === lang ? [i] : []));
    if (idx.length === 0) continue;
    const spk = randomSpeaker(set, lang, r);
    const clips = await speakMany(idx.map((i) => texts[i]!.text), spk, k);
    idx.forEach((i, j) => (out[i] = clips[j]!));
  }
  return out;
}

/** Defaults of a training run (`hmp voice train` without knobs). */
export const TRAIN_DEFAULTS = Object.freeze({
  clipsPerPhrase: 100,
  negativeMinutes: 60,
  babbleMinutes: 1,
  contextRenders: 1,
  nearMissRounds: 3,
  epochs: 10,
  hidden: 32,
  l2: 1e-4,
  ensemble: 3,
  mineRounds: 1,
  validationMinutes: 40,
  validationRounds: 12,
});

/** Head window j (embeddings j..j+15 of a clip from clipEmbeddings) ends at this sample. */
export const windowEnd = (j: number): number => STEP * (j + EMB_WINDOW + 9);

/**
 * Samples of audio a head window sees: 15 steps of embeddings plus the 76 mel frames (and the
 * 400-sample analysis window) of the first one. A phrase is wholly inside the window ending at
 * T when it starts at or after T − HEAD_SPAN.
 */
export const HEAD_SPAN = 15 * STEP + 76 * 160 + 480;

/** Growing store of embeddings and samples that reference them. */
class Store {
  emb: Float32Array = new Float32Array(1 << 22);
  rows = 0;
  /** Training samples: first embedding row, class, loss-weight multiplier. */
  start: number[] = [];
  label: number[] = [];
  mult: number[] = [];
  /** Negative windows not in the first training set (long speech, every other window): mined later. */
  pool: number[] = [];
  addClip(e: Float32Array, n: number): number {
    while ((this.rows + n) * EMB_DIM > this.emb.length) {
      const g = new Float32Array(this.emb.length * 2);
      g.set(this.emb);
      this.emb = g;
    }
    this.emb.set(e.subarray(0, n * EMB_DIM), this.rows * EMB_DIM);
    const base = this.rows;
    this.rows += n;
    return base;
  }
  add(start: number, label: number): void {
    this.start.push(start);
    this.label.push(label);
    this.mult.push(1);
  }
}

type Text = { text: string; lang: 'cmn' | 'en' };

/**
 * Near-misses generated from the phrases themselves, so every phrase gets them: every prefix
 * and every part at most half as long (Mandarin: runs of characters; English: runs of words),
 * the phrase with one word replaced by another (Mandarin: two characters, or one in a
 * two-character phrase), vocabulary words sharing a character (Mandarin), and for each English
 * word on its own: inflections (faster → fast, stop → stopped), rhymes (mall → ball) and
 * vocabulary words sharing its first or last three letters. Texts that contain a phrase are dropped. Returned with the index of the phrase they
 * came from (-1 for the config's own confusables).
 */
export function nearMisses(phrases: readonly Text[], extra: readonly Text[], seed: number): (Text & { from: number })[] {
  const r = rng(seed);
  const out = new Map<string, Text & { from: number }>();
  const containsPhrase = (t: string, lang: string) =>
    phrases.some((p) => p.lang === lang && (lang === 'cmn' ? t.includes(p.text) : new RegExp(`\\b${p.text.toLowerCase()}\\b`).test(t.toLowerCase())));
  const add = (text: string, lang: 'cmn' | 'en', from: number) => {
    const t = text.trim();
    if (t && !containsPhrase(t, lang) && !out.has(`${lang}:${t}`)) out.set(`${lang}:${t}`, { text: t, lang, from });
  };
  const zh2 = ZH_WORDS.filter((w) => w.length === 2);
  for (const [pi, p] of phrases.entries()) {
    if (p.lang === 'cmn') {
      const c = [...p.text];
      const L = c.length;
      // Parts: every prefix, and shorter parts (at most half the phrase) from anywhere; a part
      // missing only the first syllable or two is too close to the phrase to be a fair negative.
      for (let a = 0; a < L; a++) for (let b = a + 1; b <= L; b++) if (b - a < L && (a === 0 || b - a <= L / 2)) add(c.slice(a, b).join(''), 'cmn', pi);
      // One word (two characters; one character in a two-character phrase) replaced by another.
      const w = L <= 2 ? 1 : 2;
      for (let i = 0; i + w <= L; i += w) {
        for (let k = 0; k < 2; k++) {
          const rep = w === 1 ? [...pick(r, zh2)][k]! : pick(r, zh2);
          add([...c.slice(0, i), rep, ...c.slice(i + w)].join(''), 'cmn', pi);
        }
      }
      for (const x of ZH_WORDS) if ([...x].some((ch) => c.includes(ch))) add(x, 'cmn', pi);
    } else {
      const w = p.text.toLowerCase().split(/\s+/);
      const L = w.length;
      for (let a = 0; a < L; a++) for (let b = a + 1; b <= L; b++) if (b - a < L && (a === 0 || b - a <= L / 2)) add(w.slice(a, b).join(' '), 'en', pi);
      for (let i = 0; i < L; i++) {
        const word = w[i]!;
        // Sound-alikes of a word (inflections, rhymes, vocabulary words sharing its first or
        // last three letters) are said on their own; inside the phrase they would make near
        // copies of it ("where is the boilet"), so there the word is replaced by other words.
        const forms: string[] = [];
        if (word.length >= 4) {
          if (word.endsWith('er')) forms.push(word.slice(0, -2), `${word.slice(0, -2)}est`, `${word.slice(0, -2)}ing`);
          else if (/[^aeiou][aeiou][^aeiouwy]$/.test(word)) forms.push(`${word}${word.at(-1)}ed`, `${word}${word.at(-1)}ing`);
          else forms.push(`${word}ed`, `${word}ing`);
          for (const v of EN_WORDS) if (v !== word && v.length >= 3 && (v.startsWith(word.slice(0, 3)) || v.endsWith(word.slice(-3)))) forms.push(v);
        }
        if (word.length >= 3) {
          for (const on of ['b', 'm', 't', 'l', 'r']) {
            const rh = word.replace(/^[^aeiou]*/, on);
            if (rh !== word) forms.push(rh);
          }
        }
        for (const f of forms) add(f, 'en', pi);
        // Replacements that start or end like the word would again make near copies.
        const unlike = EN_WORDS.filter((v) => v.slice(0, 2) !== word.slice(0, 2) && v.slice(-2) !== word.slice(-2));
        if (L > 1) for (let k = 0; k < 3; k++) add([...w.slice(0, i), pick(r, unlike), ...w.slice(i + 1)].join(' '), 'en', pi);
      }
    }
  }
  for (const x of extra) add(x.text, x.lang, -1);
  return [...out.values()];
}

/**
 * Near-miss speech: the near-misses in random order, one speaker per language and round,
 * separated by 0.3-1.2 s pauses and, whenever two in a row come from the same phrase, by an
 * unrelated sentence (so that, say, 小美 + 小美 never make up the wake phrase). Int16-scale.
 */
async function nearMissSpeech(items: readonly (Text & { from: number })[], set: SpeakerSet, r: () => number, avoid: { en: string[]; cmn: string[] }, k?: AudioKernelOps): Promise<Float32Array[]> {
  const pieces: Float32Array[] = [];
  for (const lang of ['cmn', 'en'] as const) {
    const list = items.filter((x) => x.lang === lang);
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    // Sentences interleave the list; one espeak-ng process per 12 texts.
    const seq: { text: string; from: number }[] = [];
    let prev = -2;
    for (const x of list) {
      if (x.from === prev || r() < 0.2) seq.push({ text: sentence(lang, r, lang === 'en' ? avoid.en : avoid.cmn), from: -3 });
      seq.push(x);
      prev = x.from;
    }
    const spk = randomSpeaker(set, lang, r);
    const parts: Float32Array[] = [];
    for (let i = 0; i < seq.length; i += 12) {
      for (const sp of await speakMany(seq.slice(i, i + 12).map((x) => x.text), spk, k)) parts.push(sp, new Float32Array(Math.floor((0.3 + r() * 0.9) * 16000)));
    }
    // Cut into ~30 s pieces at clip boundaries.
    let cur: Float32Array[] = [];
    let len = 0;
    const flush = () => {
      if (len === 0) return;
      const out = new Float32Array(len);
      let o = 0;
      for (const p of cur) {
        out.set(p, o);
        o += p.length;
      }
      pieces.push(out);
      cur = [];
      len = 0;
    };
    for (const p of parts) {
      cur.push(p);
      len += p.length;
      if (len >= 30 * 16000) flush();
    }
    flush();
  }
  return pieces;
}

/** Negative audio (all windows "none"): a piece of speech or noise placed in training-style conditions. */
function placeNegative(sp: Float32Array, noiseOnly: boolean, set: SpeakerSet, r: () => number, bed: Float32Array): Float32Array {
  return placeClip(noiseOnly ? new Float32Array(sp.length) : sp, {
    preSec: 0,
    postSec: 0,
    levelDb: noiseOnly ? -50 + r() * 30 : -32 + r() * 18,
    snrDb: noiseOnly ? 0 : pick(r, [Infinity, 20, 10, 5]),
    noise: pick(r, set.noises),
    rt60: pick(r, set.rt60),
    bed,
  }, r).audio;
}

/**
 * A positive in talk: babble at 5-20 dB over the whole clip and, half the time, a 0.8-1.6 s
 * stretch of another talker (from the babble bed, 0-6 dB below the phrase) ending 0.1-0.4 s
 * before the phrase. The heads otherwise learn to read speech around a phrase as evidence
 * against it (docs/voice.md, "Babble is what the heads cannot cope with"). `talker`: where that
 * stretch went, when it was added.
 * @internal
 */
export function contextRendering(sp: Float32Array, r: () => number, bed: Float32Array): PlacedClip & { talker?: { start: number; end: number } } {
  const levelDb = -32 + r() * 18;
  const clip = placeClip(sp, {
    preSec: Math.max(0.2, 2.1 + r() * 0.6 - sp.length / 16000),
    postSec: 0.7 + r() * 1.2,
    levelDb,
    snrDb: pick(r, [20, 15, 10, 5]),
    noise: 'babble',
    rt60: pick(r, TRAIN_SPEAKERS.rt60),
    bed,
  }, r);
  if (r() < 0.5) {
    const gap = Math.floor((0.1 + r() * 0.3) * 16000);
    const m = Math.min(clip.start - gap, Math.floor((0.8 + r() * 0.8) * 16000));
    if (m > 4000) {
      const off = Math.floor(r() * (bed.length - m));
      const talk = bed.subarray(off, off + m);
      const level = rms(talk);
      if (level > 0) {
        const g = (32768 * 10 ** ((levelDb - 6 * r()) / 20)) / level;
        const at = clip.start - gap - m;
        for (let i = 0; i < m; i++) clip.audio[at + i] = Math.max(-32768, Math.min(32767, clip.audio[at + i]! + g * talk[i]!));
        return { ...clip, talker: { start: at, end: at + m } };
      }
    }
  }
  return clip;
}

/**
 * Windows of a clip with a phrase at [start, end): class per window, or -1 (not used). Positive:
 * ending 0-480 ms after the phrase with at least 80 % of it inside the window.
 */
export function labelWindows(n: number, start: number, end: number, phraseClass: number): number[] {
  const labels: number[] = [];
  const half = start + 0.5 * (end - start);
  const last = Math.min(end + 0.48 * 16000, start + HEAD_SPAN + 0.2 * (end - start));
  // A phrase longer than the window can never be seen whole: take the windows just after its end.
  const lastPos = last >= end ? last : end + 0.16 * 16000;
  for (let j = 0; j + EMB_WINDOW <= n; j++) {
    const T = windowEnd(j);
    if (T >= end && T <= lastPos) labels.push(phraseClass);
    // Not half of the phrase heard yet, or its first half already out of the window: partial, "none".
    else if (T < half || T - HEAD_SPAN > half) labels.push(0);
    else labels.push(-1);
  }
  return labels;
}

/** Training-side validation data: windows of positive clips with their phrase span, negatives, VAD. */
interface ValidationSet {
  positives: { phrase: number; snr: number; emb: Float32Array; n: number; vad: Float32Array; start: number; end: number }[];
  negatives: { emb: Float32Array; n: number; vad: Float32Array }[];
  hours: number;
}

const VAL_SNRS = [Infinity, 20, 10, 5];

async function buildValidation(cfg: TrainConfig, conf: readonly (Text & { from: number })[], o: { seed: number; minutes: number; rounds: number }, models: VoiceModels, avoid: { en: string[]; cmn: string[] }, bed: Float32Array, k?: AudioKernelOps): Promise<ValidationSet> {
  // Another stream of the training conditions (the evaluation's held-out conditions stay unseen).
  const r = rng(o.seed * 7919 + 104729);
  const v: ValidationSet = { positives: [], negatives: [], hours: 0 };
  for (let c = 0; c < o.rounds; c++) {
    const speech = await speakPhrases(cfg.phrases, TRAIN_SPEAKERS, r, k);
    for (const [pi, sp] of speech.entries()) {
      const pre = Math.max(0.2, 2.1 + r() * 0.6 - sp.length / 16000);
      for (const [si, snr] of VAL_SNRS.entries()) {
        const clip = placeClip(sp, { preSec: pre, postSec: 1.3, levelDb: -32 + r() * 18, snrDb: snr, noise: pick(r, TRAIN_SPEAKERS.noises), rt60: pick(r, TRAIN_SPEAKERS.rt60), bed }, r);
        const e = await clipEmbeddings(models, clip.audio);
        v.positives.push({ phrase: pi, snr: si, emb: e.emb, n: e.n, vad: await clipVad(models, clip.audio), start: clip.start, end: clip.end });
      }
    }
  }
  const addNeg = async (audio: Float32Array) => {
    const e = await clipEmbeddings(models, audio);
    v.negatives.push({ emb: e.emb, n: e.n, vad: await clipVad(models, audio) });
    v.hours += (Math.max(0, e.n - EMB_WINDOW + 1) * STEP) / 16000 / 3600;
  };
  for (const sp of await nearMissSpeech(conf, TRAIN_SPEAKERS, r, avoid, k)) await addNeg(placeNegative(sp, false, TRAIN_SPEAKERS, r, bed));
  for (let q = 0; v.hours * 60 < o.minutes; q++) {
    const sp = await speechBed(TRAIN_SPEAKERS, 30, r, avoid, k);
    await addNeg(placeNegative(sp, q % 5 === 4, TRAIN_SPEAKERS, r, bed));
  }
  return v;
}

/** Threshold grid searched per phrase. */
export const THRESHOLD_GRID = [0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999];

/** What the validation split said about each phrase's chosen threshold. */
export interface ThresholdChoice {
  id: string;
  threshold: number;
  /** Validation false-reject rate (validation SNRs pooled) and false accepts (count) at the threshold. */
  falseReject: number;
  falseAccepts: number;
}

/**
 * Validation cost of a false accept per hour, in false-reject rate: 1 / h costs as much as 10 %
 * more misses — the exchange rate of the voice targets (≤ 5 % misses with ≤ 0.5 false accepts
 * per hour). A phrase that fires by mistake can do something (a treadmill speeding up); a missed
 * one is said again.
 */
export const FA_COST = 0.1;

/**
 * Per-phrase thresholds and one patience from the training-side validation split (training
 * speakers and noises, a separate seed; never the evaluation's conditions). For each patience
 * 1-3 and phrase, the threshold of {@link THRESHOLD_GRID} with the lowest cost
 * `FRR + FA_COST · false accepts per hour` (the lowest such threshold on ties); the patience
 * with the lowest total cost wins.
 */
export function chooseThresholds(h: HeadWeights, v: ValidationSet, phrases: readonly { id: string }[]): { patience: number; cost: number; choice: ThresholdChoice[] } {
  const P = phrases.length;
  const C = P + 1;
  const score = (emb: Float32Array, n: number) => headScores(h, emb, Int32Array.from({ length: Math.max(0, n - EMB_WINDOW + 1) }, (_, j) => j));
  const neg = v.negatives.map((q) => ({ s: score(q.emb, q.n), gate: vadGate(q.vad, 0.5) }));
  const pos = v.positives.map((q) => ({ ...q, s: score(q.emb, q.n), gate: vadGate(q.vad, 0.5) }));
  const refractory = 1.5 * 16000;
  let best: { patience: number; cost: number; choice: ThresholdChoice[] } | undefined;
  for (const patience of [1, 2, 3]) {
    let total = 0;
    const choice = phrases.map((ph, p) => {
      const only = (t: number) => Array.from({ length: P }, (_, i) => (i === p ? t : 2));
      const mine = pos.filter((q) => q.phrase === p);
      let pick: (ThresholdChoice & { cost: number }) | undefined;
      for (const t of THRESHOLD_GRID) {
        let fa = 0;
        for (const q of neg) fa += detect(newDetectorState(), q.s, C, windowEnd(0), only(t), refractory, q.gate, patience).length;
        let miss = 0;
        for (const q of mine) {
          const dets = detect(newDetectorState(), q.s, C, windowEnd(0), only(t), refractory, q.gate, patience);
          if (!dets.some((d) => isHit(d.end, q.start, q.end))) miss++;
        }
        const frr = miss / Math.max(1, mine.length);
        const cost = frr + (FA_COST * fa) / Math.max(1e-9, v.hours);
        if (!pick || cost < pick.cost - 1e-12) pick = { id: ph.id, threshold: t, falseReject: Math.round(frr * 1000) / 1000, falseAccepts: fa, cost };
      }
      total += pick!.cost;
      const { cost: _c, ...c } = pick!;
      return c;
    });
    if (!best || total < best.cost - 1e-12) best = { patience, cost: Math.round(total * 1000) / 1000, choice };
  }
  return best!;
}

/** The training data: embeddings and labelled windows. Deterministic for its inputs. */
export interface TrainingData {
  store: Store;
  bed: Float32Array;
  nearMisses: number;
  positiveClips: number;
  validation: ValidationSet;
  /** Longest training utterance of each phrase, seconds (rounded up to 0.1 s). */
  maxSec: number[];
}

/**
 * Synthesises and featurises everything a head is trained on.
 * @throws HMP_ERR_VOICE_SYNTH when espeak-ng is missing or fails
 */
export async function buildTrainingData(cfg: TrainConfig, o: TrainRunOptions, models: VoiceModels, k?: AudioKernelOps): Promise<TrainingData> {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  const secs = () => ((Date.now() - t0) / 1000).toFixed(0);
  const clipsPerPhrase = o.clipsPerPhrase ?? TRAIN_DEFAULTS.clipsPerPhrase;
  const negMinutes = o.negativeMinutes ?? TRAIN_DEFAULTS.negativeMinutes;
  const r = rng(o.seed);
  const avoid = avoidList(cfg.phrases);
  const store = new Store();

  const babbleMinutes = o.babbleMinutes ?? TRAIN_DEFAULTS.babbleMinutes;
  log(`babble bed (${babbleMinutes} min of training voices)`);
  const bed = await speechBed(TRAIN_SPEAKERS, 60 * babbleMinutes, r, avoid, k);

  // Positives: windows that hold the whole phrase and end 0-480 ms after it. Windows that hold
  // less than half of it (not yet heard, or already scrolled out) are "none"; the rest unused.
  let clips = 0;
  const maxLen = cfg.phrases.map(() => 0);
  const contextRenders = o.contextRenders ?? TRAIN_DEFAULTS.contextRenders;
  const rc = rng(o.seed + 4242);
  for (let c = 0; c < clipsPerPhrase; c++) {
    // Each round: one random training speaker per language says every phrase of that language.
    const speech = await speakPhrases(cfg.phrases, TRAIN_SPEAKERS, r, k);
    for (const [pi, sp] of speech.entries()) {
      const len = sp.length / 16000;
      maxLen[pi] = Math.max(maxLen[pi]!, len);
      const clip = placeClip(sp, {
        preSec: Math.max(0.2, 2.1 + r() * 0.6 - len),
        postSec: 0.7 + r() * 1.2,
        levelDb: -32 + r() * 18,
        snrDb: pick(r, [Infinity, 30, 20, 15, 10, 5, 0]),
        noise: pick(r, TRAIN_SPEAKERS.noises),
        rt60: pick(r, TRAIN_SPEAKERS.rt60),
        bed,
      }, r);
      const e = await clipEmbeddings(models, clip.audio);
      const base = store.addClip(e.emb, e.n);
      labelWindows(e.n, clip.start, clip.end, pi + 1).forEach((l, j) => {
        if (l >= 0) store.add(base + j, l);
      });
      clips++;
      for (let a = 0; a < contextRenders; a++) {
        const clip = contextRendering(sp, rc, bed);
        const e = await clipEmbeddings(models, clip.audio);
        const base = store.addClip(e.emb, e.n);
        labelWindows(e.n, clip.start, clip.end, pi + 1).forEach((l, j) => {
          if (l >= 0) store.add(base + j, l);
        });
        clips++;
      }
    }
    if ((c + 1) % 10 === 0) log(`positives: round ${c + 1}/${clipsPerPhrase} (${secs()} s)`);
  }

  // Near-misses among unrelated sentences, every window negative.
  const conf = nearMisses(cfg.phrases, cfg.confusables ?? [], o.seed);
  const rounds = o.nearMissRounds ?? TRAIN_DEFAULTS.nearMissRounds;
  for (let c = 0; c < rounds; c++) {
    for (const sp of await nearMissSpeech(conf, TRAIN_SPEAKERS, r, avoid, k)) {
      const e = await clipEmbeddings(models, placeNegative(sp, false, TRAIN_SPEAKERS, r, bed));
      const base = store.addClip(e.emb, e.n);
      for (let j = 0; j + EMB_WINDOW <= e.n; j++) store.add(base + j, 0);
    }
  }
  log(`near-misses: ${conf.length} texts × ${rounds} rounds (${secs()} s)`);

  // Unrelated speech in noise, and noise alone, in 30 s pieces. Every other window trains the
  // first head; the rest waits in the pool for hard-negative mining.
  const pieces = Math.ceil((negMinutes * 60) / 30);
  for (let q = 0; q < pieces; q++) {
    const sp = await speechBed(TRAIN_SPEAKERS, 30, r, avoid, k);
    // Every fifth piece is noise alone (silent "speech" at 0 dB SNR = noise at the level).
    const e = await clipEmbeddings(models, placeNegative(sp, q % 5 === 4, TRAIN_SPEAKERS, r, bed));
    const base = store.addClip(e.emb, e.n);
    for (let j = 0; j + EMB_WINDOW <= e.n; j++) {
      if ((j & 1) === 0) store.add(base + j, 0);
      else store.pool.push(base + j);
    }
    if ((q + 1) % 40 === 0) log(`negatives: ${((q + 1) / 2).toFixed(0)}/${negMinutes} min (${secs()} s)`);
  }
  log(`negatives: ${negMinutes} min of speech/noise (${secs()} s)`);
  const validation = await buildValidation(cfg, conf, { seed: o.seed, minutes: o.validationMinutes ?? TRAIN_DEFAULTS.validationMinutes, rounds: o.validationRounds ?? TRAIN_DEFAULTS.validationRounds }, models, avoid, bed, k);
  log(`validation: ${validation.positives.length} positive clips, ${(validation.hours * 60).toFixed(1)} min negatives (${secs()} s)`);
  return { store, bed, nearMisses: conf.length, positiveClips: clips, validation, maxSec: maxLen.map((x) => Math.ceil(x * 10) / 10) };
}

/** Weighted dataset: every phrase the same total weight, "none" twice all phrases together. */
function dataset(store: Store, P: number): { ds: HeadDataset; counts: number[] } {
  const counts = new Array<number>(P + 1).fill(0);
  for (const l of store.label) counts[l]!++;
  const N = store.label.length;
  const wc = counts.map((n, c) => (n === 0 ? 0 : (c === 0 ? 2 * P : 1) / n));
  const w = store.label.map((l, i) => wc[l]! * store.mult[i]!);
  const norm = N / w.reduce((a, b) => a + b, 0);
  return {
    ds: { emb: store.emb.subarray(0, store.rows * EMB_DIM), start: Int32Array.from(store.start), label: Int32Array.from(store.label), weight: Float32Array.from(w, (x) => x * norm) },
    counts,
  };
}

/**
 * Trains the head on the data, with hard-negative mining: a head trained for half the epochs
 * scores every "none" window (training set and pool); those where a phrase scores ≥ 0.3 get 3×
 * the weight, those from the pool join the set, and the head is trained again from the seed.
 */
export function fitHead(data: TrainingData, P: number, o: TrainRunOptions): { head: HeadWeights; counts: number[]; mined: number[] } {
  const log = o.log ?? (() => {});
  const { store } = data;
  const opts = {
    classes: P + 1,
    hidden: o.hidden ?? TRAIN_DEFAULTS.hidden,
    epochs: o.epochs ?? TRAIN_DEFAULTS.epochs,
    l2: o.l2 ?? TRAIN_DEFAULTS.l2,
    seed: o.seed,
    onEpoch: (ep: number, loss: number) => log(`epoch ${ep + 1}: loss ${loss.toFixed(4)}`),
  };
  const mined: number[] = [];
  const rounds = o.mineRounds ?? TRAIN_DEFAULTS.mineRounds;
  for (let round = 0; ; round++) {
    const { ds, counts } = dataset(store, P);
    log(`training head (round ${round + 1}) on ${ds.label.length} windows (${counts.join('/')} per class)`);
    // Heads that only serve mining train half the epochs.
    const epochs = round < rounds ? Math.ceil(opts.epochs / 2) : opts.epochs;
    const head = trainHead(ds, { ...opts, epochs });
    if (round >= rounds) {
      // Ensemble: more heads on the same (mined) windows from other seeds; their mean scores
      // vary less between unseen speakers than one head's.
      const members = o.ensemble ?? TRAIN_DEFAULTS.ensemble;
      if (members > 1) {
        head.ensemble = [];
        for (let k = 1; k < members; k++) {
          log(`training ensemble member ${k + 1}/${members}`);
          head.ensemble.push(trainHead(ds, { ...opts, seed: opts.seed + 1000 * k }));
        }
      }
      return { head, counts, mined };
    }
    const hard = (scores: Float32Array, i: number) => {
      let m = 0;
      for (let c = 1; c <= P; c++) m = Math.max(m, scores[i * (P + 1) + c]!);
      return m >= 0.3;
    };
    const negIdx = store.label.flatMap((l, i) => (l === 0 ? [i] : []));
    const s1 = headScores(head, store.emb, negIdx.map((i) => store.start[i]!));
    let n = 0;
    negIdx.forEach((i, q) => {
      if (hard(s1, q)) {
        store.mult[i] = 3;
        n++;
      }
    });
    const s2 = headScores(head, store.emb, store.pool);
    const keep: number[] = [];
    store.pool.forEach((st, q) => {
      if (hard(s2, q)) {
        store.add(st, 0);
        store.mult[store.mult.length - 1] = 3;
        n++;
      } else keep.push(st);
    });
    store.pool = keep;
    mined.push(n);
    log(`mining round ${round + 1}: ${n} hard negative windows`);
  }
}

/**
 * Trains a profile and writes it to `outDir`. Returns the manifest.
 * @throws HMP_ERR_VOICE_SYNTH when espeak-ng is missing or fails
 */
export async function trainProfile(cfg: TrainConfig, outDir: string, o: TrainRunOptions, modelsDir: string, k?: AudioKernelOps): Promise<VoiceProfileManifest> {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  const models: VoiceModels = await loadVoiceModels(modelsDir);
  const P = cfg.phrases.length;
  const data = await buildTrainingData(cfg, o, models, k);
  const { head, counts, mined } = fitHead(data, P, o);
  const chosen = chooseThresholds(head, data.validation, cfg.phrases);
  const choice = chosen.choice;
  log(`patience ${chosen.patience} (validation cost ${chosen.cost})`);
  for (const c of choice) log(`threshold ${c.id}: ${c.threshold} (validation FRR ${(c.falseReject * 100).toFixed(1)} %, ${c.falseAccepts} false accepts)`);
  const phrases: VoicePhrase[] = cfg.phrases.map((p, i) => ({ ...p, threshold: p.threshold ?? o.threshold ?? choice[i]!.threshold, maxSec: data.maxSec[i]! }));
  const doc = `hmp voice head for profile ${cfg.name}: ${phrases.map((p) => p.text).join(', ')}`;
  const onnx = headToOnnx(head, doc);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'head.onnx'), onnx);
  const manifest: VoiceProfileManifest = {
    format: 'hmp-voice-profile',
    version: 1,
    name: cfg.name,
    head: { file: 'head.onnx', sha256: createHash('sha256').update(onnx).digest('hex'), classes: ['none', ...phrases.map((p) => p.id)] },
    phrases,
    commands: cfg.commands,
    ...(o.threshold === undefined ? { patience: chosen.patience } : {}),
    training: {
      command: o.commandLine ?? null,
      seed: o.seed,
      clipsPerPhrase: o.clipsPerPhrase ?? TRAIN_DEFAULTS.clipsPerPhrase,
      negativeMinutes: o.negativeMinutes ?? TRAIN_DEFAULTS.negativeMinutes,
      babbleMinutes: o.babbleMinutes ?? TRAIN_DEFAULTS.babbleMinutes,
      contextRenders: o.contextRenders ?? TRAIN_DEFAULTS.contextRenders,
      nearMisses: data.nearMisses,
      nearMissRounds: o.nearMissRounds ?? TRAIN_DEFAULTS.nearMissRounds,
      epochs: o.epochs ?? TRAIN_DEFAULTS.epochs,
      hidden: o.hidden ?? TRAIN_DEFAULTS.hidden,
      l2: o.l2 ?? TRAIN_DEFAULTS.l2,
      ensemble: o.ensemble ?? TRAIN_DEFAULTS.ensemble,
      mineRounds: o.mineRounds ?? TRAIN_DEFAULTS.mineRounds,
      minedWindows: mined,
      windows: counts.reduce((a, b) => a + b, 0),
      windowsPerClass: counts,
      positiveClips: data.positiveClips,
      thresholds: o.threshold === undefined
        ? { rule: `per phrase and patience 1-3: the grid threshold with the lowest FRR + ${FA_COST} × false accepts per hour on the training-side validation split (training voices/noises, another seed); the patience with the lowest total`, validationHours: Math.round(data.validation.hours * 1000) / 1000, validationPositiveClips: data.validation.positives.length, patience: chosen.patience, choice }
        : { rule: 'fixed', value: o.threshold },
      synthetic: 'all training speech is synthesised with espeak-ng; no recorded human speech',
      speakers: TRAIN_SPEAKERS,
      heldOutForEvaluation: EVAL_SPEAKERS,
    },
  };
  writeFileSync(join(outDir, 'profile.json'), JSON.stringify(manifest, null, 2) + '\n');
  log(`wrote ${outDir} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return manifest;
}
