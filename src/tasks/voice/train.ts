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
import { headToOnnx, trainHead, type HeadDataset } from './head.js';
import { loadVoiceModels } from './models.js';
import { clipEmbeddings, EMB_DIM, EMB_WINDOW, STEP, type VoiceModels } from './pipeline.js';
import type { VoiceAction, VoicePhrase, VoiceProfileManifest } from './profile.js';
import { pick, placeClip, rng, sentence, speakMany, type NoiseKind, type SpeakerSpec } from './synth.js';

/** Speaker conditions. Training and evaluation sets share no variant, speed or pitch. */
export interface SpeakerSet {
  voices: { cmn: string[]; en: string[] };
  variants: string[];
  speeds: number[];
  pitches: number[];
  noises: NoiseKind[];
  rt60: number[];
}

export const TRAIN_SPEAKERS: SpeakerSet = {
  voices: { cmn: ['cmn'], en: ['en-us', 'en-gb'] },
  variants: ['m1', 'm2', 'm3', 'm4', 'f1', 'f2', 'f3', 'klatt'],
  speeds: [130, 150, 170, 190],
  pitches: [30, 50, 70],
  noises: ['white', 'pink', 'babble'],
  rt60: [0, 0, 0.2, 0.4],
};

export const EVAL_SPEAKERS: SpeakerSet = {
  voices: { cmn: ['cmn'], en: ['en-us', 'en-029'] },
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
  /** Positive clips per phrase. Default 60. */
  clipsPerPhrase?: number;
  /** Minutes of unrelated speech and noise as negatives. Default 24. */
  negativeMinutes?: number;
  epochs?: number;
  hidden?: number;
  /** Threshold written for every phrase unless the config sets one. Default 0.5. */
  threshold?: number;
  /** The command line, recorded for reproduction. */
  commandLine?: string;
  log?: (line: string) => void;
}

