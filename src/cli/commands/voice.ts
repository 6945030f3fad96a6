/**
 * `hmp voice <file.wav>` / `hmp voice --live`, `hmp voice train` and `hmp eval voice`.
 * @internal
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { Engine } from '../../engine/engine.js';
import { createError } from '../../errors.js';
import { createVoiceSession, processVoiceFile, toJsonEvent, type VoiceEvent } from '../../tasks/voice/index.js';

/** One event as a JSON line: `{"type","t",...}` with the utterance reduced to its size. */
export const eventJson = (e: VoiceEvent): Record<string, unknown> => toJsonEvent(e);

function eventText(e: VoiceEvent): string {
  const t = e.t.toFixed(3).padStart(8);
  switch (e.type) {
    case 'speechStart': return `${t}s  speech start`;
    case 'speechEnd': return `${t}s  speech end    (started ${e.start.toFixed(3)} s${e.forced ? ', forced' : ''}; utterance ${e.audio.length} bytes WAV)`;
    case 'wakeWord': return `${t}s  wake word     ${e.text} [${e.phrase}] score ${e.score}`;
    case 'command': return `${t}s  command       ${e.text} → ${e.command} ${JSON.stringify(e.action)} score ${e.score}`;
    case 'error': return `${t}s  error         ${e.code}: ${e.message}`;
  }
}

export const voice: Command = {
  name: ['voice'],
  summary: 'Detect speech, wake words and commands in a WAV file or live PCM',
  help: `Usage: hmp voice <file.wav> [--json] [--profile DIR | --no-profile] [--threshold T] [--patience N]
       hmp voice --live [--rate HZ] [--json] [--profile DIR] [--threshold T] [--patience N]

Runs voice activity detection (Silero VAD v5) and the profile's wake words and commands
(openWakeWord features + hmp-trained head) and prints one event per line:
speechStart, speechEnd, wakeWord, command, error. Times are seconds from the start.

Input: mono 16-bit PCM WAV at 8000-48000 Hz, or with --live raw PCM16 little-endian mono
on stdin at --rate Hz (default 16000), e.g.
  arecord -f S16_LE -r 16000 -c 1 -t raw | hmp voice --live --json

Options:
  --json          one JSON object per line: {"type","t","phrase"?,"command"?,"score"?,...}
  --profile DIR   voice profile directory (default: models/voice/default)
  --no-profile    voice activity detection only
  --live          read raw PCM16 from stdin
  --rate HZ       sample rate of --live input (default 16000)
  --require-wake  only report commands within 8 s after a wake word
  --isolated-commands  a command counts only if its speech segment is not much longer than
                  the phrase (fewer false accepts in running talk; reported when the segment
                  ends, 480 ms after the speech)
  --threshold T   one score threshold for every phrase (0.5-0.99999) instead of the
                  profile's; with --patience, a point on the operating curve (docs/voice.md)
  --patience N    consecutive 80 ms steps at or over the threshold (default: the profile's)
  -h, --help      show this help`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        profile: { type: 'string' },
        'no-profile': { type: 'boolean' },
        live: { type: 'boolean' },
        rate: { type: 'string' },
        'require-wake': { type: 'boolean' },
        'isolated-commands': { type: 'boolean' },
        threshold: { type: 'string' },
        patience: { type: 'string' },
      },
    });
    const profile = values['no-profile'] ? null : values.profile ? resolve(values.profile) : undefined;
    const print = (e: VoiceEvent) => process.stdout.write((values.json ? JSON.stringify(eventJson(e)) : eventText(e)) + '\n');
    if (!values.live && positionals.length !== 1) {
      process.stderr.write(`hmp voice: expected one WAV file (or --live)\n\n${this.help}\n`);
      return 2;
    }
    const engine = await Engine.create({ poolSize: 1 });
    try {
      const common = {
        profile,
        ...(values['require-wake'] ? { requireWake: true } : {}),
        ...(values['isolated-commands'] ? { isolatedCommands: true } : {}),
        // Passed as numbers; the session validates them (coded errors for bad values).
        ...(values.threshold !== undefined ? { phraseThreshold: Number(values.threshold) } : {}),
        ...(values.patience !== undefined ? { patience: Number(values.patience) } : {}),
      };
      if (!values.live) {
        const events = await processVoiceFile(engine, readFileSync(positionals[0]!), common);
        events.forEach(print);
        return events.some((e) => e.type === 'error') ? 1 : 0;
      }
      const rate = values.rate === undefined ? 16000 : Number(values.rate);
      const s = createVoiceSession(engine, { ...common, sampleRate: rate });
      let errors = 0;
      const show = (ev: VoiceEvent[]) => ev.forEach((e) => { if (e.type === 'error') errors++; print(e); });
      let carry: Buffer | undefined;
      for await (const data of process.stdin as AsyncIterable<Buffer>) {
        let buf = carry ? Buffer.concat([carry, data]) : data;
        // A pipe can split a sample; keep the odd byte for the next read.
        carry = buf.length % 2 ? buf.subarray(buf.length - 1) : undefined;
        if (carry) buf = buf.subarray(0, buf.length - 1);
        if (buf.length) show(await s.push(buf));
      }
      show(await s.flush());
      await s.close();
      return errors ? 1 : 0;
    } finally {
      await engine.dispose();
    }
  },
};

