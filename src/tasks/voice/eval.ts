/**
 * `hmp eval voice`: false rejects per phrase and SNR, and false accepts per hour, for a voice
 * profile, on SYNTHETIC speech (espeak-ng) in conditions held out from training
 * ({@link EVAL_SPEAKERS}: other variants, speeds, pitches, the en-029 accent, brown and hum
 * noise, babble of held-out voices, sentences drawn from another seed).
 *
 * Detection uses the session's own detector (threshold, refractory period, VAD gate) over the
 * same features a live stream computes, so the figures describe the shipped behaviour.
 * @internal
 */
import type { AudioKernelOps } from '../../runtime/audio-kernels.js';
import { createSessionFromFile } from '../../runtime/onnx.js';
import { detect, isHit, isolated, newDetectorState, vadGate, vadSegments, type Detection, type VadMachineOptions } from './detector.js';
import { loadVoiceModels } from './models.js';
import { clipEmbeddings, clipVad, EMB_DIM, EMB_WINDOW, runHead, STEP, type VoiceModels } from './pipeline.js';
import { loadProfile, type VoiceProfile } from './profile.js';
import { pick, placeClip, rng, sentence, speakMany } from './synth.js';
import { avoidList, EVAL_SPEAKERS, randomSpeaker, speakPhrases, speechBed, THRESHOLD_GRID, windowEnd } from './train.js';

export interface EvalOptions {
  /** Hours of negative audio (scored windows). Default 1. */
  hours?: number;
  /** Clips per phrase and SNR. Default 25. */
  clipsPerCondition?: number;
  /** SNRs in dB; `Infinity` = clean. Default [Infinity, 20, 10, 5]. */
  snrs?: number[];
  seed?: number;
  log?: (line: string) => void;
}

export interface PhraseResult {
  id: string;
  text: string;
  threshold: number;
  /** False-reject rate by SNR label ("clean", "20 dB", ...). */
  falseReject: Record<string, number>;
  clips: number;
  /** Detections of a different phrase on this phrase's clips (all SNRs). */
  confusions: number;
}

export interface EvalReport {
  synthetic: true;
  note: string;
  profile: string;
  /** The profile's patience, used for `phrases`, `falseAccepts` and `isolatedCommands`. */
  patience: number;
  heldOut: typeof EVAL_SPEAKERS;
  snrs: string[];
  phrases: PhraseResult[];
  falseAccepts: {
    hours: number;
    total: number;
    perHour: number;
    /** The same audio and thresholds with the session's VAD gate off. */
    withoutVadGatePerHour: number;
    byPhrase: Record<string, number>;
    bySource: Record<'speech' | 'nearMiss' | 'noise', { hours: number; count: number }>;
  };
  /**
   * The session option `isolatedCommands` (a command counts only if its VAD speech segment is at
   * most the phrase's `maxSec` + 0.4 s), at the profile's thresholds and patience.
   */
  isolatedCommands: { falseReject: Record<string, Record<string, number>>; falseAcceptsPerHour: number; bySource: Record<'speech' | 'nearMiss' | 'noise', number> };
  /**
   * False rejects at the profile's thresholds pooled over phrases, per held-out noise kind and
   * SNR (`clips` positives of that kind; its clean column is the same speech without the noise).
   */
  falseRejectByNoise: Record<string, { clips: number; falseReject: Record<string, number> }>;
  /**
   * Operating curve: one threshold for all phrases (`threshold` a number) or the profile's own
   * (`"profile"`): false-reject rate (all phrases pooled) per SNR and false accepts per hour.
   */
  sweep: { threshold: number | 'profile'; patience: number; falseReject: Record<string, number>; falseAcceptsPerHour: number }[];
  seconds: number;
}

/** Thresholds of the operating curve: the training's threshold grid (0.5 … 0.9999). */
const SWEEP = THRESHOLD_GRID;

const snrLabel = (s: number): string => (Number.isFinite(s) ? `${s} dB` : 'clean');

/** The session's default VAD settings (16 kHz samples), for the isolated-command rule. */
const SESSION_VAD: VadMachineOptions = { threshold: 0.5, negThreshold: 0.35, minSpeech: 1536, endDelay: 7680, maxSpeech: 240_000 };

