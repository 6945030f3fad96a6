import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../dist/src/engine/engine.js';
import { loadRgb } from '../../../dist/src/runtime/face-images.js';
import { getKernels } from '../../../dist/src/runtime/wasm.js';
import { detectFaces, descriptorDistance, FACE_DESCRIPTOR_THRESHOLD, EMOTIONS } from '../../../dist/src/tasks/face/index.js';
import { personFrames } from '../../../dist/src/tasks/face/eval-descriptor.js';
import { UTK, utkSample } from './helpers.js';

describe.skipIf(!existsSync(UTK))('face descriptor, emotion and anti-spoof on real faces (../shared/eval/faces; skipped without it)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  it('gives unit 128-d descriptors that match the same person across re-framed frames and separate different people', async () => {
    const k = await getKernels();
    const people = utkSample().filter((_, i) => i % 3 === 0);
    const descs: number[][][] = [];
    for (const p of people) {
      const f = await loadRgb(p.file, { pad: 100 });
      const frames = personFrames(k, { data: f.data, width: f.width, height: f.height, channels: 3 });
      const d: number[][] = [];
      // The padded crop and the darker, rotated, noisy 640x480 re-framing.
      for (const fr of [frames[0], frames[2]]) {
        const r = await detectFaces(engine, { data: fr.data, width: fr.width, height: fr.height, format: 'rgb' }, { descriptor: true, antispoof: true, minFaceSize: 0, maxFaces: 1 });
        const face = r.faces[0];
        expect(face, p.file).toBeDefined();
        expect(face.descriptor).toHaveLength(128);
        expect(Math.hypot(...face.descriptor!)).toBeCloseTo(1, 4);
        expect(EMOTIONS).toContain(face.emotion);
        expect(face.emotionScore).toBeGreaterThan(1 / 7);
        expect(face.antispoof).toBeGreaterThanOrEqual(0);
        expect(face.antispoof).toBeLessThanOrEqual(1);
        d.push(face.descriptor!);
      }
      descs.push(d);
    }
    for (let i = 0; i < descs.length; i++) {
      expect(descriptorDistance(descs[i][0], descs[i][1]), people[i].file).toBeLessThan(FACE_DESCRIPTOR_THRESHOLD);
      for (let j = i + 1; j < descs.length; j++) {
        expect(descriptorDistance(descs[i][0], descs[j][1]), `${people[i].file} vs ${people[j].file}`).toBeGreaterThan(FACE_DESCRIPTOR_THRESHOLD);
      }
    }
  }, 60_000);

  it('omits descriptor and anti-spoof by default and every extra without attributes', async () => {
    const f = await loadRgb(utkSample()[0].file, { pad: 100 });
    const on = (await detectFaces(engine, f)).faces[0];
    expect(on.descriptor).toBeUndefined();
    expect(on.antispoof).toBeUndefined();
    expect(on.emotion).toBeDefined();
    const off = (await detectFaces(engine, f, { attributes: false, descriptor: true })).faces[0];
    expect(off.descriptor).toBeUndefined();
    expect(off.emotion).toBeUndefined();
  });
});