export const voiceTrain: Command = {
  name: ['voice', 'train'],
  summary: 'Train a voice profile (wake words, commands) from espeak-ng speech',
  help: `Usage: hmp voice train [--config FILE.json | --phrase TEXT ...] [--out DIR] [--seed N]
                       [--clips N] [--negative-minutes N] [--babble-minutes N] [--context-renders N]
                       [--near-miss-rounds N]
                       [--mine-rounds N] [--epochs N] [--hidden N] [--ensemble N] [--threshold T]

Synthesises training speech with espeak-ng (Debian package espeak-ng; Mandarin and English
voices, variants, speeds, pitches), mixes noise and reverb, computes openWakeWord embeddings
exactly as a live stream does, generates near-misses of every phrase, trains the classifier
head with hard-negative mining (deterministic for a seed), chooses per-phrase thresholds on a
training-side validation split and writes <out>/profile.json + <out>/head.onnx.

Without --config and --phrase it trains the default profile (wake phrases 小美小美 / hey mall,
treadmill and directory commands in Mandarin and English). The shipped profile was made with:
  hmp voice train --out models/voice/default --seed 7

Options:
  --config FILE          JSON: {name, phrases:[{id,text,lang,kind,command?,threshold?}], commands:{id:{action}}, confusables?}
  --phrase TEXT          a wake phrase (repeatable; language: cmn if it has CJK characters, else en)
  --out DIR              output directory (default: models/voice/custom)
  --seed N               random seed (default 7)
  --clips N              positive clips per phrase (default 100)
  --negative-minutes N   minutes of unrelated speech and noise (default 60)
  --babble-minutes N     minutes of training speech in the babble-noise bed (default 1)
  --context-renders N    extra renderings of each positive in babble, half of them after
                         another talker's speech (default 1)
  --near-miss-rounds N   rounds of generated near-misses, new speakers each (default 3)
  --mine-rounds N        hard-negative mining rounds (default 1)
  --epochs N             training epochs (default 10)
  --hidden N             hidden units (default 32)
  --ensemble N           heads trained with other seeds on the same windows, scores averaged (default 3)
  --threshold T          one threshold for every phrase instead of per-phrase thresholds
                         chosen on the validation split
  -h, --help           show this help`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        config: { type: 'string' },
        phrase: { type: 'string', multiple: true },
        out: { type: 'string' },
        seed: { type: 'string' },
        clips: { type: 'string' },
        'negative-minutes': { type: 'string' },
        'babble-minutes': { type: 'string' },
        'context-renders': { type: 'string' },
        epochs: { type: 'string' },
        hidden: { type: 'string' },
        'near-miss-rounds': { type: 'string' },
        'mine-rounds': { type: 'string' },
        ensemble: { type: 'string' },
        threshold: { type: 'string' },
      },
    });
    const { trainProfile } = await import('../../tasks/voice/train.js');
    const { DEFAULT_TRAIN_CONFIG } = await import('../../tasks/voice/default-config.js');
    const { getAudioKernels } = await import('../../runtime/audio-kernels.js');
    const { defaultModelsDir } = await import('../../runtime/models.js');
    const { hasEspeak } = await import('../../tasks/voice/synth.js');
    if (!(await hasEspeak())) throw createError('HMP_ERR_VOICE_SYNTH', 'espeak-ng', 'espeak-ng is not installed (apt-get install -y espeak-ng)');
    const int = (v: string | undefined, name: string) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw createError('HMP_ERR_ARG_INVALID', 'non-negative integer', `--${name}`, v);
      return n;
    };
    // Babble noise is drawn from the bed: an empty one cannot make it.
    const positive = (v: string | undefined, name: string) => {
      const n = int(v, name);
      if (n === 0) throw createError('HMP_ERR_ARG_INVALID', 'positive integer', `--${name}`, v);
      return n;
    };
    let cfg = DEFAULT_TRAIN_CONFIG;
    if (values.config) cfg = JSON.parse(readFileSync(values.config, 'utf8'));
    else if (values.phrase?.length) {
      cfg = {
        name: 'custom',
        phrases: values.phrase.map((text, i) => ({ id: `wake_${i + 1}`, text, lang: /[\u3400-\u9fff]/.test(text) ? 'cmn' : 'en', kind: 'wake' as const })),
        commands: {},
      };
    }
    const out = resolve(values.out ?? 'models/voice/custom');
    const seed = int(values.seed, 'seed') ?? 7;
    let threshold: number | undefined;
    if (values.threshold !== undefined) {
      threshold = Number(values.threshold);
      if (!(threshold > 0 && threshold <= 1)) throw createError('HMP_ERR_ARG_INVALID', 'number in (0, 1]', '--threshold', values.threshold);
    }
    await trainProfile(cfg, out, {
      seed,
      clipsPerPhrase: int(values.clips, 'clips'),
      negativeMinutes: int(values['negative-minutes'], 'negative-minutes'),
      babbleMinutes: positive(values['babble-minutes'], 'babble-minutes'),
      contextRenders: int(values['context-renders'], 'context-renders'),
      nearMissRounds: int(values['near-miss-rounds'], 'near-miss-rounds'),
      mineRounds: int(values['mine-rounds'], 'mine-rounds'),
      epochs: int(values.epochs, 'epochs'),
      hidden: int(values.hidden, 'hidden'),
      ensemble: int(values.ensemble, 'ensemble'),
      threshold,
      commandLine: `hmp voice train ${argv.join(' ')}`.trim(),
      log: (l) => process.stderr.write(`hmp voice train: ${l}\n`),
    }, defaultModelsDir(), await getAudioKernels());
    process.stdout.write(`${out}\n`);
    return 0;
  },
};

