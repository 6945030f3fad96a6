import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, createSceneSession, type SceneEvent } from '../../../dist/src/index.js';
import { loadSceneDataset } from '../../../dist/src/tasks/scene/dataset.js';
import { loadSceneModel } from '../../../dist/src/tasks/scene/model.js';
import { EVAL } from '../../helpers.js';

const DIR = join(EVAL, 'scene');

// fire2_mp4 and smoke1_mp4 are in the committed model's held-out test fold (models/scene/scene-v1.json
// split.testGroups): the model never saw these videos.
describe.skipIf(!existsSync(DIR))('replayed real video groups (needs ../shared/eval/scene; skipped in a plain clone)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1 });
  });
  afterAll(() => engine.dispose());

  const samples = existsSync(DIR) ? loadSceneDataset(DIR) : [];
  const group = (g: string) => samples.filter((s) => s.group === g).sort((a, b) => a.index - b.index);

  // Frame index i of a group at i/2 s (2 fps nominal, as hmp eval scene replays them).
  async function replay(files: string[], times: number[]) {
    const s = await createSceneSession(engine, { id: 'replay' });
    const events: SceneEvent[] = [];
    s.on('event', (e: SceneEvent) => events.push(e));
    const scores: { fire: number; smoke: number }[] = [];
    for (let i = 0; i < files.length; i++) {
      const r = await s.push(readFileSync(files[i]), { timestamp: times[i] });
      scores.push(r.scores);
    }
    await s.close();
    return { events, scores };
  }

  it('the test groups really are held out of the committed model', () => {
    const m = loadSceneModel(engine.modelsDir);
    expect(m.file.split.testGroups).toContain('fire2_mp4');
    expect(m.file.split.testGroups).toContain('smoke1_mp4');
    expect(m.file.split.trainGroups).not.toContain('fire2_mp4');
  });

  it('a replayed fire video (fire2_mp4) raises a fire alarm with a region and a JPEG snapshot', async () => {
    const frames = group('fire2_mp4');
    expect(frames.length).toBe(51);
    const { events } = await replay(frames.map((f) => f.path), frames.map((f) => (f.index - frames[0].index) * 500));
    const fire = events.find((e) => e.type === 'fire' && e.state === 'raised');
    expect(fire, JSON.stringify(events.map((e) => [e.type, e.state, e.frame]))).toBeDefined();
    expect(fire!.timestamp).toBeLessThanOrEqual(5000);
    expect(fire!.regions.length).toBeGreaterThan(0);
    expect(fire!.confidence).toBeGreaterThan(0.3);
    const jpeg = Buffer.from(fire!.snapshot!, 'base64');
    expect([jpeg[0], jpeg[1], jpeg[2]]).toEqual([0xff, 0xd8, 0xff]);
    expect(events.some((e) => e.type.startsWith('tamper'))).toBe(false);
  });

  it('a replayed smoke video (smoke1_mp4) raises a smoke alarm', async () => {
    const g = group('smoke1_mp4');
    const { events } = await replay(g.map((f) => f.path), g.map((f) => (f.index - g[0].index) * 500));
    expect(events.some((e) => e.type === 'smoke' && e.state === 'raised'), JSON.stringify(events.map((e) => [e.type, e.frame]))).toBe(true);
  });

  it('normal frames of held-out groups, each held still for 4 s at 5 fps, stay quiet', async () => {
    const m = loadSceneModel(engine.modelsDir);
    const test = new Set(m.file.split.testGroups);
    const normals = samples.filter((s) => !s.fire && !s.smoke && test.has(s.group)).slice(0, 6);
    expect(normals.length).toBe(6);
    for (const n of normals) {
      const { events, scores } = await replay(Array.from({ length: 20 }, () => n.path), Array.from({ length: 20 }, (_, i) => i * 200));
      expect(events.filter((e) => e.type === 'fire' || e.type === 'smoke'), `${n.file} ${JSON.stringify(scores[0])}`).toEqual([]);
    }
  });
});
