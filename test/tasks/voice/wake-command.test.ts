import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, processVoiceFile, type VoiceEvent } from '../../../dist/src/index.js';
import { ROOT } from '../../helpers.js';
import { MANDARIN_VOICE } from '../../../dist/src/tasks/voice/synth.js';
import { ESPEAK_SKIP, HAS_ESPEAK, scene } from './helpers.js';

type Ev<T extends VoiceEvent['type']> = Extract<VoiceEvent, { type: T }>;
const of = <T extends VoiceEvent['type']>(ev: VoiceEvent[], t: T) => ev.filter((e): e is Ev<T> => e.type === t);
const phrases = (ev: VoiceEvent[]) => ev.flatMap((e) => (e.type === 'wakeWord' || e.type === 'command' ? [e] : []));

describe('wake words and commands with the shipped default profile', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
  });
  afterAll(() => engine.dispose());

  it('committed fixture: "stop" (espeak-ng en-us+m6, a held-out voice) fires treadmill.stop once, right after the word', async () => {
    // test/fixtures/voice/stop-en-16k.wav: "stop" spoken from 1.80 s to 2.27 s (see test/fixtures/README.md).
    const ev = await processVoiceFile(engine, readFileSync(join(ROOT, 'test', 'fixtures', 'voice', 'stop-en-16k.wav')));
    const hits = phrases(ev);
    expect(hits.map((e) => e.type === 'command' && e.command)).toEqual(['treadmill.stop']);
    const c = hits[0] as Ev<'command'>;
    expect(c.action).toEqual({ type: 'treadmill', op: 'stop' });
    expect(c.t).toBeGreaterThanOrEqual(2.27 - 0.1);
    expect(c.t).toBeLessThanOrEqual(2.27 + 0.6);
    expect(c.score).toBeGreaterThanOrEqual(0.5);
    expect(of(ev, 'speechStart').length).toBe(1);
  });

  it('phraseThreshold and patience move the operating point: lower fires no later, far stricter does not fire', async () => {
    const wav = readFileSync(join(ROOT, 'test', 'fixtures', 'voice', 'stop-en-16k.wav'));
    const base = phrases(await processVoiceFile(engine, wav));
    const loose = phrases(await processVoiceFile(engine, wav, { phraseThreshold: 0.5, patience: 1 }));
    expect(loose.map((e) => e.phrase)).toEqual(['stop_en']);
    expect(loose[0]!.t).toBeLessThanOrEqual(base[0]!.t);
    // 0.99999 held for 10 steps (800 ms): longer than any trained positive window run.
    expect(phrases(await processVoiceFile(engine, wav, { phraseThreshold: 0.99999, patience: 10 }))).toEqual([]);
  });

  describe.skipIf(!HAS_ESPEAK)('synthesised in held-out voices', () => {
    if (!HAS_ESPEAK) console.warn(ESPEAK_SKIP);
    const cases = [
      { voice: MANDARIN_VOICE, variant: 'f4', text: '小美小美', type: 'wakeWord', id: 'wake_xiaomei' },
      { voice: MANDARIN_VOICE, variant: 'm7', text: '加速', type: 'command', id: 'speed_up_zh' },
      { voice: MANDARIN_VOICE, variant: 'f4', text: '洗手间在哪', type: 'command', id: 'toilet_zh' },
      { voice: 'en-us', variant: 'f5', text: 'hey mall', type: 'wakeWord', id: 'wake_hey_mall' },
      { voice: 'en-029', variant: 'm6', text: 'where is the toilet', type: 'command', id: 'toilet_en' },
    ] as const;
    for (const c of cases) {
      it(`"${c.text}" (${c.voice}+${c.variant}) → ${c.type} ${c.id}`, async () => {
        const s = await scene([{ at: 2.0, text: c.text }], c.voice, c.variant, 4.5);
        const ev = await processVoiceFile(engine, s.wav);
        const hits = phrases(ev);
        expect(hits.map((e) => `${e.type}:${e.phrase}`)).toEqual([`${c.type}:${c.id}`]);
        // Fires once more than half of the phrase was heard (a repeated wake phrase can be
        // recognised before its last syllable ends) and at most 0.6 s after it ended.
        const { start, end } = s.placements[0]!;
        expect(hits[0]!.t).toBeGreaterThanOrEqual(start + 0.5 * (end - start));
        expect(hits[0]!.t).toBeLessThanOrEqual(end + 0.6);
      });
    }

    it('isolatedCommands: a command said alone still fires (same time, after its speech segment ends); inside longer talk it does not', async () => {
      const alone = await scene([{ at: 2.0, text: 'stop' }], 'en-us', 'f5', 4.5);
      const free = await processVoiceFile(engine, alone.wav);
      const iso = await processVoiceFile(engine, alone.wav, { isolatedCommands: true });
      expect(phrases(iso)).toEqual(phrases(free));
      expect(phrases(iso).map((e) => e.phrase)).toEqual(['stop_en']);
      // The command now waits for the end of its segment: it comes right before that speechEnd.
      const i = iso.findIndex((e) => e.type === 'command');
      expect(iso[i + 1]!.type).toBe('speechEnd');
      // "stop" run into a sentence: one 3-second segment, far longer than "stop" can take.
      const talk = await scene([{ at: 2.0, text: 'stop' }, { at: 2.55, text: 'the music and play something else for the people here' }], 'en-us', 'f5', 7);
      expect(phrases(await processVoiceFile(engine, talk.wav, { isolatedCommands: true })).filter((e) => e.type === 'command')).toEqual([]);
    });

    it('requireWake: commands count only within the wake window after a wake word', async () => {
      const s = await scene([{ at: 2.0, text: 'stop' }, { at: 4.5, text: 'hey mall' }, { at: 6.5, text: 'stop' }], 'en-us', 'f5', 8.5);
      const free = phrases(await processVoiceFile(engine, s.wav));
      const gated = phrases(await processVoiceFile(engine, s.wav, { requireWake: true }));
      expect(free.map((e) => e.phrase)).toEqual(['stop_en', 'wake_hey_mall', 'stop_en']);
      expect(gated.map((e) => e.phrase)).toEqual(['wake_hey_mall', 'stop_en']);
    });
  });
});
