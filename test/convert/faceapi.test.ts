import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { buildFaceapiAgeGender, buildFaceapiRecognition } from '../../dist/src/convert/faceapi.js';
import { ort } from '../../dist/src/runtime/onnx.js';

const require = createRequire(join(ROOT, 'package.json'));

describe('face-api age-gender net as ONNX', () => {
  it('matches face-api 1.7.15 on the TF.js CPU backend for the same pixels', async () => {
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
    await faceapi.tf.setBackend('cpu');
    await faceapi.tf.ready();
    const dir = join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'model');
    await faceapi.nets.ageGenderNet.loadFromDisk(dir);
    const session = await ort.InferenceSession.create(buildFaceapiAgeGender(join(dir, 'age_gender_model-weights_manifest.json')));
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const mean = [122.782, 117.001, 104.298];
    for (let t = 0; t < 2; t++) {
      const px = new Float32Array(112 * 112 * 3).map(() => Math.floor(rnd() * 256));
      const want = await faceapi.nets.ageGenderNet.predictAgeAndGender(faceapi.tf.tensor3d(px, [112, 112, 3]));
      const nchw = new Float32Array(3 * 112 * 112);
      for (let i = 0; i < 112 * 112; i++) for (let c = 0; c < 3; c++) nchw[c * 112 * 112 + i] = (px[i * 3 + c] - mean[c]) / 255;
      const got = await session.run({ input: new ort.Tensor('float32', nchw, [1, 3, 112, 112]) });
      expect((got.age.data as Float32Array)[0]).toBeCloseTo(want.age, 3);
      const male = (got.gender.data as Float32Array)[0];
      expect(want.gender === 'male' ? male : 1 - male).toBeCloseTo(want.genderProbability, 4);
    }
  }, 60_000);
});

describe('face-api face recognition net as ONNX', () => {
  it('matches face-api 1.7.15 on the TF.js CPU backend for the same pixels', async () => {
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
    await faceapi.tf.setBackend('cpu');
    await faceapi.tf.ready();
    const dir = join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'model');
    await faceapi.nets.faceRecognitionNet.loadFromDisk(dir);
    const session = await ort.InferenceSession.create(buildFaceapiRecognition(join(dir, 'face_recognition_model-weights_manifest.json')));
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const mean = [122.782, 117.001, 104.298];
    const S = 150;
    // Smooth random images (a few blobs) keep activations in a realistic range.
    const px = new Float32Array(S * S * 3);
    for (let i = 0; i < S * S; i++) {
      const x = i % S;
      const y = Math.floor(i / S);
      for (let c = 0; c < 3; c++) px[i * 3 + c] = Math.floor(128 + 100 * Math.sin((x + 13 * c) / 17) * Math.cos((y - 7 * c) / 23) + 20 * rnd());
    }
    const want = (await faceapi.nets.faceRecognitionNet.forward(faceapi.tf.tensor3d(px, [S, S, 3]))).dataSync() as Float32Array;
    const nchw = new Float32Array(3 * S * S);
    for (let i = 0; i < S * S; i++) for (let c = 0; c < 3; c++) nchw[c * S * S + i] = (px[i * 3 + c] - mean[c]) / 255;
    const got = (await session.run({ input: new ort.Tensor('float32', nchw, [1, 3, S, S]) })).descriptor.data as Float32Array;
    expect(got.length).toBe(128);
    let maxErr = 0;
    let norm = 0;
    for (let i = 0; i < 128; i++) {
      maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
      norm += want[i] * want[i];
    }
    expect(Math.sqrt(norm)).toBeGreaterThan(0.1);
    expect(maxErr).toBeLessThan(1e-4);
  }, 60_000);
});