async function scoreClip(models: VoiceModels, audio: Float32Array): Promise<{ scores: Float32Array; classes: number; n: number; vad: Float32Array }> {
  const e = await clipEmbeddings(models, audio);
  const vad = await clipVad(models, audio);
  const n = Math.max(0, e.n - EMB_WINDOW + 1);
  if (n === 0) return { scores: new Float32Array(0), classes: 0, n, vad };
  const windows = new Float32Array(n * EMB_WINDOW * EMB_DIM);
  for (let j = 0; j < n; j++) windows.set(e.emb.subarray(j * EMB_DIM, (j + EMB_WINDOW) * EMB_DIM), j * EMB_WINDOW * EMB_DIM);
  const out: Float32Array[] = [];
  let classes = 0;
  for (let j = 0; j < n; j += 256) {
    const m = Math.min(256, n - j);
    const h = await runHead(models.head!, windows.slice(j * EMB_WINDOW * EMB_DIM, (j + m) * EMB_WINDOW * EMB_DIM), m);
    out.push(h.scores);
    classes = h.classes;
  }
  const scores = new Float32Array(n * classes);
  let o = 0;
  for (const s of out) {
    scores.set(s, o);
    o += s.length;
  }
  return { scores, classes, n, vad };
}

/**
 * Evaluates a profile. Takes minutes (1 h of negatives is ~45 000 embedding steps).
 * @throws HMP_ERR_VOICE_PROFILE, HMP_ERR_VOICE_SYNTH
 */
