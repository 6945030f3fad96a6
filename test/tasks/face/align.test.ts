import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRgb } from '../../../dist/src/runtime/face-images.js';
import { getKernels } from '../../../dist/src/runtime/wasm.js';
import { alignMatrix, alignedCrop, sourceRect } from '../../../dist/src/tasks/face/align.js';
import { mirrorCrop } from '../../../dist/src/tasks/face/attributes.js';
import { detectBlazeface } from '../../../dist/src/tasks/face/detect.js';
import { sessionRunner } from '../../../dist/src/tasks/face/worker.js';
import { defaultModelsDir } from '../../../dist/src/runtime/models.js';
import { UTK, utkSample } from './helpers.js';

describe.skipIf(!existsSync(UTK))('alignedCrop copies only the face region into the kernels (../shared/eval/faces; skipped without it)', () => {
  it('gives the same crop as warping the whole 1280x720 frame, at every crop size the pipeline uses, mirrored too', async () => {
    const k = await getKernels();
    const c = await loadRgb(utkSample()[3].file);
    const W = 1280;
    const H = 720;
    const data = new Uint8Array(W * H * 3).fill(40);
    for (let r = 0; r < c.height; r++) data.set(c.data.subarray(r * c.width * 3, (r + 1) * c.width * 3), ((300 + r) * W + 900) * 3);
    const img = { data, width: W, height: H, channels: 3 as const };
    const [face] = await detectBlazeface(k, sessionRunner(defaultModelsDir()), 'blazeface-back', img, { minScore: 0.5, iouThreshold: 0.3, maxFaces: 1, minFaceSize: 0 });
    expect(face).toBeDefined();
    for (const [size, scale, mirror] of [[112, 1.2, false], [112, 1.2, true], [64, 1.1, false], [150, 1.2, false], [128, 1.2, false]] as const) {
      const m = alignMatrix(face, size, scale, mirror);
      const r = sourceRect(m, size, W, H)!;
      // The region is a small part of the frame: that is the point.
      expect(r.w * r.h).toBeLessThan((W * H) / 10);
      const whole = k.warpAffine(img.data, W, H, 3, m, size, size, 0);
      const part = alignedCrop(k, img, face, size, scale, mirror);
      let maxDiff = 0;
      let differing = 0;
      for (let i = 0; i < whole.length; i++) {
        const d = Math.abs(whole[i] - part[i]);
        maxDiff = Math.max(maxDiff, d);
        if (d) differing++;
      }
      // Fixed-point rounding of shifted coordinates may move a rare sample by one level.
      expect(maxDiff, `${size}@${scale}`).toBeLessThanOrEqual(1);
      expect(differing / whole.length).toBeLessThan(0.01);
      // The age/gender mirror is the unmirrored crop's bytes reversed per row, not a second warp.
      if (mirror) expect(Array.from(mirrorCrop(alignedCrop(k, img, face, size, scale, false), size, 3))).toEqual(Array.from(part));
    }
  });
});
