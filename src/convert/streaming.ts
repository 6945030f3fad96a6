/**
 * Streaming rewrite of a time-convolutional model: the same network computing only what one new
 * hop of input adds, with the intermediate columns it reuses passed in and out as state.
 *
 * openWakeWord's embedding model reads 76 mel frames and yields one 96-d embedding; a stream
 * asks for one every 8 frames, so each run recomputed 68 frames' worth of columns it had already
 * computed. Its graph is a chain of Convs that are valid (unpadded) along time, activations and
 * MaxPools, and its time downsampling (three 2x2 pools) totals exactly the hop of 8 frames, so
 * every intermediate column of a window is a column of the previous window shifted by a whole
 * number of positions. The rewrite cuts the chain at each time-downsampling pool: a segment's
 * input becomes `Concat(state, new columns)` along time, where `state` holds the last columns the
 * segment's time kernels need (the sum of their heights minus one), and a `Slice` of that
 * concatenation returns the state for the next run. The first segment's context comes with the
 * input itself (the caller passes `hop + context` frames; it keeps the frames anyway).
 *
 * Run from the first hop of a stream with zero state, the streamed output equals the windowed
 * model's once the window is full (earlier outputs depend on the zero state and are discarded):
 * every column of the last window was computed from real input at some run, by the same kernels.
 * `test/convert/streaming.test.ts` checks this against the windowed model on real speech.
 * @internal
 */
import onnxProto from 'onnx-proto';
import { createError } from '../errors.js';
import { int64s } from './cpu-layout.js';

const { onnx } = onnxProto;
type Model = onnxProto.onnx.ModelProto;
type Node = onnxProto.onnx.INodeProto;

/** The streaming rewrite's parameters (`ModelSource.streaming`). */
export interface StreamingOptions {
  /** Input frames each run adds (time steps of the NCHW H axis); must equal the model's total time stride. */
  hop: number;
}

/** What the rewritten model expects: input frames per run and its state tensors. */
export interface StreamingPlan {
  /** Frames of input per run: `hop` new ones after `frames - hop` already seen. */
  frames: number;
  /** State tensors, in order: input name `state{i}`, output `state{i}_out`, NCHW shape (batch first). */
  states: { name: string; channels: number; time: number; width: number }[];
}

const fail = (msg: string): never => {
  throw createError('HMP_ERR_CONVERT_LAYOUT', msg);
};

const ints = (n: Node, name: string): number[] | undefined => n.attribute?.find((a) => a.name === name)?.ints?.map(Number);

function int64Tensor(name: string, values: number[]): onnxProto.onnx.TensorProto {
  return onnx.TensorProto.fromObject({ name, dataType: onnx.TensorProto.DataType.INT64, dims: [values.length], rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) });
}

/**
 * Rewrites `m` (a single-input chain: optional leading Reshape to NCHW, Conv / Relu / LeakyRelu /
 * MaxPool, optional trailing Reshape) to run one hop at a time. Mutates `m`.
 * @throws HMP_ERR_CONVERT_LAYOUT when the graph is not such a chain, a Conv pads or strides along
 *   time, or the hop is not the model's total time stride
 */
