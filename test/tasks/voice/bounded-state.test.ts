import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, createVoiceSession, parseWav, voiceEventToJson } from '../../../dist/src/index.js';
import { ROOT } from '../../helpers.js';

describe('a voice session holds bounded state', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
  });
  afterAll(() => engine.dispose());

  it('memory after 6 s and after 60 s of speech is the same, and every event is plain JSON', async () => {
    const { pcm } = parseWav(readFileSync(join(ROOT, 'test', 'fixtures', 'voice', 'stop-en-16k.wav')));
    const s = createVoiceSession(engine, { sampleRate: 16000 });
    const events = [];
    let at6 = 0;
    for (let i = 0; i < 20; i++) {
      events.push(...(await s.push(pcm)));
      if (i === 1) at6 = s.memoryBytes;
    }
    expect(s.time).toBeCloseTo(64, 5);
    expect(s.memoryBytes).toBeLessThanOrEqual(at6 + 4096);
    expect(s.memoryBytes).toBeLessThan(1 << 20);
    // Each 3.2 s repetition holds one "stop": 20 commands, one per repetition, in order.
    const cmds = events.filter((e) => e.type === 'command');
    expect(cmds.length).toBe(20);
    cmds.forEach((c, i) => expect(c.t).toBeCloseTo(i * 3.2 + 2.3, 0));
    for (const e of events) expect(JSON.parse(JSON.stringify(voiceEventToJson(e)))).toEqual(voiceEventToJson(e));
    await s.close();
  });
});
