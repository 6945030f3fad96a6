/**
 * Op coverage beyond the shipped models: small TF.js graphs exercising each converter mapping
 * (activations, fused-conv variants, SAME/EXPLICIT padding on odd sizes, dilation, pooling,
 * StridedSlice masks, reshaping ops, pads, reductions, resize modes, MatMul transposes), run
 * by @tensorflow/tfjs (cpu backend) and by onnxruntime on the converted ONNX.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as R from '../../dist/bench/models-reference.js';
import { convertTfjsModel } from '../../dist/src/convert/tfjs-to-onnx.js';
import { ort } from '../../dist/src/runtime/onnx.js';
import { attr, graphModel, values, type FixtureNode } from './fixtures.js';

type Tf = Awaited<ReturnType<typeof R.loadTf>>;
let tf: Tf;
beforeAll(async () => {
  tf = await R.loadTf('cpu');
});

const F = (shape: number[], seed: number) => ({ shape, data: values(shape.reduce((a, b) => a * b, 1), seed) });
const I = (data: number[], shape = [data.length]) => ({ shape, data, dtype: 'int32' as const });
const conv = (padding: string, strides = [1, 1, 1, 1], dilations = [1, 1, 1, 1]) => ({
  padding: attr.str(padding), strides: attr.ints(strides), dilations: attr.ints(dilations), data_format: attr.str('NHWC'),
});

async function parity(inputShape: number[], consts: Parameters<typeof graphModel>[1], nodes: FixtureNode[]): Promise<string[]> {
  const json = graphModel(inputShape, consts, nodes);
  const r = convertTfjsModel(json);
  // Every node nothing else consumes is an output, so each mapping below is compared.
  const consumed = new Set(nodes.flatMap((n) => n.input ?? []));
  expect(r.outputs.map((o) => o.name).sort()).toEqual(nodes.filter((n) => !consumed.has(n.name)).map((n) => n.name).sort());
  const x = Float32Array.from(values(inputShape.reduce((a, b) => a * b, 1), 99), (v) => v * 2);
  const ref = await R.loadTfjsModel(tf, json, r.outputs.map((o) => o.tensor));
  const want = await ref.run(x, inputShape);
  ref.dispose();
  const s = await ort.InferenceSession.create(r.bytes);
  const got = await s.run({ x: new ort.Tensor('float32', x, inputShape) });
  r.outputs.forEach((o, i) => {
    const g = got[o.name]!;
    const c = R.compare(Array.from(g.data as Float32Array, Number), Array.from(want[i]!, Number));
    expect(c.maxAbsDiff, `${o.name} (dims ${g.dims.join('x')})`).toBeLessThanOrEqual(1e-5 + 1e-6 * c.refMaxAbs);
  });
  await s.release();
  return r.outputs.map((o) => o.name);
}

describe('op parity on tiny graphs (tfjs cpu vs onnxruntime)', () => {
  it('elementwise and activations', async () => {
    const outs = await parity([2, 4, 4, 3], { c: F([3], 2), s: { shape: [], data: [-0.25] }, eight: { shape: [], data: [8] }, alpha: F([3], 3) }, [
      { name: 'e', op: 'Exp', input: ['x'] },
      { name: 'l', op: 'Log', input: ['e'] },
      { name: 'sq', op: 'Sqrt', input: ['e'] },
      { name: 'rs', op: 'Rsqrt', input: ['e'] },
      { name: 'q', op: 'Square', input: ['x'] },
      { name: 'sd', op: 'SquaredDifference', input: ['x', 'c'] },
      { name: 'an', op: 'AddN', input: ['l', 'sq', 'rs', 'q', 'sd'], attr: { N: attr.int(5) } },
      { name: 'ng', op: 'Neg', input: ['an'] },
      { name: 'mx', op: 'Maximum', input: ['ng', 's'] },
      { name: 'mn', op: 'Minimum', input: ['mx', 'x'] },
      { name: 'dv', op: 'RealDiv', input: ['mn', 'e'] },
      { name: 'sub', op: 'Sub', input: ['dv', 'c'] },
      { name: 'sig', op: 'Sigmoid', input: ['sub'] },
      { name: 'th', op: 'Tanh', input: ['sub'] },
      { name: 'elu', op: 'Elu', input: ['sub'] },
      { name: 'x8', op: 'Mul', input: ['x', 'eight'] },
      { name: 'r6', op: 'Relu6', input: ['x8'] },
      { name: 'lr', op: 'LeakyRelu', input: ['x'], attr: { alpha: attr.float(0.1) } },
      { name: 'sm', op: 'Softmax', input: ['x'] },
      { name: 'pr', op: 'Prelu', input: ['x', 'alpha'] },
      { name: 'ci', op: 'Cast', input: ['x8'], attr: { DstT: attr.type('DT_INT32'), SrcT: attr.type('DT_FLOAT') } },
      { name: 'cf', op: 'Cast', input: ['ci'], attr: { DstT: attr.type('DT_FLOAT'), SrcT: attr.type('DT_INT32') } },
    ]);
    expect(outs).toEqual(['sig', 'th', 'elu', 'r6', 'lr', 'sm', 'pr', 'cf']);
  });

  it('convolutions: fused Prelu / Relu6 / LeakyRelu, SAME on odd sizes, dilation, EXPLICIT, depthwise with multiplier', async () => {
    await parity([1, 7, 7, 3], {
      W: F([3, 3, 3, 4], 4), b: F([4], 5), a: F([4], 6), W2: F([2, 2, 3, 2], 7), b2: F([2], 8), W3: F([1, 1, 3, 2], 9), b3: F([2], 10),
      D: F([3, 3, 3, 2], 11), D2: F([3, 3, 3, 1], 12), bd: F([3], 13), W4: F([3, 2, 3, 2], 14),
    }, [
      { name: 'c1', op: '_FusedConv2D', input: ['x', 'W', 'b', 'a'], attr: { ...conv('SAME', [1, 2, 2, 1]), fused_ops: attr.strs(['BiasAdd', 'Prelu']), num_args: attr.int(2) } },
      { name: 'c2', op: '_FusedConv2D', input: ['x', 'W2', 'b2'], attr: { ...conv('VALID', [1, 1, 1, 1], [1, 2, 2, 1]), fused_ops: attr.strs(['BiasAdd', 'Relu6']), num_args: attr.int(1) } },
      { name: 'c3', op: '_FusedConv2D', input: ['x', 'W3', 'b3'], attr: { ...conv('SAME'), fused_ops: attr.strs(['BiasAdd', 'LeakyRelu']), num_args: attr.int(1), leakyrelu_alpha: attr.float(0.3) } },
      { name: 'd1', op: 'DepthwiseConv2dNative', input: ['x', 'D'], attr: conv('SAME', [1, 2, 2, 1]) },
      { name: 'd2', op: 'FusedDepthwiseConv2dNative', input: ['x', 'D2', 'bd'], attr: { ...conv('SAME', [1, 1, 1, 1], [1, 2, 2, 1]), fused_ops: attr.strs(['BiasAdd', 'Relu']), num_args: attr.int(1) } },
      { name: 'c4', op: 'Conv2D', input: ['x', 'W4'], attr: { ...conv('EXPLICIT', [1, 2, 1, 1]), explicit_paddings: attr.ints([0, 0, 1, 2, 2, 1, 0, 0]) } },
      { name: 'p1', op: 'MaxPool', input: ['x'], attr: { ksize: attr.ints([1, 3, 3, 1]), strides: attr.ints([1, 2, 2, 1]), padding: attr.str('SAME'), data_format: attr.str('NHWC') } },
      { name: 'p2', op: 'AvgPool', input: ['x'], attr: { ksize: attr.ints([1, 3, 3, 1]), strides: attr.ints([1, 2, 2, 1]), padding: attr.str('SAME'), data_format: attr.str('NHWC') } },
      { name: 'p3', op: 'AvgPool', input: ['x'], attr: { ksize: attr.ints([1, 2, 2, 1]), strides: attr.ints([1, 2, 2, 1]), padding: attr.str('VALID'), data_format: attr.str('NHWC') } },
    ]);
  });

  it('StridedSlice masks: range with stride, ellipsis + reverse, shrink + new axis, negative index', async () => {
    const ss = (name: string, b: number[], e: number[], s: number[], m: { begin?: number; end?: number; ellipsis?: number; newAxis?: number; shrink?: number }) => ({
      name, op: 'StridedSlice', input: ['x', `${name}_b`, `${name}_e`, `${name}_s`],
      attr: { begin_mask: attr.int(m.begin ?? 0), end_mask: attr.int(m.end ?? 0), ellipsis_mask: attr.int(m.ellipsis ?? 0), new_axis_mask: attr.int(m.newAxis ?? 0), shrink_axis_mask: attr.int(m.shrink ?? 0) },
      consts: { [`${name}_b`]: I(b), [`${name}_e`]: I(e), [`${name}_s`]: I(s) },
    });
    const cases = [
      ss('s1', [0, 1, 0, 0], [0, -1, 0, 0], [1, 2, 1, 1], { begin: 0b1101, end: 0b1101 }),
      ss('s2', [0, 0], [0, 0], [1, -1], { ellipsis: 1, begin: 2, end: 2 }),
      ss('s3', [0, 2, 0, 1], [0, 3, 0, 4], [1, 1, 1, 1], { begin: 1, end: 1, shrink: 2, newAxis: 4 }),
      ss('s4', [-1], [0], [1], { shrink: 1 }),
      ss('s5', [0, 0, 4], [0, 0, 0], [1, 1, -2], { begin: 3, end: 7 }),
    ];
    const consts = Object.assign({}, ...cases.map((c) => c.consts));
    await parity([2, 5, 6, 3], consts, cases.map(({ consts: _c, ...n }) => n));
  });

  it('reshaping, packing, slicing, gathering, padding, reductions', async () => {
    await parity([2, 5, 6, 3], {
      perm: I([0, 3, 1, 2]), ax: I([-1]), shp: I([2, -1]), cax: I([-1]), sb: I([0, 1, 1, 0]), sz: I([-1, 3, 2, 2]), mult: I([1, 2, 1, 1]),
      gi: I([2, 0]), gax: I([2]), pads: I([0, 0, 1, 2, 2, 1, 0, 0], [4, 2]), pv: { shape: [], data: [0.5] }, mpads: I([0, 0, 1, 1, 2, 2, 0, 0], [4, 2]),
      r12: I([1, 2]), r3: I([3]), r1: I([1]), mult4: I([1, 1, 1, 4]),
    }, [
      { name: 'tr', op: 'Transpose', input: ['x', 'perm'] },
      { name: 'ed', op: 'ExpandDims', input: ['x', 'ax'] },
      { name: 'sq', op: 'Squeeze', input: ['ed'], attr: { squeeze_dims: attr.ints([-1]) } },
      { name: 'rs', op: 'Reshape', input: ['sq', 'shp'] },
      { name: 'cc', op: 'ConcatV2', input: ['x', 'tr2', 'cax'], attr: { N: attr.int(2) } },
      { name: 'tr2', op: 'Neg', input: ['x'] },
      { name: 'pk', op: 'Pack', input: ['x', 'tr2'], attr: { axis: attr.int(1), N: attr.int(2) } },
      { name: 'sl', op: 'Slice', input: ['x', 'sb', 'sz'] },
      { name: 'tl', op: 'Tile', input: ['x', 'mult'] },
      { name: 'ga', op: 'GatherV2', input: ['x', 'gi', 'gax'], attr: { batch_dims: attr.int(0) } },
      { name: 'pd', op: 'PadV2', input: ['x', 'pads', 'pv'] },
      { name: 'mp', op: 'MirrorPad', input: ['x', 'mpads'], attr: { mode: attr.str('REFLECT') } },
      { name: 'me', op: 'Mean', input: ['x', 'r12'], attr: { keep_dims: attr.bool(true) } },
      { name: 'mx', op: 'Max', input: ['x', 'r3'], attr: { keep_dims: attr.bool(false) } },
      { name: 'mi', op: 'Min', input: ['x', 'r1'], attr: { keep_dims: attr.bool(false) } },
      { name: 'su', op: 'Sum', input: ['x', 'r12'], attr: { keep_dims: attr.bool(false) } },
      { name: 'pr', op: 'Prod', input: ['x', 'r3'], attr: { keep_dims: attr.bool(true) } },
      { name: 't4', op: 'Tile', input: ['x', 'mult4'] },
      { name: 'd2s', op: 'DepthToSpace', input: ['t4'], attr: { block_size: attr.int(2), data_format: attr.str('NHWC') } },
    ]);
  });

  it('resize modes and MatMul transposes', async () => {
    await parity([2, 5, 6, 3], {
      s1: I([10, 12]), s2: I([10, 9]), s3: I([9, 11]), shp: I([2, 90]), W: F([90, 4], 20), Wt: F([4, 90], 21), b: F([4], 22),
    }, [
      { name: 'rz1', op: 'ResizeBilinear', input: ['x', 's1'], attr: { align_corners: attr.bool(false), half_pixel_centers: attr.bool(false) } },
      { name: 'rz2', op: 'ResizeBilinear', input: ['x', 's2'], attr: { align_corners: attr.bool(false), half_pixel_centers: attr.bool(true) } },
      { name: 'rz3', op: 'ResizeBilinear', input: ['x', 's3'], attr: { align_corners: attr.bool(true), half_pixel_centers: attr.bool(false) } },
      { name: 'flat', op: 'Reshape', input: ['x', 'shp'] },
      { name: 'mm', op: 'MatMul', input: ['flat', 'W'], attr: { transpose_a: attr.bool(false), transpose_b: attr.bool(false) } },
      { name: 'fmm', op: '_FusedMatMul', input: ['flat', 'Wt', 'b'], attr: { transpose_a: attr.bool(false), transpose_b: attr.bool(true), fused_ops: attr.strs(['BiasAdd', 'Relu']), num_args: attr.int(1) } },
    ]);
  });
});
