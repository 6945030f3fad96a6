import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../dist/src/engine/engine.js';
import { loadRgb } from '../../../dist/src/runtime/face-images.js';
import { FaceTracker } from '../../../dist/src/tasks/face/index.js';
import { UTK, utkSample } from './helpers.js';

/** Pastes an RGB crop into a black canvas at (x, y). */
function place(crop: { data: Uint8Array; width: number; height: number }, W: number, H: number, x: number, y: number) {
  const out = new Uint8Array(W * H * 3);
  for (let r = 0; r < crop.height; r++) out.set(crop.data.subarray(r * crop.width * 3, (r + 1) * crop.width * 3), ((y + r) * W + x) * 3);
  return { data: out, width: W, height: H, format: 'rgb' as const };
}

describe.skipIf(!existsSync(UTK))('FaceTracker on a real face moving across frames (../shared/eval/faces; skipped without it)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  it('keeps one track id, accumulates dwell/attention, samples attributes 3 times, then ends the track', async () => {
    const s = utkSample()[6];
    const crop = await loadRgb(s.file);
    const tracker = new FaceTracker(engine, { detect: { minFaceSize: 0 }, maxMissingMs: 300 });
    const ids = new Set<number>();
    let t = 0;
    const attrMs: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await tracker.push(place(crop, 640, 360, 40 + i * 25, 80), t);
      expect(r.faces).toHaveLength(1);
      ids.add(r.faces[0].trackId!);
      attrMs.push(r.timings.attributesMs);
      t += 100;
    }
    expect(ids.size).toBe(1);
    const [track] = tracker.tracks;
    expect(track.frames).toBe(6);
    expect(track.dwellMs).toBe(500);
    expect(track.attentionMs).toBeGreaterThan(0);
    expect(track.attributeSamples).toBe(3);
    expect(track.gender).toMatch(/^(male|female)$/);
    // After 3 samples the worker skips attributes for this face.
    expect(attrMs.slice(3).every((ms) => ms === 0 || ms < Math.min(...attrMs.slice(0, 3)))).toBe(true);
    // An empty frame past maxMissingMs ends the track.
    const r = await tracker.push({ data: new Uint8Array(640 * 360 * 3), width: 640, height: 360, format: 'rgb' }, t + 400);
    expect(r.ended.map((e) => e.trackId)).toEqual([track.trackId]);
    expect(tracker.tracks).toEqual([]);
    await expect(tracker.push(place(crop, 640, 360, 40, 80), 0)).rejects.toMatchObject({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('timestamp') });
  });
});