/** A random speaker from a set for a language. */
export function randomSpeaker(set: SpeakerSet, lang: 'cmn' | 'en', r: () => number): SpeakerSpec {
  return { voice: pick(r, set.voices[lang]), variant: pick(r, set.variants), speed: pick(r, set.speeds), pitch: pick(r, set.pitches) };
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

/** Head window j (embeddings j..j+15 of a clip from clipEmbeddings) ends at this sample. */
export const windowEnd = (j: number): number => STEP * (j + EMB_WINDOW + 9);

/** Growing store of embeddings and samples that reference them. */
class Store {
  emb: Float32Array = new Float32Array(1 << 20);
  rows = 0;
  start: number[] = [];
  label: number[] = [];
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
}

/**
 * Trains a profile and writes it to `outDir`. Returns the manifest.
 * @throws HMP_ERR_VOICE_SYNTH when espeak-ng is missing or fails
 */
export async function trainProfile(cfg: TrainConfig, outDir: string, o: TrainRunOptions, modelsDir: string, k?: AudioKernelOps): Promise<VoiceProfileManifest> {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  const clipsPerPhrase = o.clipsPerPhrase ?? 60;
  const negMinutes = o.negativeMinutes ?? 24;
  const r = rng(o.seed);
  const models: VoiceModels = await loadVoiceModels(modelsDir);
  const avoid = avoidList(cfg.phrases);
  const store = new Store();
  const P = cfg.phrases.length;

  log(`babble bed (60 s of training voices)`);
  const bed = await speechBed(TRAIN_SPEAKERS, 60, r, avoid, k);

  // Positives: the windows ending 0-480 ms after the phrase ends. Windows ending before half
  // of the phrase was heard are negatives (partial phrases must not fire); the rest is ignored.
  let clips = 0;
  for (let c = 0; c < clipsPerPhrase; c++) {
    // Each round: one random training speaker per language says every phrase of that language.
    const speech = await speakPhrases(cfg.phrases, TRAIN_SPEAKERS, r, k);
    for (const [pi, sp] of speech.entries()) {
      const len = sp.length / 16000;
      const clip = placeClip(sp, {
        preSec: Math.max(0.2, 2.1 + r() * 0.6 - len),
        postSec: 0.7,
        levelDb: -32 + r() * 18,
        snrDb: pick(r, [Infinity, 30, 20, 15, 10, 5, 0]),
        noise: pick(r, TRAIN_SPEAKERS.noises),
        rt60: pick(r, TRAIN_SPEAKERS.rt60),
        bed,
      }, r);
      const e = await clipEmbeddings(models, clip.audio);
      const base = store.addClip(e.emb, e.n);
      for (let j = 0; j + EMB_WINDOW <= e.n; j++) {
        const T = windowEnd(j);
        if (T >= clip.end && T <= clip.end + 0.48 * 16000) {
          store.start.push(base + j);
          store.label.push(pi + 1);
        } else if (T < clip.start + 0.5 * (clip.end - clip.start)) {
          store.start.push(base + j);
          store.label.push(0);
        }
      }
      clips++;
    }
    if ((c + 1) % 10 === 0) log(`positives: round ${c + 1}/${clipsPerPhrase} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }

  // Confusables and partial phrases, every window negative.
  const conf: { text: string; lang: 'cmn' | 'en' }[] = [...(cfg.confusables ?? [])];
  for (const ph of cfg.phrases) {
    if (ph.lang === 'cmn' && ph.text.length >= 3) conf.push({ text: ph.text.slice(0, Math.ceil(ph.text.length / 2)), lang: 'cmn' });
    const words = ph.text.split(/\s+/);
    if (ph.lang === 'en' && words.length >= 2) conf.push({ text: words.slice(0, Math.ceil(words.length / 2)).join(' '), lang: 'en' });
  }
  for (let c = 0; c < 12; c++) {
    for (const speech of await speakPhrases(conf, TRAIN_SPEAKERS, r, k)) {
      const clip = placeClip(speech, { preSec: Math.max(0.2, 2.1 + r() * 0.6 - speech.length / 16000), postSec: 0.8, levelDb: -32 + r() * 18, snrDb: pick(r, [Infinity, 20, 10]), noise: pick(r, TRAIN_SPEAKERS.noises), rt60: pick(r, TRAIN_SPEAKERS.rt60), bed }, r);
      const e = await clipEmbeddings(models, clip.audio);
      const base = store.addClip(e.emb, e.n);
      for (let j = 0; j + EMB_WINDOW <= e.n; j++) {
        store.start.push(base + j);
        store.label.push(0);
      }
    }
  }
  log(`confusables: ${conf.length} texts (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

  // Unrelated speech in noise, and noise alone, in 30 s pieces.
  const pieces = Math.ceil((negMinutes * 60) / 30);
  for (let q = 0; q < pieces; q++) {
    const sp = await speechBed(TRAIN_SPEAKERS, 30, r, avoid, k);
    // Every fourth piece is noise alone (silent "speech" at 0 dB SNR = noise at the level).
    const noiseOnly = q % 4 === 3;
    const clip = placeClip(noiseOnly ? new Float32Array(sp.length) : sp, {
      preSec: 0,
      postSec: 0,
      levelDb: noiseOnly ? -50 + r() * 30 : -32 + r() * 18,
      snrDb: noiseOnly ? 0 : pick(r, [Infinity, 20, 10, 5]),
      noise: pick(r, TRAIN_SPEAKERS.noises),
      rt60: pick(r, TRAIN_SPEAKERS.rt60),
      bed,
    }, r);
    const e = await clipEmbeddings(models, clip.audio);
    const base = store.addClip(e.emb, e.n);
    for (let j = 0; j + EMB_WINDOW <= e.n; j++) {
      store.start.push(base + j);
      store.label.push(0);
    }
  }
  log(`negatives: ${negMinutes} min of speech/noise (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

  // Class weights: every phrase carries the same total weight; "none" carries twice as much as
  // all phrases together: false accepts on unrelated speech were the weak point of the first
  // profile (evaluation: ~400/h at threshold 0.5 with equal weights and 8 minutes of negatives).
  const counts = new Array<number>(P + 1).fill(0);
  for (const l of store.label) counts[l]!++;
  const N = store.label.length;
  const wc = counts.map((n, c) => (n === 0 ? 0 : (c === 0 ? 2 * P : 1) / n));
  const norm = N / store.label.reduce((a, l) => a + wc[l]!, 0);
  const ds: HeadDataset = {
    emb: store.emb.subarray(0, store.rows * EMB_DIM),
    start: Int32Array.from(store.start),
    label: Int32Array.from(store.label),
    weight: Float32Array.from(store.label, (l) => wc[l]! * norm),
  };
  log(`training head on ${N} windows (${counts.join('/')} per class)`);
  const head = trainHead(ds, { classes: P + 1, hidden: o.hidden ?? 32, epochs: o.epochs ?? 8, seed: o.seed, onEpoch: (ep, loss) => log(`epoch ${ep + 1}: loss ${loss.toFixed(4)}`) });

  const threshold = o.threshold ?? 0.5;
  const phrases: VoicePhrase[] = cfg.phrases.map((p) => ({ ...p, threshold: p.threshold ?? threshold }));
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
    training: {
      command: o.commandLine ?? null,
      seed: o.seed,
      clipsPerPhrase,
      negativeMinutes: negMinutes,
      epochs: o.epochs ?? 8,
      hidden: o.hidden ?? 32,
      windows: N,
      windowsPerClass: counts,
      positiveClips: clips,
      synthetic: 'all training speech is synthesised with espeak-ng; no recorded human speech',
      speakers: TRAIN_SPEAKERS,
      heldOutForEvaluation: EVAL_SPEAKERS,
    },
  };
  writeFileSync(join(outDir, 'profile.json'), JSON.stringify(manifest, null, 2) + '\n');
  log(`wrote ${outDir} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return manifest;
}