export function streamTime(m: Model, hop: number): StreamingPlan {
  const g = m.graph ?? fail('model has no graph');
  if ((g.input ?? []).length !== 1 || (g.output ?? []).length !== 1) fail('streaming needs one graph input and one output');
  const input = (g.input as onnxProto.onnx.IValueInfoProto[])[0] as onnxProto.onnx.IValueInfoProto;
  const inits = new Map((g.initializer ?? []).map((t) => [t.name as string, t]));
  const nodes = (g.node ?? []) as Node[];
  const inDims = input.type?.tensorType?.shape?.dim ?? fail('input has no shape');

  // Where the NCHW tensor starts, its time length and width.
  let k = 0;
  let cur = input.name as string;
  let shapeFix: (frames: number) => void;
  let T: number;
  let W: number;
  const first = nodes[0] ?? fail('empty graph');
  if (first.opType === 'Reshape') {
    const st = inits.get(first.input?.[1] as string) ?? fail('leading Reshape has no constant shape');
    const shape = int64s(st);
    if (shape.length !== 4 || shape[1] !== 1) fail(`leading Reshape to ${shape.join('x')} is not [N, 1, T, W]`);
    const timeDim = inDims.findIndex((d, i) => i > 0 && Number(d.dimValue) === shape[2]);
    if (timeDim < 0) fail('cannot find the time axis of the input');
    T = shape[2] as number;
    W = shape[3] as number;
    shapeFix = (frames) => {
      shape[2] = frames;
      const fixed = int64Tensor(st.name as string, shape);
      st.rawData = fixed.rawData;
      st.int64Data = [];
      (inDims[timeDim] as onnxProto.onnx.TensorShapeProto.IDimension).dimValue = frames;
    };
    cur = first.output?.[0] as string;
    k = 1;
  } else {
    if (inDims.length !== 4) fail('input is not NCHW');
    T = Number(inDims[2]?.dimValue);
    W = Number(inDims[3]?.dimValue);
    shapeFix = (frames) => {
      (inDims[2] as onnxProto.onnx.TensorShapeProto.IDimension).dimValue = frames;
    };
  }
  if (!(T > 0 && W > 0)) fail('input time and width must be fixed');

  // Walk the chain: segments end at time-downsampling pools.
  interface Segment { ctx: number; stride: number; start: string; channels: number; width: number; startNode: number }
  const segs: Segment[] = [{ ctx: 0, stride: 1, start: cur, channels: 1, width: W, startNode: k }];
  let C = 1;
  let stride = 1;
  let time = T;
  for (; k < nodes.length; k++) {
    const n = nodes[k] as Node;
    if (n.opType === 'Reshape' && k === nodes.length - 1) break;
    if (n.input?.[0] !== cur) fail(`${n.opType} ${n.name} does not continue the chain`);
    const seg = segs[segs.length - 1] as Segment;
    if (n.opType === 'Conv') {
      const w = inits.get(n.input?.[1] as string) ?? fail(`Conv ${n.name}: weights are not an initializer`);
      const [kh, kw] = (ints(n, 'kernel_shape') ?? (w.dims ?? []).slice(2).map(Number)) as [number, number];
      const [sh, sw] = ints(n, 'strides') ?? [1, 1];
      const [dh] = ints(n, 'dilations') ?? [1, 1];
      const [pt, pl, pb, pr] = ints(n, 'pads') ?? [0, 0, 0, 0];
      const autoPad = n.attribute?.find((a) => a.name === 'auto_pad')?.s;
      if (autoPad && autoPad.length > 0 && new TextDecoder().decode(autoPad) !== 'NOTSET') fail(`Conv ${n.name}: auto_pad`);
      if (sh !== 1 || dh !== 1 || pt !== 0 || pb !== 0) fail(`Conv ${n.name} strides, dilates or pads along time`);
      seg.ctx += kh - 1;
      time -= kh - 1;
      W = Math.floor((W + (pl ?? 0) + (pr ?? 0) - kw) / (sw ?? 1)) + 1;
      C = Number(w.dims?.[0]);
    } else if (n.opType === 'Relu' || n.opType === 'LeakyRelu') {
      // elementwise
    } else if (n.opType === 'MaxPool') {
      const [kh, kw] = ints(n, 'kernel_shape') as [number, number];
      const [sh, sw] = ints(n, 'strides') ?? [1, 1];
      const [pt, pl, pb, pr] = ints(n, 'pads') ?? [0, 0, 0, 0];
      if (pt !== 0 || pb !== 0) fail(`MaxPool ${n.name} pads along time`);
      W = Math.floor((W + (pl ?? 0) + (pr ?? 0) - kw) / (sw ?? 1)) + 1;
      if (kh === 1 && sh === 1) {
        // width only
      } else if (kh === sh) {
        if (time % kh !== 0) fail(`MaxPool ${n.name}: ${time} columns do not pool evenly by ${kh}`);
        time /= kh;
        stride *= kh;
        segs.push({ ctx: 0, stride, start: n.output?.[0] as string, channels: C, width: W, startNode: k + 1 });
      } else fail(`MaxPool ${n.name}: time kernel ${kh} with stride ${sh}`);
    } else fail(`${n.opType} ${n.name} is not supported by the streaming rewrite`);
    cur = n.output?.[0] as string;
  }
  if (stride !== hop) fail(`the model's time stride is ${stride}, not the hop ${hop}`);

  // Segment i takes hop/stride new columns after ctx state columns.
  const plan: StreamingPlan = { frames: hop + (segs[0] as Segment).ctx, states: [] };
  shapeFix(plan.frames);
  const batch = inDims[0] as onnxProto.onnx.TensorShapeProto.IDimension;
  const at = new Map<number, Node[]>();
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i] as Segment;
    if (s.ctx === 0) continue;
    const fresh = hop / s.stride;
    const name = `state${plan.states.length}`;
    const joined = `${s.start}/stream`;
    const concat = onnx.NodeProto.fromObject({
      opType: 'Concat', name: `${name}/concat`, input: [name, s.start], output: [joined],
      attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 2 }],
    });
    g.initializer?.push(int64Tensor(`${name}/starts`, [fresh]), int64Tensor(`${name}/ends`, [fresh + s.ctx]), int64Tensor(`${name}/axes`, [2]));
    const slice = onnx.NodeProto.fromObject({ opType: 'Slice', name: `${name}/slice`, input: [joined, `${name}/starts`, `${name}/ends`, `${name}/axes`], output: [`${name}_out`] });
    const reader = nodes[s.startNode] ?? fail('a time pool ends the graph');
    reader.input = (reader.input ?? []).map((x) => (x === s.start ? joined : x));
    at.set(s.startNode, [concat, slice]);
    const dims = [batch.dimParam ? { dimParam: batch.dimParam } : { dimValue: Number(batch.dimValue) }, { dimValue: s.channels }, { dimValue: s.ctx }, { dimValue: s.width }];
    const vi = (nm: string) => onnx.ValueInfoProto.fromObject({ name: nm, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims } } } });
    g.input?.push(vi(name));
    g.output?.push(vi(`${name}_out`));
    plan.states.push({ name, channels: s.channels, time: s.ctx, width: s.width });
  }
  const out: Node[] = [];
  nodes.forEach((n, i) => {
    out.push(...(at.get(i) ?? []));
    out.push(n);
  });
  g.node = out;
  g.valueInfo = [];
  return plan;
}

/** The manifest's record of the rewrite. */
export function streamingText(o: StreamingOptions): string {
  return `streaming: one hop of ${o.hop} input frames per run; columns reused from the previous run passed as state (inputs state*, outputs state*_out)`;
}

/** Applies {@link streamTime} to serialized ONNX bytes. Deterministic. */
export function streamModel(bytes: Uint8Array, o: StreamingOptions): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  streamTime(m, o.hop);
  return onnx.ModelProto.encode(m).finish();
}
