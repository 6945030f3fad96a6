/** Same input, same bytes: conversions and the whole models/ build are reproducible. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertTfjsModel } from '../../dist/src/convert/tfjs-to-onnx.js';
import { checkModels } from '../../dist/src/convert/build.js';
import { ROOT } from '../helpers.js';

const HM = join(ROOT, 'node_modules', '@vladmandic', 'human-models', 'models');

describe('determinism', () => {
  it('converting the same model twice gives identical bytes, equal to the committed file', () => {
    for (const [src, committed] of [['liveness.json', 'liveness.onnx'], ['facemesh-detection-full.json', 'facemesh-detection-full.onnx']] as const) {
      const a = convertTfjsModel(join(HM, src), { graphName: committed.replace('.onnx', '') }).bytes;
      const b = convertTfjsModel(join(HM, src), { graphName: committed.replace('.onnx', '') }).bytes;
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      expect(Buffer.from(a).equals(readFileSync(join(ROOT, 'models', committed))), committed).toBe(true);
    }
  });

  it('hmp models build --check: the committed models/ equals a fresh build byte for byte', () => {
    expect(checkModels()).toEqual([]);
  });
});
