/**
 * The `detector` option: both (default: FaceBoxes + BlazeFace, one NMS), FaceBoxes, BlazeFace.
 * Bad values get coded errors; on real WIDER crowd photos FaceBoxes and the union recall more
 * faces than BlazeFace with fewer unmatched detections; FaceBoxes' keypoints come from
 * BlazeFace front on the face crop (not the template).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../dist/src/engine/engine.js';
import { detectFaces, FACE_DEFAULTS, type FaceDetector } from '../../../dist/src/tasks/face/index.js';
import { faceboxesScale } from '../../../dist/src/tasks/face/detect-faceboxes.js';
import { detectionFigures } from '../../../dist/src/tasks/face/metrics.js';
import { loadRgb } from '../../../dist/src/runtime/face-images.js';
import { UTK, WIDER, utkSample } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.create({ poolSize: 1, verifyModels: false });
});
afterAll(async () => {
  await engine?.dispose();
});

describe('detector option', () => {
  it('defaults to both and rejects unknown detectors and sizes with codes naming the parameter', async () => {
    expect(FACE_DEFAULTS.detector).toBe('both');
    const frame = { data: new Uint8Array(16 * 16 * 4), width: 16, height: 16 };
    await expect(detectFaces(engine, frame, { detector: 'ssd' as FaceDetector })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_INVALID', message: expect.stringContaining('options.detector') });
    await expect(detectFaces(engine, frame, { detector: 3 as never })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_INVALID', message: expect.stringContaining('options.detector') });
    await expect(detectFaces(engine, frame, { faceboxesSize: 64 })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('options.faceboxesSize') });
    await expect(detectFaces(engine, frame, { faceboxesSize: 9000 })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_RANGE', message: expect.stringContaining('options.faceboxesSize') });
  });

  it('scales the FaceBoxes input so a minFaceSize face is ~40 px, within bounds', () => {
    expect(faceboxesScale(1280, 720, 0, 32)).toBeCloseTo(1.25, 6);
    expect(faceboxesScale(640, 480, 0, 20)).toBeCloseTo(2, 6);
    expect(faceboxesScale(1280, 720, 1280, 32)).toBe(1);
    expect(faceboxesScale(1280, 720, 0, 0)).toBe(1);
    expect(faceboxesScale(1920, 1080, 0, 10)).toBeCloseTo(2560 / 1920, 6); // long side capped at 2560
    expect(faceboxesScale(100, 80, 0, 1)).toBe(4); // at most 4x
  });
});

describe.skipIf(!existsSync(WIDER))('FaceBoxes, BlazeFace and both on 22 WIDER crowd photos (needs ../shared/eval)', () => {
  it('finds more faces >= 20 px with fewer unmatched detections at the default score', async () => {
    const ann = JSON.parse(readFileSync(join(WIDER, 'annotations.json'), 'utf8')).filter((_: unknown, i: number) => i % 5 === 0);
    const figs: Record<string, ReturnType<typeof detectionFigures>> = {};
    let unmeasured = 0;
    for (const detector of ['both', 'faceboxes', 'blazeface'] as const) {
      const samples = [];
      for (const a of ann) {
        const width = Math.round((a.height * a.orig_width) / a.orig_height_est);
        const img = await loadRgb(join(WIDER, 'images', a.file), { resize: { width, height: a.height } });
        const r = await detectFaces(engine, img, { detector, minFaceSize: 20, attributes: false, maxFaces: 500 });
        // Template keypoints (FaceBoxes-only faces nobody confirmed) never count as attention.
        for (const f of r.faces) {
          if (!f.keypointsMeasured) expect(f.attention).toBe(false);
          if (detector === 'blazeface') expect(f.keypointsMeasured).toBe(true);
        }
        if (detector !== 'blazeface') unmeasured += r.faces.filter((f) => !f.keypointsMeasured).length;
        const fx = a.width / width;
        samples.push({
          truth: a.faces.map((f: { x: number; y: number; w: number; h: number; invalid: number }) => ({ x: f.x, y: f.y, w: f.w, h: f.h, ignore: f.invalid === 1 })),
          detections: r.faces.map((f) => ({ x: f.box.x * fx, y: f.box.y, w: f.box.width * fx, h: f.box.height, score: f.score })),
        });
      }
      figs[detector] = detectionFigures(samples);
    }
    const rec = (d: string, b: string) => figs[d]!.buckets.find((x) => x.bucket === b)!.recall;
    expect(rec('faceboxes', '>=40')).toBeGreaterThan(0.75);
    expect(rec('faceboxes', '20-40')).toBeGreaterThan(0.5);
    expect(rec('faceboxes', '20-40')).toBeGreaterThan(rec('blazeface', '20-40'));
    expect(figs.faceboxes!.falsePositives).toBeLessThan(figs.blazeface!.falsePositives);
    // The union adds BlazeFace's faces without BlazeFace's false positives (logit shift).
    expect(rec('both', '20-40')).toBeGreaterThanOrEqual(rec('faceboxes', '20-40'));
    expect(rec('both', '>=40')).toBeGreaterThanOrEqual(rec('faceboxes', '>=40'));
    expect(figs.both!.falsePositives).toBeLessThan(figs.blazeface!.falsePositives);
    // Crowds have more FaceBoxes-only faces than the 8 per frame whose keypoints get measured.
    expect(unmeasured).toBeGreaterThan(0);
  }, 120_000);
});

describe.skipIf(!existsSync(UTK))('FaceBoxes keypoints (needs ../shared/eval)', () => {
  it('takes keypoints from BlazeFace on the crop: close to the full BlazeFace pipeline, ordered like a face', async () => {
    let n = 0;
    for (const s of utkSample().slice(0, 6)) {
      const img = await loadRgb(s.file, { pad: 100 });
      const [fb, bf] = await Promise.all(
        (['faceboxes', 'blazeface'] as const).map((detector) => detectFaces(engine, img, { detector, attributes: false, maxFaces: 1 })),
      );
      const a = fb.faces[0];
      const b = bf.faces[0];
      if (!a || !b) continue;
      n++;
      const size = b.box.width;
      for (let i = 0; i < 4; i++) {
        // eyes, nose, mouth: within 8 % of the face size of BlazeFace's own keypoints
        expect(Math.hypot(a.keypoints[i]!.x - b.keypoints[i]!.x, a.keypoints[i]!.y - b.keypoints[i]!.y), s.file).toBeLessThan(0.08 * size);
      }
    }
    expect(n).toBeGreaterThanOrEqual(5);
  }, 60_000);
});