export async function evaluateProfile(dir: string, o: EvalOptions, modelsDir: string, k?: AudioKernelOps): Promise<EvalReport> {
  const t0 = Date.now();
  const log = o.log ?? (() => {});
  const profile: VoiceProfile = loadProfile(dir);
  const base = await loadVoiceModels(modelsDir);
  const models: VoiceModels = { ...base, head: await createSessionFromFile(profile.headPath) };
  const r = rng(o.seed ?? 1001);
  const snrs = o.snrs ?? [Infinity, 20, 10, 5];
  const clips = o.clipsPerCondition ?? 25;
  const hours = o.hours ?? 1;
  const thresholds = profile.phrases.map((p) => p.threshold);
  // The profile's patience, as a session with default options uses it.
  const patience = profile.patience ?? 1;
  const refractory = 1.5 * 16000;
  const avoid = avoidList(profile.phrases);
  const bed = await speechBed(EVAL_SPEAKERS, 60, r, avoid, k);

  // False rejects: each held-out speaker says each phrase once; the same speech is mixed at
  // every SNR. A clip counts as detected if its phrase fires between the phrase's start and
  // 1.2 s after its end.
  const hits = profile.phrases.map(() => snrs.map(() => 0));
  // Raw scores are kept (a few MB) so one run also gives the operating curve (threshold sweep).
  const positives: { phrase: number; snr: number; scores: Float32Array; classes: number; start: number; end: number; gate: (end: number) => boolean }[] = [];
  const negatives: { scores: Float32Array; classes: number; gate: (end: number) => boolean }[] = [];
  // The isolated-command rule: wake phrases always pass; commands need a short enough segment.
  const isoOk = (segs: { start: number; end: number }[]) => (d: Detection) => {
    const ph = profile.phrases[d.phrase]!;
    return ph.kind === 'wake' || isolated(segs, d.end, SESSION_VAD.endDelay, Math.round(((ph.maxSec ?? 2.5) + 0.4) * 16000));
  };
  const isoHits = profile.phrases.map(() => snrs.map(() => 0));
  const isoFa = { speech: 0, nearMiss: 0, noise: 0 };
  const byNoise = new Map<string, { clips: number; hits: number[] }>(EVAL_SPEAKERS.noises.map((n) => [n, { clips: 0, hits: snrs.map(() => 0) }]));
  const confusions = profile.phrases.map(() => 0);
  for (let c = 0; c < clips; c++) {
    const speech = await speakPhrases(profile.phrases, EVAL_SPEAKERS, r, k);
    for (const [pi, sp] of speech.entries()) {
      const len = sp.length / 16000;
      const pre = Math.max(0.2, 2.1 + r() * 0.6 - len);
      const noiseKind = pick(r, EVAL_SPEAKERS.noises);
      const rt60 = pick(r, EVAL_SPEAKERS.rt60);
      const level = -30 + r() * 14;
      for (const [si, snr] of snrs.entries()) {
        // Clean means clean: the -70 dBFS floor is white for every clip (a babble floor, faint as
        // it is, already costs detections; it belongs to the noisy conditions).
        const clip = placeClip(sp, { preSec: pre, postSec: 1.3, levelDb: level, snrDb: snr, noise: Number.isFinite(snr) ? noiseKind : 'white', rt60, bed }, r);
        const { scores, classes, vad } = await scoreClip(models, clip.audio);
        const gate = vadGate(vad, 0.5);
        positives.push({ phrase: pi, snr: si, scores, classes, start: clip.start, end: clip.end, gate });
        const dets = detect(newDetectorState(), scores, classes, windowEnd(0), thresholds, refractory, gate, patience);
        let hit = false;
        for (const d of dets) {
          if (!isHit(d.end, clip.start, clip.end)) continue;
          if (d.phrase === pi) hit = true;
          else confusions[pi]!++;
        }
        if (hit) hits[pi]![si]!++;
        const bn = byNoise.get(noiseKind)!;
        if (si === 0) bn.clips++;
        if (hit) bn.hits[si]!++;
        const ok = isoOk(vadSegments(vad, SESSION_VAD));
        if (dets.some((d) => d.phrase === pi && isHit(d.end, clip.start, clip.end) && ok(d))) isoHits[pi]![si]!++;
      }
    }
    if ((c + 1) % 5 === 0) log(`positives: ${c + 1}/${clips} rounds (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }

  // False accepts: 30 s pieces of negative audio, scored window by window; only the scored
  // windows count towards the hours (the first 1.92 s of a piece has no full window).
  const near: { text: string; lang: 'cmn' | 'en' }[] = [
    { text: '加油', lang: 'cmn' }, { text: '减肥', lang: 'cmn' }, { text: '停车', lang: 'cmn' }, { text: '小妹', lang: 'cmn' },
    { text: '洗衣服', lang: 'cmn' }, { text: '会议中心', lang: 'cmn' }, { text: '加班', lang: 'cmn' }, { text: '美美', lang: 'cmn' },
    { text: 'fast', lang: 'en' }, { text: 'slow', lang: 'en' }, { text: 'stopped', lang: 'en' }, { text: 'hey man', lang: 'en' },
    { text: 'where is the bus', lang: 'en' }, { text: 'open the window', lang: 'en' }, { text: 'member', lang: 'en' }, { text: 'small', lang: 'en' },
  ];
  for (const p of profile.phrases) {
    const w = p.text.split(/\s+/);
    if (p.lang === 'en' && w.length >= 2) near.push({ text: w.slice(0, -1).join(' '), lang: 'en' });
    if (p.lang === 'cmn' && p.text.length >= 3) near.push({ text: p.text.slice(0, p.text.length - 1), lang: 'cmn' });
  }
  const byPhrase: Record<string, number> = Object.fromEntries(profile.phrases.map((p) => [p.id, 0]));
  const bySource = { speech: { hours: 0, count: 0 }, nearMiss: { hours: 0, count: 0 }, noise: { hours: 0, count: 0 } };
  let windows = 0;
  let ungated = 0;
  for (let q = 0; windows * STEP < hours * 3600 * 16000; q++) {
    const kind = q % 8 === 7 ? 'noise' : q % 8 === 6 ? 'nearMiss' : 'speech';
    let audio: Float32Array;
    if (kind === 'noise') {
      audio = placeClip(new Float32Array(30 * 16000), { preSec: 0, postSec: 0, levelDb: -50 + r() * 30, snrDb: 0, noise: pick(r, EVAL_SPEAKERS.noises), rt60: 0, bed }, r).audio;
    } else {
      let sp: Float32Array;
      if (kind === 'speech') sp = await speechBed(EVAL_SPEAKERS, 30, r, avoid, k);
      else {
        // Near misses between unrelated sentences, one speaker per language.
        const parts: Float32Array[] = [];
        for (const lang of ['cmn', 'en'] as const) {
          const texts = near.filter((x) => x.lang === lang).map((x) => x.text);
          texts.push(sentence(lang, r, lang === 'en' ? avoid.en : avoid.cmn));
          for (const s of await speakMany(texts, randomSpeaker(EVAL_SPEAKERS, lang, r), k)) parts.push(s, new Float32Array(Math.floor((0.6 + r() * 0.8) * 16000)));
        }
        sp = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
        let off = 0;
        for (const p of parts) {
          sp.set(p, off);
          off += p.length;
        }
      }
      audio = placeClip(sp, { preSec: 0, postSec: 0, levelDb: -30 + r() * 14, snrDb: pick(r, [Infinity, 20, 10]), noise: pick(r, EVAL_SPEAKERS.noises), rt60: pick(r, EVAL_SPEAKERS.rt60), bed }, r).audio;
    }
    const { scores, classes, n, vad } = await scoreClip(models, audio);
    const gate = vadGate(vad, 0.5);
    negatives.push({ scores, classes, gate });
    ungated += detect(newDetectorState(), scores, classes, windowEnd(0), thresholds, refractory, undefined, patience).length;
    const dets = detect(newDetectorState(), scores, classes, windowEnd(0), thresholds, refractory, gate, patience);
    for (const d of dets) byPhrase[profile.phrases[d.phrase]!.id]!++;
    isoFa[kind] += dets.filter(isoOk(vadSegments(vad, SESSION_VAD))).length;
    windows += n;
    bySource[kind].hours += (n * STEP) / 16000 / 3600;
    bySource[kind].count += dets.length;
    if (q % 20 === 19) log(`negatives: ${((windows * STEP) / 16000 / 60).toFixed(1)} min scored, ${Object.values(byPhrase).reduce((a, b) => a + b, 0)} false accepts (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const h = (windows * STEP) / 16000 / 3600;
  const total = Object.values(byPhrase).reduce((a, b) => a + b, 0);
  const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
  for (const v of Object.values(bySource)) v.hours = round(v.hours);
  // Operating curve: the same detector with one threshold for every phrase.
  const sweep = [...SWEEP, 'profile' as const].flatMap((th) => [1, 2, 3].map((patience) => ({ th, patience }))).map(({ th, patience }) => {
    const ths = th === 'profile' ? thresholds : profile.phrases.map(() => th);
    const hit = snrs.map(() => 0);
    for (const p of positives) {
      const dets = detect(newDetectorState(), p.scores, p.classes, windowEnd(0), ths, refractory, p.gate, patience);
      if (dets.some((d) => d.phrase === p.phrase && isHit(d.end, p.start, p.end))) hit[p.snr]!++;
    }
    let fa = 0;
    for (const q of negatives) fa += detect(newDetectorState(), q.scores, q.classes, windowEnd(0), ths, refractory, q.gate, patience).length;
    const per = profile.phrases.length * clips;
    return { threshold: th, patience, falseReject: Object.fromEntries(snrs.map((s, si) => [snrLabel(s), round(1 - hit[si]! / per)])), falseAcceptsPerHour: round(fa / h, 2) };
  });
  return {
    synthetic: true,
    note: 'All evaluation speech is synthetic (espeak-ng), in voices, speeds, pitches and noises held out from training; it says nothing certain about real talkers.',
    profile: dir,
    patience,
    heldOut: EVAL_SPEAKERS,
    snrs: snrs.map(snrLabel),
    phrases: profile.phrases.map((p, i) => ({
      id: p.id,
      text: p.text,
      threshold: p.threshold,
      falseReject: Object.fromEntries(snrs.map((s, si) => [snrLabel(s), round(1 - hits[i]![si]! / clips)])),
      clips,
      confusions: confusions[i]!,
    })),
    falseAccepts: { hours: round(h), total, perHour: round(total / h, 2), withoutVadGatePerHour: round(ungated / h, 2), byPhrase, bySource },
    isolatedCommands: {
      falseReject: Object.fromEntries(profile.phrases.map((p, i) => [p.id, Object.fromEntries(snrs.map((s, si) => [snrLabel(s), round(1 - isoHits[i]![si]! / clips)]))])),
      falseAcceptsPerHour: round((isoFa.speech + isoFa.nearMiss + isoFa.noise) / h, 2),
      bySource: isoFa,
    },
    falseRejectByNoise: Object.fromEntries(
      [...byNoise].map(([kind, b]) => [kind, { clips: b.clips, falseReject: Object.fromEntries(snrs.map((s, si) => [snrLabel(s), b.clips ? round(1 - b.hits[si]! / b.clips) : 0])) }]),
    ),
    sweep,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
}

/** The report as a Markdown table (what docs/voice.md shows). */
export function formatReport(r: EvalReport): string {
  const lines = [
    `SYNTHETIC evaluation (espeak-ng, held-out voices/speeds/pitches/noise) of ${r.profile} (its thresholds, patience ${r.patience})`,
    '',
    `| phrase | text | threshold | ${r.snrs.map((s) => `FRR ${s}`).join(' | ')} | confusions |`,
    `|---|---|---|${r.snrs.map(() => '---').join('|')}|---|`,
    ...r.phrases.map((p) => `| ${p.id} | ${p.text} | ${p.threshold} | ${r.snrs.map((s) => `${(p.falseReject[s]! * 100).toFixed(0)}%`).join(' | ')} | ${p.confusions} |`),
    '',
    `False accepts: ${r.falseAccepts.total} in ${r.falseAccepts.hours} h of negative audio = ${r.falseAccepts.perHour} per hour ` +
      `(speech ${r.falseAccepts.bySource.speech.count} in ${r.falseAccepts.bySource.speech.hours} h, near misses ${r.falseAccepts.bySource.nearMiss.count} in ${r.falseAccepts.bySource.nearMiss.hours} h, noise ${r.falseAccepts.bySource.noise.count} in ${r.falseAccepts.bySource.noise.hours} h)`,
    `Without the VAD gate: ${r.falseAccepts.withoutVadGatePerHour} per hour`,
    `By phrase: ${Object.entries(r.falseAccepts.byPhrase).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `Clips per phrase and SNR: ${r.phrases[0]?.clips ?? 0}; ${r.seconds} s`,
    '',
    'False rejects by held-out noise kind (all phrases pooled, the profile\'s thresholds):',
    '',
    `| noise | clips | ${r.snrs.map((s) => `FRR ${s}`).join(' | ')} |`,
    `|---|---|${r.snrs.map(() => '---').join('|')}|`,
    ...Object.entries(r.falseRejectByNoise).map(([kind, b]) => `| ${kind} | ${b.clips} | ${r.snrs.map((s) => `${(b.falseReject[s]! * 100).toFixed(0)}%`).join(' | ')} |`),
    '',
    `With isolatedCommands (a command counts only if its speech segment is at most the phrase's maxSec + 0.4 s): ${r.falseAccepts.hours > 0 ? r.isolatedCommands.falseAcceptsPerHour : 0} false accepts per hour ` +
      `(speech ${r.isolatedCommands.bySource.speech}, near misses ${r.isolatedCommands.bySource.nearMiss}, noise ${r.isolatedCommands.bySource.noise})`,
    '',
    `| phrase | ${r.snrs.map((s) => `FRR ${s}`).join(' | ')} |`,
    `|---|${r.snrs.map(() => '---').join('|')}|`,
    ...r.phrases.map((p) => `| ${p.id} | ${r.snrs.map((s) => `${(r.isolatedCommands.falseReject[p.id]![s]! * 100).toFixed(0)}%`).join(' | ')} |`),
    '',
    'Operating curve (one threshold for every phrase; patience = consecutive 80 ms steps over it; false rejects pooled over phrases):',
    '',
    `| threshold | patience | ${r.snrs.map((s) => `FRR ${s}`).join(' | ')} | false accepts / h |`,
    `|---|---|${r.snrs.map(() => '---').join('|')}|---|`,
    ...r.sweep.map((w) => `| ${w.threshold} | ${w.patience} | ${r.snrs.map((s) => `${(w.falseReject[s]! * 100).toFixed(1)}%`).join(' | ')} | ${w.falseAcceptsPerHour} |`),
  ];
  return lines.join('\n');
}
