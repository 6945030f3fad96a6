/**
 * `hmp eval faces` 720p composites: UTKFace crops of known sizes pasted on face-free texture
 * photos (built at run time from ../shared/eval). A small seeded run: every face is placed, the
 * larger pasted faces are found, and the textures yield almost no detections.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../dist/src/engine/engine.js';
import { compositeBackgrounds, evalComposites } from '../../../dist/src/tasks/face/eval-composite.js';
import { EVAL } from '../../helpers.js';
import { UTK } from './helpers.js';

const backgrounds = existsSync(UTK) ? compositeBackgrounds(EVAL) : [];

describe.skipIf(backgrounds.length === 0)('720p composites (needs ../shared/eval)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  it('places every face, finds the large ones and few detections on the textures', async () => {
    expect(backgrounds.length).toBe(47);
    const r = await evalComposites(engine, UTK, backgrounds.slice(0, 5), { facesPerFrame: 5, seed: 3 });
    expect(r).toMatchObject({ frames: 5, width: 1280, height: 720, detector: 'both' });
    const at05 = r.byThreshold[0]!;
    expect(at05.minScore).toBe(0.5);
    expect(at05.all.faces).toBe(25);
    const large = at05.buckets.filter((b) => b.bucket === '60-100' || b.bucket === '100-200');
    const faces = large.reduce((a, b) => a + b.faces, 0);
    const found = large.reduce((a, b) => a + b.found, 0);
    expect(faces).toBeGreaterThan(5);
    expect(found / faces).toBeGreaterThan(0.85);
    expect(at05.unmatched).toBeLessThanOrEqual(3);
  }, 60_000);
});
