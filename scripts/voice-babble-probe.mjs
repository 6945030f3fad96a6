// Probes a voice profile's heads with the evaluation's held-out speakers in controlled noise:
// which part of babble costs detections (babble around the phrase, over it, or faint babble).
// Synthetic speech (espeak-ng); needs a build (npx tsc -p tsconfig.json).
//   node scripts/voice-babble-probe.mjs [--profile DIR] [--rounds N] [--seed S]
// Prints a Markdown table: per condition, the share of clips whose own phrase stays at or over its
// threshold for the profile's patience (anywhere in the clip), and the mean of that run's score.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { clipEmbeddings, EMB_DIM, EMB_WINDOW, runHead } from '../dist/src/tasks/voice/pipeline.js';
import { loadVoiceModels } from '../dist/src/tasks/voice/models.js';
import { placeClip, rng, speak } from '../dist/src/tasks/voice/synth.js';
import { avoidList, EVAL_SPEAKERS, randomSpeaker, speechBed, TRAIN_SPEAKERS } from '../dist/src/tasks/voice/train.js';
import { createSessionFromFile } from '../dist/src/runtime/onnx.js';
import { defaultModelsDir } from '../dist/src/runtime/models.js';
import { loadProfile } from '../dist/src/tasks/voice/profile.js';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { profile: { type: 'string' }, rounds: { type: 'string' }, seed: { type: 'string' } }, strict: true });
const profile = loadProfile(values.profile ?? join(root, 'models', 'voice', 'default'));
const rounds = Number(values.rounds ?? 8);
const models = { ...(await loadVoiceModels(defaultModelsDir())), head: await createSessionFromFile(profile.headPath) };
const patience = profile.patience ?? 1;
const r = rng(Number(values.seed ?? 77));
const avoid = avoidList(profile.phrases);
const heldOutBed = await speechBed(EVAL_SPEAKERS, 60, r, avoid);
const trainBed = await speechBed(TRAIN_SPEAKERS, 60, r, avoid);

// [label, SNR dB, noise kind, babble bed, where the noise is: everywhere / around the phrase only / over it only]
const CONDITIONS = [
  ['clean (white -70 dBFS floor)', Infinity, 'white'],
  ['babble as the -70 dBFS floor', Infinity, 'babble', heldOutBed],
  ['white 10 dB', 10, 'white'],
  ['pink 10 dB', 10, 'pink'],
  ['brown 10 dB', 10, 'brown'],
  ['babble 40 dB', 40, 'babble', heldOutBed],
  ['babble 20 dB', 20, 'babble', heldOutBed],
  ['babble 20 dB, around the phrase only', 20, 'babble', heldOutBed, 'around'],
  ['babble 20 dB, over the phrase only', 20, 'babble', heldOutBed, 'over'],
  ['babble 10 dB', 10, 'babble', heldOutBed],
  ['babble 10 dB, around the phrase only', 10, 'babble', heldOutBed, 'around'],
  ['babble 10 dB, over the phrase only', 10, 'babble', heldOutBed, 'over'],
  ['babble 10 dB of training voices', 10, 'babble', trainBed],
];
const stats = CONDITIONS.map(() => ({ n: 0, pass: 0, score: 0 }));

/** Highest score of phrase `pi` held for `patience` consecutive steps. */
async function bestRun(audio, pi) {
  const e = await clipEmbeddings(models, audio);
  const n = e.n - EMB_WINDOW + 1;
  const w = new Float32Array(n * EMB_WINDOW * EMB_DIM);
  for (let j = 0; j < n; j++) w.set(e.emb.subarray(j * EMB_DIM, (j + EMB_WINDOW) * EMB_DIM), j * EMB_WINDOW * EMB_DIM);
  const h = await runHead(models.head, w, n);
  let best = 0;
  for (let j = patience - 1; j < n; j++) {
    let m = 1;
    for (let k = 0; k < patience; k++) m = Math.min(m, h.scores[(j - k) * h.classes + pi + 1]);
    best = Math.max(best, m);
  }
  return best;
}

for (let c = 0; c < rounds; c++) {
  for (const [pi, ph] of profile.phrases.entries()) {
    const sp = await speak(ph.text, randomSpeaker(EVAL_SPEAKERS, ph.lang, r));
    const pre = Math.max(0.2, 2.3 - sp.length / 16000);
    const clipSeed = Math.floor(r() * 2 ** 31);
    const clean = placeClip(sp, { preSec: pre, postSec: 1.3, levelDb: -22, snrDb: Infinity, noise: 'white', rt60: 0 }, rng(clipSeed));
    for (const [i, [, snr, kind, bed, where]] of CONDITIONS.entries()) {
      const clip = placeClip(sp, { preSec: pre, postSec: 1.3, levelDb: -22, snrDb: snr, noise: kind, rt60: 0, bed }, rng(clipSeed));
      if (where) {
        for (let t = 0; t < clip.audio.length; t++) {
          const over = t >= clip.start && t < clip.end;
          if ((where === 'around' && over) || (where === 'over' && !over)) clip.audio[t] = clean.audio[t];
        }
      }
      const s = await bestRun(clip.audio, pi);
      stats[i].n++;
      stats[i].score += s;
      if (s >= ph.threshold) stats[i].pass++;
    }
  }
  process.stderr.write(`round ${c + 1}/${rounds}\n`);
}
console.log(`Profile ${values.profile ?? 'models/voice/default'}, patience ${patience}, ${rounds} held-out speakers per phrase, speech at -22 dBFS, no reverb`);
console.log('');
console.log('| condition | clips detected | mean best score |');
console.log('|---|---|---|');
for (const [i, [label]] of CONDITIONS.entries()) {
  const s = stats[i];
  console.log(`| ${label} | ${s.pass}/${s.n} (${((100 * s.pass) / s.n).toFixed(0)} %) | ${(s.score / s.n).toFixed(3)} |`);
}
