import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, createVoiceSession, processVoiceFile, encodeWav } from '../../../dist/src/index.js';

const code = (c: string, name: string) => expect.objectContaining({ code: c, message: expect.stringContaining(name) });

describe('voice sessions reject bad input with coded errors', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
  });
  afterAll(() => engine.dispose());

  it('sample rates outside 8000-48000 Hz, unknown options, bad option values', () => {
    expect(() => createVoiceSession(engine, { sampleRate: 96000, profile: null })).toThrow(code('HMP_ERR_VOICE_SAMPLE_RATE', 'options.sampleRate'));
    expect(() => createVoiceSession(engine, { sampleRate: 16000.5, profile: null })).toThrow(code('HMP_ERR_VOICE_SAMPLE_RATE', 'options.sampleRate'));
    expect(() => createVoiceSession(engine, {} as never)).toThrow(code('HMP_ERR_VOICE_SAMPLE_RATE', 'options.sampleRate'));
    expect(() => createVoiceSession(engine, { sampleRate: 16000, rate: 1 } as never)).toThrow(code('HMP_ERR_OPTION_UNKNOWN', 'rate'));
    expect(() => createVoiceSession(engine, { sampleRate: 16000, vad: { minSpeech: 3 } } as never)).toThrow(code('HMP_ERR_OPTION_UNKNOWN', 'minSpeech'));
    expect(() => createVoiceSession(engine, { sampleRate: 16000, vad: { threshold: 2 } })).toThrow(code('HMP_ERR_ARG_RANGE', 'options.vad.threshold'));
    expect(() => createVoiceSession(engine, { sampleRate: 16000, vadGate: 'yes' as never })).toThrow(code('HMP_ERR_ARG_INVALID', 'options.vadGate'));
    expect(() => createVoiceSession(engine, { sampleRate: 16000, patience: 0 })).toThrow(code('HMP_ERR_ARG_RANGE', 'options.patience'));
    expect(() => createVoiceSession(engine, { sampleRate: 16000, phraseThreshold: 0.3 })).toThrow(code('HMP_ERR_ARG_RANGE', 'options.phraseThreshold'));
    expect(() => createVoiceSession(engine, { sampleRate: 16000, phraseThreshold: '0.9' as never })).toThrow(code('HMP_ERR_ARG_INVALID', 'options.phraseThreshold'));
    expect(() => createVoiceSession(engine, { sampleRate: 16000, isolatedCommands: 1 as never })).toThrow(code('HMP_ERR_ARG_INVALID', 'options.isolatedCommands'));
    expect(() => createVoiceSession(engine, { sampleRate: 16000, profile: '/nonexistent/profile' })).toThrow(code('HMP_ERR_VOICE_PROFILE', 'profile.json'));
  });

  it('odd byte counts, non-byte chunks, pushes after close', async () => {
    const s = createVoiceSession(engine, { sampleRate: 16000, profile: null });
    await expect(s.push(new Uint8Array(3))).rejects.toThrow(code('HMP_ERR_VOICE_PCM_ODD', 'chunk'));
    await expect(s.push('abcd' as never)).rejects.toThrow(code('HMP_ERR_ARG_INVALID', 'chunk'));
    expect(await s.push(new Uint8Array(2 * 1600))).toEqual([]); // 100 ms of silence: no events
    await s.close();
    await expect(s.push(new Uint8Array(2))).rejects.toThrow(expect.objectContaining({ code: 'HMP_ERR_VOICE_SESSION_CLOSED' }));
  });

  it('non-WAV files and WAVs at unsupported rates', async () => {
    await expect(processVoiceFile(engine, new TextEncoder().encode('ID3 mp3 bytes, not a wav'))).rejects.toThrow(code('HMP_ERR_VOICE_FORMAT', 'wav'));
    await expect(processVoiceFile(engine, encodeWav(new Int16Array(100), 6000), { profile: null })).rejects.toThrow(code('HMP_ERR_VOICE_SAMPLE_RATE', '6000 Hz'));
  });

  it('a full backlog rejects the chunk instead of queueing it', async () => {
    const s = createVoiceSession(engine, { sampleRate: 16000, profile: null, maxQueue: 1 });
    const first = s.push(new Uint8Array(2 * 16000));
    await expect(s.push(new Uint8Array(2 * 16000))).rejects.toThrow(expect.objectContaining({ code: 'HMP_ERR_VOICE_BACKLOG' }));
    await first;
    await s.close();
  });
});
