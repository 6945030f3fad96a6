/** Contract on a tiny hand-written graph: the converted ONNX computes relu(x W + b), any batch. */
import { describe, expect, it } from 'vitest';
import { convertTfjsModel } from '../../dist/src/convert/tfjs-to-onnx.js';
import { ort } from '../../dist/src/runtime/onnx.js';
import { tinyModel } from './fixtures.js';

describe('tiny TF.js graph → ONNX', () => {
  it('keeps the interface and computes the same values', async () => {
    const m = tinyModel();
    const r = convertTfjsModel(m.json);
    expect(r.inputs).toEqual([{ name: 'x', shape: ['N', 2], dtype: 'float32' }]);
    expect(r.outputs.map((o) => [o.name, o.shape])).toEqual([['dense/Relu', ['N', 3]]]);
    expect(r.ops).toEqual(['Const', 'Placeholder', '_FusedMatMul']);
    const s = await ort.InferenceSession.create(r.bytes);
    const x = Float32Array.from([1, 2, -3, 0.5, 0, 0]);
    const out = (await s.run({ x: new ort.Tensor('float32', x, [3, 2]) }))['dense/Relu']!;
    expect(out.dims).toEqual([3, 3]);
    const want: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) want.push(Math.max(0, x[2 * i]! * m.W[j]! + x[2 * i + 1]! * m.W[3 + j]! + m.b[j]!));
    }
    Array.from(out.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    await s.release();
  });
});