export const evalVoice: Command = {
  name: ['eval', 'voice'],
  summary: 'Evaluate a voice profile: false rejects per SNR, false accepts per hour',
  help: `Usage: hmp eval voice [--profile DIR] [--hours H] [--clips N] [--seed N] [--json]

Evaluates on SYNTHETIC speech (espeak-ng) in conditions held out from training: other espeak-ng
variants, speeds and pitches, the English accent en-029, brown and mains-hum/fan noise and
babble of held-out voices. Reports per phrase the false-reject rate at several SNRs, and false
accepts per hour on --hours of negative audio (unrelated speech in Mandarin and English, partial
phrases and near-misses, noise alone).

Options:
  --profile DIR  profile to evaluate (default: models/voice/default)
  --hours H      hours of negative audio (default 1)
  --clips N      clips per phrase and SNR (default 25)
  --seed N       seed of the evaluation draw (default 1001; training seeds differ)
  --json         print the report as JSON
  -h, --help     show this help`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: { profile: { type: 'string' }, hours: { type: 'string' }, clips: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
    });
    const { evaluateProfile, formatReport } = await import('../../tasks/voice/eval.js');
    const { defaultProfileDir } = await import('../../tasks/voice/profile.js');
    const { getAudioKernels } = await import('../../runtime/audio-kernels.js');
    const { defaultModelsDir } = await import('../../runtime/models.js');
    const report = await evaluateProfile(resolve(values.profile ?? defaultProfileDir()), {
      hours: values.hours === undefined ? 1 : Number(values.hours),
      clipsPerCondition: values.clips === undefined ? 25 : Number(values.clips),
      seed: values.seed === undefined ? 1001 : Number(values.seed),
      log: (l) => process.stderr.write(`hmp eval voice: ${l}\n`),
    }, defaultModelsDir(), await getAudioKernels());
    process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report) + '\n');
    return 0;
  },
};

