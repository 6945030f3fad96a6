import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../dist/src/engine/engine.js';
import { loadRgb } from '../../../dist/src/runtime/face-images.js';
import { detectFaces, toVkFaces, toWxFaceDetect } from '../../../dist/src/tasks/face/index.js';
import { detectionFigures } from '../../../dist/src/tasks/face/metrics.js';
import { UTK, WIDER, utkSample } from './helpers.js';

describe.skipIf(!existsSync(UTK) || !existsSync(WIDER))('faces on real photos (../shared/eval/faces; skipped without it)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ poolSize: 1, verifyModels: false });
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  it('finds the face of every padded UTKFace crop of an 18-face sample with sane keypoints, age and gender', async () => {
    const sample = utkSample();
    expect(sample.length).toBe(18);
    let genderOk = 0;
    let ageErr = 0;
    for (const s of sample) {
      const r = await detectFaces(engine, await loadRgb(s.file, { pad: 100 }));
      expect(r.faces.length, s.file).toBeGreaterThanOrEqual(1);
      const f = r.faces[0];
      // The 200 px crop sits at (100, 100): the face box centre must fall inside it.
      const cx = f.box.x + f.box.width / 2;
      const cy = f.box.y + f.box.height / 2;
      expect(cx > 100 && cx < 300 && cy > 100 && cy < 300, s.file).toBe(true);
      const [re, le, nose, mouth] = f.keypoints;
      expect(re.x < le.x && (re.y + le.y) / 2 < nose.y && nose.y < mouth.y, s.file).toBe(true);
      if (f.gender === s.gender) genderOk++;
      ageErr += Math.abs((f.age as number) - s.age);
    }
    // Full-set figures are in docs/faces.md (MAE ~4.6, gender ~94%); a sample bound that can fail.
    expect(genderOk).toBeGreaterThanOrEqual(15);
    expect(ageErr / sample.length).toBeLessThan(8);
  });

  it('recalls most large faces of 22 WIDER crowd photos with aspect restored', async () => {
    // Every 5th image: a spread over the 10 events.
    const ann = JSON.parse(readFileSync(join(WIDER, 'annotations.json'), 'utf8')).filter((_: unknown, i: number) => i % 5 === 0);
    const samples = [];
    for (const a of ann) {
      const width = Math.round((a.height * a.orig_width) / a.orig_height_est);
      const r = await detectFaces(engine, await loadRgb(join(WIDER, 'images', a.file), { resize: { width, height: a.height } }), { minFaceSize: 20, attributes: false, maxFaces: 500 });
      const fx = a.width / width;
      samples.push({
        truth: a.faces.map((f: { x: number; y: number; w: number; h: number; invalid: number }) => ({ x: f.x, y: f.y, w: f.w, h: f.h, ignore: f.invalid === 1 })),
        detections: r.faces.map((f) => ({ x: f.box.x * fx, y: f.box.y, w: f.box.width * fx, h: f.box.height, score: f.score })),
      });
    }
    const fig = detectionFigures(samples);
    const big = fig.buckets.find((b) => b.bucket === '>=40')!;
    const mid = fig.buckets.find((b) => b.bucket === '20-40')!;
    expect(big.faces).toBeGreaterThan(20);
    expect(big.recall).toBeGreaterThan(0.7);
    expect(mid.recall).toBeGreaterThan(0.3);
  });

  it('maps a real detection to wx.faceDetect and VKSession shapes', async () => {
    const s = utkSample()[4];
    const r = await detectFaces(engine, await loadRgb(s.file, { pad: 100 }));
    const f = r.faces[0];
    const wx = toWxFaceDetect(r, { enablePoint: true, enableConf: true, enableAngle: true, enableMultiFace: true });
    expect(wx.x).toBeCloseTo(f.box.x + f.box.width / 2, 0);
    expect(wx.detectRect).toEqual({ originX: f.box.x, originY: f.box.y, width: f.box.width, height: f.box.height });
    expect(wx.pointArray).toHaveLength(6);
    expect(wx.confArray?.global).toBe(f.score);
    for (const v of Object.values(wx.angleArray!)) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    expect(wx.faceInfo).toHaveLength(r.faces.length);
    const vk = toVkFaces(r)[0];
    expect(vk.origin.x).toBeCloseTo(f.box.x / 400, 2);
    expect(vk.points.every((p) => p.x > 0 && p.x < 1 && p.y > 0 && p.y < 1)).toBe(true);
    expect(toWxFaceDetect({ ...r, faces: [] })).toEqual({ x: -1, y: -1, detectRect: { originX: 0, originY: 0, width: 0, height: 0 } });
  });
});
