/** The reusable ONNX graph builder: valid models, deterministic bytes, typed attributes. */
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder, decodeModel } from '../../dist/src/convert/onnx-builder.js';
import { ort } from '../../dist/src/runtime/onnx.js';

function build(): Uint8Array {
  const b = new OnnxGraphBuilder({ graphName: 'demo' });
  b.addInput('x', 'float32', ['N', 4]);
  const w = b.addInitializer('w', { type: 'float16', dims: [4], data: Uint16Array.from([0x3c00, 0x4000, 0xbc00, 0x3800]) }); // 1, 2, -1, 0.5
  const wf = b.op('Cast', [w], { to: 1 });
  const y = b.op('Mul', ['x', wf]);
  const z = b.op('LeakyRelu', [y], { alpha: { float: 0.25 } });
  b.addNode('ReduceSum', [z, b.int64s([1])], ['sum'], { keepdims: 0 });
  b.addOutput('sum', 'float32', ['N']);
  return b.serialize();
}

describe('OnnxGraphBuilder', () => {
  it('writes a model onnxruntime runs, with float16 initializers and float attributes', async () => {
    const s = await ort.InferenceSession.create(build());
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 1, 1, 2, -1, 4, 8]), [2, 4]) });
    // row 0: 1 + 2 + leaky(-1) + 0.5 = 3.25; row 1: 2 + leaky(-2) + leaky(-4) + 4 = 4.5
    expect(Array.from(out.sum!.data as Float32Array)).toEqual([3.25, 4.5]);
    await s.release();
  });

  it('serializes identically for identical calls, with opset 13 and sorted attributes', () => {
    const a = build();
    expect(Buffer.from(a).equals(Buffer.from(build()))).toBe(true);
    const m = decodeModel(a);
    expect(Number(m.opsetImport[0]!.version)).toBe(13);
    expect(m.graph!.node.map((n) => n.opType)).toEqual(['Cast', 'Mul', 'LeakyRelu', 'ReduceSum']);
  });

  it('rejects a non-integer plain-number attribute (floats must be tagged)', () => {
    const b = new OnnxGraphBuilder({ graphName: 'bad' });
    expect(() => b.addNode('LeakyRelu', ['x'], ['y'], { alpha: 0.5 })).toThrow(/alpha/);
  });
});