export const voiceSynth: Command = {
  name: ['voice', 'synth'],
  summary: 'Synthesise a test WAV with espeak-ng (phrases placed at known times)',
  help: `Usage: hmp voice synth --out FILE.wav [--voice V] [--variant X] [--speed WPM] [--pitch P]
                       [--at SECONDS:TEXT ...] [--length SECONDS] [--noise-db DBFS] [--seed N]

Writes a 16 kHz mono PCM16 WAV with each TEXT spoken by espeak-ng (trimmed of silence) starting
at SECONDS, over a noise floor (white noise at --noise-db dBFS, default -70), at a speech level
of -20 dBFS. Prints the placement of each text as JSON ({text, start, end} in seconds).
Used to make the repo's voice test fixtures, e.g.
  hmp voice synth --out test/fixtures/voice/stop-en.wav --voice en-us --variant m6 --at 0.6:stop --length 2.2

Options:
  --out FILE        output WAV (required)
  --voice V         espeak-ng voice (default en-us; Mandarin: cmn-latn-pinyin, not cmn,
                    which reads most characters as English-spoken pinyin)
  --variant X       espeak-ng variant (default m6, held out from training)
  --speed WPM       words per minute (default 160)
  --pitch P         0-99 (default 50)
  --at S:TEXT       place TEXT at S seconds (repeatable)
  --length S        total length in seconds (default: last text end + 1)
  --noise-db D      noise floor in dBFS (default -70)
  --seed N          noise seed (default 1)`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        out: { type: 'string' },
        voice: { type: 'string' },
        variant: { type: 'string' },
        speed: { type: 'string' },
        pitch: { type: 'string' },
        at: { type: 'string', multiple: true },
        length: { type: 'string' },
        'noise-db': { type: 'string' },
        seed: { type: 'string' },
      },
    });
    if (!values.out || !values.at?.length) {
      process.stderr.write(`hmp voice synth: --out and at least one --at are required\n\n${this.help}\n`);
      return 2;
    }
    const { synthScene } = await import('../../tasks/voice/synth.js');
    const { encodeWav } = await import('../../tasks/voice/wav.js');
    const { writeFileSync } = await import('node:fs');
    const items = values.at.map((a) => {
      const i = a.indexOf(':');
      const at = Number(a.slice(0, i));
      if (i < 1 || !Number.isFinite(at) || at < 0) throw createError('HMP_ERR_ARG_INVALID', 'SECONDS:TEXT', '--at', a);
      return { at, text: a.slice(i + 1) };
    });
    const scene = await synthScene(items, {
      voice: values.voice ?? 'en-us',
      variant: values.variant ?? 'm6',
      speed: values.speed === undefined ? 160 : Number(values.speed),
      pitch: values.pitch === undefined ? 50 : Number(values.pitch),
    }, { length: values.length === undefined ? undefined : Number(values.length), noiseDb: values['noise-db'] === undefined ? -70 : Number(values['noise-db']), seed: values.seed === undefined ? 1 : Number(values.seed) });
    writeFileSync(values.out, encodeWav(scene.samples, 16000));
    process.stdout.write(JSON.stringify(scene.placements) + '\n');
    return 0;
  },
};
