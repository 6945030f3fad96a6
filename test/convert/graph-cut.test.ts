/**
 * Converter options `inputs` (graph cuts) and `outputs`: convert only part of a graph, as done
 * for FaceBoxes (whose pre/post-processing loops are not convertible).
 */
import { describe, expect, it } from 'vitest';
import { convertTfjsModel } from '../../dist/src/convert/tfjs-to-onnx.js';
import { ort } from '../../dist/src/runtime/onnx.js';
import { graphModel } from './fixtures.js';

// x → Mul(x, 2) "pre" → unsupported op "weird" (never converted when cut) ... and pre → Relu "net" → Add(net, 1) "post"
const json = () =>
  graphModel([-1, 3], { two: { shape: [], data: [2] }, one: { shape: [], data: [1] } }, [
    { name: 'pre', op: 'Mul', input: ['x', 'two'] },
    { name: 'gate', op: 'LoopCond', input: ['x'] },
    { name: 'pre2', op: 'Mul', input: ['pre', 'gate'] },
    { name: 'net', op: 'Relu', input: ['pre2'] },
    { name: 'post', op: 'Add', input: ['net', 'one'] },
  ]);

describe('partial conversion (inputs cut, chosen outputs)', () => {
  it('starts at the cut node, ends at the chosen tensor and skips everything outside', async () => {
    const r = convertTfjsModel(json(), { inputs: [{ node: 'pre2', name: 'z', shape: [-1, 3] }], outputs: [{ name: 'y', tensor: 'net' }] });
    expect(r.inputs).toEqual([{ name: 'z', shape: ['N', 3], dtype: 'float32' }]);
    expect(r.outputs.map((o) => o.name)).toEqual(['y']);
    expect(r.ops).not.toContain('LoopCond');
    const s = await ort.InferenceSession.create(r.bytes);
    const out = await s.run({ z: new ort.Tensor('float32', Float32Array.from([-1, 0.5, 3]), [1, 3]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([0, 0.5, 3]);
  });

  it('fails without the cut on the unsupported op, and names unknown cut or output nodes', () => {
    expect(() => convertTfjsModel(json())).toThrow(expect.objectContaining({ code: 'HMP_ERR_CONVERT_OP_UNSUPPORTED', message: expect.stringContaining('LoopCond') }));
    expect(() => convertTfjsModel(json(), { outputs: [{ name: 'y', tensor: 'nope' }] })).toThrow(expect.objectContaining({ code: 'HMP_ERR_CONVERT_MODEL_INVALID', message: expect.stringContaining('nope') }));
    expect(() => convertTfjsModel(json(), { inputs: [{ node: 'missing', name: 'z', shape: [1] }], outputs: [{ name: 'y', tensor: 'net' }] })).toThrow(
      expect.objectContaining({ code: 'HMP_ERR_CONVERT_MODEL_INVALID', message: expect.stringContaining('missing') }),
    );
  });
});
