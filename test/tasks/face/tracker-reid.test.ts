import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../dist/src/engine/engine.js';
import { loadRgb } from '../../../dist/src/runtime/face-images.js';
import { FaceTracker } from '../../../dist/src/tasks/face/index.js';
import { UTK, utkSample } from './helpers.js';

function place(crop: { data: Uint8Array; width: number; height: number }, W: number, H: number, x: number, y: number) {
  const out = new Uint8Array(W * H * 3);
  for (let r = 0; r < crop.height; r++) out.set(crop.data.subarray(r * crop.width * 3, (r + 1) * crop.width * 3), ((y + r) * W + x) * 3);
  return { data: out, width: W, height: H, format: 'rgb' as const };
}

describe.skipIf(!existsSync(UTK))('FaceTracker re-identifies a face that jumps by its descriptor (../shared/eval/faces; skipped without it)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  async function jump(descriptor: boolean) {
    const crop = await loadRgb(utkSample()[9].file);
    const tracker = new FaceTracker(engine, { detect: { minFaceSize: 0, descriptor } });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await tracker.push(place(crop, 640, 360, 20 + 5 * i, 80), i * 100)).faces[0].trackId!);
    // Two face sizes away in one frame: neither IoU nor the motion gate can associate it.
    ids.push((await tracker.push(place(crop, 640, 360, 420, 80), 300)).faces[0].trackId!);
    return { ids, tracks: tracker.tracks };
  }

  it('keeps the track id across the jump with descriptors, and starts a new track without', async () => {
    const withD = await jump(true);
    expect(new Set(withD.ids).size).toBe(1);
    expect(withD.tracks).toHaveLength(1);
    const d = withD.tracks[0].descriptor!;
    expect(d).toHaveLength(128);
    expect(Math.hypot(...d)).toBeCloseTo(1, 4);
    const without = await jump(false);
    expect(new Set(without.ids).size).toBe(2);
    expect(without.tracks.every((t) => t.descriptor === undefined)).toBe(true);
  });
});
