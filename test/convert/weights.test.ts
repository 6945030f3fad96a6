/** Weight decoding (float32, int32, uint8/uint16 affine, float16) equals tfjs-core's io.decodeWeights. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { float16ToFloat32, loadTfjsGraphModel } from '../../dist/src/convert/tfjs-model.js';
import { ROOT } from '../helpers.js';

// The full package registers the cpu backend that decodeWeights needs to build tensors.
const tf = createRequire(join(ROOT, 'package.json'))('@tensorflow/tfjs');

describe('weight decoding', () => {
  it('float16: every one of the 65536 half values converts exactly like tfjs-core', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const mine = float16ToFloat32(all);
    const spec = [{ name: 'h', shape: [65536], dtype: 'float32', quantization: { dtype: 'float16' } }];
    const theirs = tf.io.decodeWeights(all.buffer, spec).h.dataSync() as Float32Array;
    expect(Buffer.from(mine.buffer).equals(Buffer.from(theirs.buffer, theirs.byteOffset, theirs.byteLength))).toBe(true);
  });

  it('uint8 / uint16 affine quantisation and plain int32 decode like tfjs-core', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hmp-w-'));
    const u8 = Uint8Array.from({ length: 256 }, (_, i) => i);
    const u16 = Uint16Array.from({ length: 300 }, (_, i) => i * 211);
    const i32 = Int32Array.from([-7, 0, 42, 2 ** 30]);
    const specs = [
      { name: 'a', shape: [256], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.0123, min: -1.37 } },
      { name: 'b', shape: [300], dtype: 'float32', quantization: { dtype: 'uint16', scale: 3.1e-5, min: -0.9 } },
      { name: 'c', shape: [2, 2], dtype: 'int32' },
      { name: 'd', shape: [4], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.5, min: -3 } },
    ];
    const buf = Buffer.concat([Buffer.from(u8), Buffer.from(u16.buffer), Buffer.from(i32.buffer), Buffer.from(u8.subarray(10, 14))]);
    writeFileSync(join(dir, 'w.bin'), buf);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [{ paths: ['w.bin'], weights: specs }] }));
    const mine = loadTfjsGraphModel(join(dir, 'model.json')).weights;
    const theirs = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length), specs);
    for (const s of specs) {
      expect(Array.from(mine.get(s.name)!.data), s.name).toEqual(Array.from(theirs[s.name].dataSync()));
      expect(mine.get(s.name)!.dtype).toBe(theirs[s.name].dtype);
    }
  });
});
