/**
 * Exact graph rewrites that let onnxruntime's CPU provider run a convolutional model in its
 * blocked NCHWc layout from end to end. Both keep every output the same up to float rounding
 * (`test/convert/cpu-layout.test.ts` checks this on real images); they change only what the
 * model costs to run.
 *
 * - **Channel padding** (`padChannels`): onnxruntime's NCHWc transformer runs a Conv in the
 *   blocked layout for any channel count, but pooling and the residual Add (+ Relu) only when the
 *   channel count is a multiple of the block size (16 with AVX-512). BlazeFace's 24-channel
 *   stages (and the front model's 28, 36, 42... stages) therefore left and re-entered the
 *   blocked layout around every residual block: 24 ReorderInput/Output pairs and 24 unfused
 *   Add and Relu nodes per BlazeFace back run. Padding each such tensor with zero channels to
 *   the next multiple of 16 (zero weight rows and columns, zero bias) keeps the padded channels
 *   exactly zero through Conv, Relu, MaxPool and Add, so the real channels are unchanged. The
 *   channel padding of BlazeFace's stride-2 blocks (Concat with a ConstantOfShape of zeros)
 *   becomes a 1x1 Conv with an identity-and-zeros weight, which the blocked layout runs too.
 * - **CReLU folding** (`foldCrelu`): FaceBoxes' CReLU is `Concat(y, Neg(y))` on the channels of
 *   a Conv's output `y`; onnxruntime runs Neg and Concat unblocked, with a reorder out of and back
 *   into the blocked layout around them (1.0-1.3 ms of FaceBoxes' 5 ms at 512x512). The Conv with
 *   weights `[W; -W]` and bias `[b; -b]` computes the same concatenation directly (negation is
 *   exact in float16 and float32).
 * - **NCHW input** (`nchwInput`): a model whose NHWC input feeds only a Transpose to NCHW takes
 *   NCHW directly (the WASM normalisation writes planes as cheaply as interleaved pixels), so the
 *   transpose of the whole input (0.66 ms of FaceBoxes' 5 ms at 512x512) disappears.
 *
 * Measured on the 2-core AVX-512 box (same process, alternating runs): BlazeFace back 256 5.1 →
 * 4.2 ms, BlazeFace front 128 1.07 → 0.96 ms before the NCHW input (docs/faces.md).
 * @internal
 */
import onnxProto from 'onnx-proto';
import { createError } from '../errors.js';

const { onnx } = onnxProto;
type Model = onnxProto.onnx.ModelProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

/** The rewrites of {@link optimizeForCpu}. */
export interface CpuLayoutOptions {
  /** Pad channel counts to multiples of this (onnxruntime's NCHWc block: 16 with AVX-512, 8 with AVX2). */
  padChannels?: number;
  /** Take the input as NCHW instead of NHWC (the graph's first op must be that transpose). */
  nchwInput?: boolean;
  /**
   * Fold CReLU's `Concat(y, Neg(y))` into the Conv that makes `y` (weights `[W; -W]`, bias
   * `[b; -b]`), for the Convs named here (ONNX node names): it doubles that Conv's work, which
   * pays only where the output is large.
   */
  foldCrelu?: readonly string[];
  /**
   * Rewrite `Max(LeakyRelu_α(Conv(x)), c)` (a scalar floor c < 0) as `LeakyRelu_α(Relu(Conv'(x)) + d)`
   * with d = c/α: the Conv's bias lowered by d, then a depthwise 1x1 Conv adding d back, which
   * onnxruntime runs blocked with the LeakyRelu fused; `Max` has no blocked kernel.
   */
  leakyFloor?: boolean;
}

const fail = (msg: string): never => {
  throw createError('HMP_ERR_CONVERT_LAYOUT', msg);
};

function floats(t: Tensor): Float32Array {
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) fail(`initializer ${t.name} is not float32`);
  if (t.rawData && t.rawData.length > 0) {
    const b = t.rawData;
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  return Float32Array.from(t.floatData ?? []);
}

/** An int64 initializer's values (raw or typed storage) as numbers. */
export function int64s(t: Tensor): number[] {
  if (t.rawData && t.rawData.length > 0) {
    const b = t.rawData;
    return Array.from(new BigInt64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), Number);
  }
  return (t.int64Data ?? []).map(Number);
}

function setFloats(t: Tensor, dims: number[], data: Float32Array): void {
  t.dims = dims;
  t.floatData = [];
  t.rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The graph with its initializers by name and, per tensor, the node making it and the nodes reading it. */
function indexGraph(m: Model): { g: onnxProto.onnx.IGraphProto; inits: Map<string, Tensor>; producer: Map<string, Node>; consumers: Map<string, Node[]> } {
  const g = m.graph ?? fail('model has no graph');
  const inits = new Map((g.initializer ?? []).map((t) => [t.name as string, t]));
  const producer = new Map<string, Node>();
  const consumers = new Map<string, Node[]>();
  for (const n of g.node ?? []) {
    for (const o of n.output ?? []) producer.set(o, n);
    for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  return { g, inits, producer, consumers };
}

/** Real (`c`) and stored (`p` ≥ c, the extra channels are zeros) channel counts of a tensor. */
interface Channels {
  c: number;
  p: number;
}

/** Ops through which zero padding channels stay zero, so a padded tensor may flow into them. */
const CHANNEL_SAFE = new Set(['Conv', 'Relu', 'LeakyRelu', 'Add', 'MaxPool', 'Concat']);

/** See the module comment. Mutates `m`. */
export function padChannels(m: Model, block: number): void {
  const { g, inits, producer, consumers } = indexGraph(m);
  const up = (c: number) => Math.ceil(c / block) * block;
  const state = new Map<string, Channels>();
  const dead = new Set<Node>();
  for (const n of g.node ?? []) {
    const ins = (n.input ?? []).map((i) => state.get(i));
    const out = (n.output ?? [])[0] as string;
    switch (n.opType) {
      case 'Conv': {
        const w = inits.get(n.input?.[1] as string) ?? fail(`Conv ${n.name}: weight is not an initializer`);
        if ((consumers.get(w.name as string) ?? []).length > 1) fail(`Conv ${n.name}: shared weight`);
        const [co, ci, kh, kw] = (w.dims ?? []).map(Number) as [number, number, number, number];
        const groupAttr = (n.attribute ?? []).find((a) => a.name === 'group');
        const group = groupAttr ? Number(groupAttr.i) : 1;
        const k = kh * kw;
        const wf = floats(w);
        let po: number;
        if (group === 1) {
          const x = ins[0] ?? { c: ci, p: ci };
          if (x.c !== ci) fail(`Conv ${n.name}: ${ci} input channels, input tensor has ${x.c}`);
          // Outputs that leave the padded region (heads reshaped into the model outputs) keep their width.
          const cs = consumers.get(out) ?? [];
          po = cs.length > 0 && cs.every((c) => CHANNEL_SAFE.has(c.opType as string)) ? up(co) : co;
          const nw = new Float32Array(po * x.p * k);
          for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) nw.set(wf.subarray((o * ci + i) * k, (o * ci + i + 1) * k), (o * x.p + i) * k);
          setFloats(w, [po, x.p, kh, kw], nw);
        } else {
          const x = ins[0] ?? { c: co, p: co };
          if (group !== co || ci !== 1 || x.c !== co) fail(`Conv ${n.name}: only depthwise grouped convolutions are supported`);
          po = x.p;
          const nw = new Float32Array(po * k);
          nw.set(wf);
          setFloats(w, [po, 1, kh, kw], nw);
          (groupAttr as onnxProto.onnx.IAttributeProto).i = po;
        }
        if (n.input?.[2]) {
          const b = inits.get(n.input[2]) ?? fail(`Conv ${n.name}: bias is not an initializer`);
          const nb = new Float32Array(po);
          nb.set(floats(b));
          setFloats(b, [po], nb);
        }
        state.set(out, { c: co, p: po });
        break;
      }
      case 'Relu':
      case 'LeakyRelu': // f(0) = 0 for both: zero channels stay zero
      case 'MaxPool':
        if (ins[0]) state.set(out, ins[0]);
        break;
      case 'Add':
        if (ins[0] || ins[1]) {
          const [a, b] = ins;
          if (!a || !b || a.c !== b.c || a.p !== b.p) return fail(`Add ${n.name}: inputs padded differently`);
          state.set(out, a);
        }
        break;
      case 'Concat': {
        const x = ins[0];
        if (!x) {
          if (ins.some((s) => s && s.c !== s.p)) fail(`Concat ${n.name}: padded input`);
          break;
        }
        // BlazeFace's channel padding: Concat(x, ConstantOfShape([1, z, h, w]) = zeros) on axis 1.
        const z = producer.get(n.input?.[1] as string);
        const axis = (n.attribute ?? []).find((a) => a.name === 'axis');
        if (n.input?.length !== 2 || !z || z.opType !== 'ConstantOfShape' || Number(axis?.i) !== 1 || (consumers.get(z.output?.[0] as string) ?? []).length !== 1) {
          fail(`Concat ${n.name}: only channel padding with zeros is supported`);
        }
        const zero = (z as Node).attribute?.find((a) => a.name === 'value');
        if (zero?.t && floats(zero.t).some((v) => v !== 0)) fail(`Concat ${n.name}: padding value is not zero`);
        const shape = int64s(inits.get((z as Node).input?.[0] as string) ?? fail(`Concat ${n.name}: padding shape is not an initializer`));
        const co = x.c + (shape[1] as number);
        const po = up(co);
        // Output channel j < x.p is x's (real or zero), every later one zero: an identity 1x1 Conv.
        const wName = `${out}/pad_channels`;
        const wd = new Float32Array(po * x.p);
        for (let i = 0; i < x.p; i++) wd[i * x.p + i] = 1;
        g.initializer?.push(onnx.TensorProto.fromObject({ name: wName, dataType: onnx.TensorProto.DataType.FLOAT, dims: [po, x.p, 1, 1], rawData: new Uint8Array(wd.buffer) }));
        n.opType = 'Conv';
        n.input = [n.input?.[0] as string, wName];
        n.attribute = [onnx.AttributeProto.fromObject({ name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1] })];
        dead.add(z as Node);
        state.set(out, { c: co, p: po });
        break;
      }
      default:
        for (const s of ins) if (s && s.c !== s.p) fail(`${n.opType} ${n.name}: takes a padded tensor`);
    }
  }
  g.node = (g.node ?? []).filter((n) => !dead.has(n));
  const used = new Set((g.node ?? []).flatMap((n) => n.input ?? []));
  g.initializer = (g.initializer ?? []).filter((t) => used.has(t.name as string));
  // Recorded intermediate shapes no longer hold; onnxruntime infers them again.
  g.valueInfo = [];
}

/** The float16 or float32 initializer behind a Conv input, through an optional Cast to float. */
function weightSource(inits: Map<string, Tensor>, producer: Map<string, Node>, name: string): Tensor {
  const direct = inits.get(name);
  if (direct) return direct;
  const cast = producer.get(name);
  const t = cast?.opType === 'Cast' ? inits.get(cast.input?.[0] as string) : undefined;
  return t ?? fail(`${name} is neither an initializer nor a Cast of one`);
}

/** `t` with its first-axis slices followed by their negations (float16 bits or float32). */
function appendNegated(t: Tensor): void {
  const dims = (t.dims ?? []).map(Number);
  dims[0] = 2 * (dims[0] as number);
  if (t.dataType === onnx.TensorProto.DataType.FLOAT16) {
    const raw = t.rawData ?? fail(`${t.name}: float16 data not stored raw`);
    const h = new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const out = new Uint16Array(2 * h.length);
    out.set(h);
    for (let i = 0; i < h.length; i++) out[h.length + i] = (h[i] as number) ^ 0x8000;
    t.dims = dims;
    t.rawData = new Uint8Array(out.buffer);
    return;
  }
  const f = floats(t);
  const out = new Float32Array(2 * f.length);
  out.set(f);
  for (let i = 0; i < f.length; i++) out[f.length + i] = -(f[i] as number);
  setFloats(t, dims, out);
}

/** See the module comment. Mutates `m`. */
export function foldCrelu(m: Model, convs: readonly string[]): number {
  const { g, inits, producer, consumers } = indexGraph(m);
  const dead = new Set<Node>();
  let folded = 0;
  for (const cat of g.node ?? []) {
    if (cat.opType !== 'Concat' || cat.input?.length !== 2) continue;
    const [y, negOut] = cat.input as [string, string];
    const neg = producer.get(negOut);
    if (neg?.opType !== 'Neg' || neg.input?.[0] !== y || (consumers.get(negOut) ?? []).length !== 1) continue;
    // y is the Conv output (NCHW, concat axis 1) or its NHWC view (one Transpose 0,2,3,1; axis 3 or -1).
    let conv = producer.get(y);
    let channelAxes = [1, -3];
    let viaTranspose: Node | undefined;
    if (conv?.opType === 'Transpose' && conv.attribute?.find((a) => a.name === 'perm')?.ints?.map(Number).join() === '0,2,3,1') {
      viaTranspose = conv;
      conv = producer.get(conv.input?.[0] as string);
      channelAxes = [3, -1];
    }
    const axis = Number(cat.attribute?.find((a) => a.name === 'axis')?.i);
    if (conv?.opType !== 'Conv' || !channelAxes.includes(axis) || !convs.includes(conv.name as string)) continue;
    const yUsers = consumers.get(y) ?? [];
    const convUsers = consumers.get(conv.output?.[0] as string) ?? [];
    if (yUsers.length !== 2 || (viaTranspose && convUsers.length !== 1)) continue;
    const group = Number(conv.attribute?.find((a) => a.name === 'group')?.i ?? 1);
    if (group !== 1) continue;
    for (const i of [1, 2]) {
      const name = conv.input?.[i];
      if (!name) continue;
      const t = weightSource(inits, producer, name);
      if ((consumers.get(t.name as string) ?? []).length !== 1) fail(`Conv ${conv.name}: weight ${t.name} is shared`);
      appendNegated(t);
    }
    // The Conv now yields the concatenation; readers of the Concat read y instead.
    const out = cat.output?.[0] as string;
    for (const n of g.node ?? []) n.input = (n.input ?? []).map((i) => (i === out ? y : i));
    for (const o of g.output ?? []) if (o.name === out) fail(`Concat ${cat.name} is a graph output`);
    dead.add(cat);
    dead.add(neg);
    folded++;
  }
  g.node = (g.node ?? []).filter((n) => !dead.has(n));
  if (folded > 0) g.valueInfo = [];
  return folded;
}

/** See {@link CpuLayoutOptions.leakyFloor}. Mutates `m`; returns the number of floors rewritten. */
export function leakyFloor(m: Model): number {
  const { g, inits, producer, consumers } = indexGraph(m);
  const out: Node[] = [];
  let k = 0;
  for (const n of g.node ?? []) {
    const cT = n.opType === 'Max' && n.input?.length === 2 ? inits.get(n.input[1] as string) : undefined;
    const lr = producer.get(n.input?.[0] as string);
    const conv = lr?.opType === 'LeakyRelu' ? producer.get(lr.input?.[0] as string) : undefined;
    const c = cT && cT.dims?.every((d) => Number(d) === 1) ? (floats(cT)[0] as number) : NaN;
    const alpha = lr?.attribute?.find((a) => a.name === 'alpha')?.f ?? 0.01;
    if (!cT || !lr || conv?.opType !== 'Conv' || !(c < 0) || !(alpha > 0) || (consumers.get(lr.output?.[0] as string) ?? []).length !== 1 || (consumers.get(conv.output?.[0] as string) ?? []).length !== 1) {
      out.push(n);
      continue;
    }
    const bName = conv.input?.[2] ?? fail(`Conv ${conv.name}: no bias to shift`);
    const b = inits.get(bName) ?? fail(`Conv ${conv.name}: bias is not an initializer`);
    if ((consumers.get(bName) ?? []).length !== 1) fail(`Conv ${conv.name}: shared bias`);
    const d = c / alpha;
    const bf = floats(b).map((v) => v - d);
    setFloats(b, [bf.length], bf);
    const C = bf.length;
    lr.opType = 'Relu';
    lr.attribute = [];
    const name = `${n.output?.[0]}/leaky_floor`;
    g.initializer?.push(onnx.TensorProto.fromObject({ name: `${name}/w`, dataType: onnx.TensorProto.DataType.FLOAT, dims: [C, 1, 1, 1], rawData: new Uint8Array(new Float32Array(C).fill(1).buffer) }));
    g.initializer?.push(onnx.TensorProto.fromObject({ name: `${name}/b`, dataType: onnx.TensorProto.DataType.FLOAT, dims: [C], rawData: new Uint8Array(new Float32Array(C).fill(d).buffer) }));
    out.push(onnx.NodeProto.fromObject({
      opType: 'Conv', name: `${name}/shift`, input: [lr.output?.[0] as string, `${name}/w`, `${name}/b`], output: [`${name}/shifted`],
      attribute: [{ name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: C }, { name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1] }],
    }));
    out.push(onnx.NodeProto.fromObject({
      opType: 'LeakyRelu', name: `${name}/leaky`, input: [`${name}/shifted`], output: [n.output?.[0] as string],
      attribute: [{ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: alpha }],
    }));
    k++;
  }
  g.node = out;
  const used = new Set(out.flatMap((x) => x.input ?? []));
  g.initializer = (g.initializer ?? []).filter((t) => used.has(t.name as string));
  if (k > 0) g.valueInfo = [];
  return k;
}

/** See the module comment. Mutates `m`. */
export function nchwInput(m: Model): void {
  const g = m.graph ?? fail('model has no graph');
  if ((g.input ?? []).length !== 1) fail('nchwInput needs exactly one graph input');
  const input = (g.input as onnxProto.onnx.IValueInfoProto[])[0] as onnxProto.onnx.IValueInfoProto;
  const users = (g.node ?? []).filter((n) => (n.input ?? []).includes(input.name as string));
  const t = users[0];
  const perm = t?.attribute?.find((a) => a.name === 'perm')?.ints?.map(Number);
  if (users.length !== 1 || t?.opType !== 'Transpose' || perm?.join() !== '0,3,1,2') fail('the input does not feed one NHWC→NCHW Transpose');
  const dims = input.type?.tensorType?.shape?.dim ?? fail('input has no shape');
  if (dims.length !== 4) fail('input is not 4-D');
  input.type!.tensorType!.shape!.dim = [dims[0], dims[3], dims[1], dims[2]] as onnxProto.onnx.TensorShapeProto.IDimension[];
  const from = (t as Node).output?.[0] as string;
  for (const n of g.node ?? []) n.input = (n.input ?? []).map((i) => (i === from ? (input.name as string) : i));
  g.node = (g.node ?? []).filter((n) => n !== t);
}

/** The manifest's record of the rewrites (`rewrites` of a model entry). */
export function cpuLayoutText(o: CpuLayoutOptions): string[] {
  const r: string[] = [];
  if (o.leakyFloor) r.push('Max(LeakyRelu(Conv(x)), c) rewritten as LeakyRelu(Relu(Conv(x) - c/alpha) + c/alpha), the shift a depthwise 1x1 Conv');
  if (o.foldCrelu) r.push(`CReLU Concat(y, -y) folded into Conv ${o.foldCrelu.join(', ')} (weights [W; -W], bias [b; -b])`);
  if (o.padChannels) r.push(`channels padded with zeros to multiples of ${o.padChannels} (onnxruntime NCHWc blocks; outputs unchanged)`);
  if (o.nchwInput) r.push('input taken as NCHW (the leading NHWC-to-NCHW Transpose removed)');
  return r;
}

/**
 * Applies the rewrites to serialized ONNX bytes. Deterministic: the same bytes and options give
 * the same output.
 * @throws HMP_ERR_CONVERT_LAYOUT when the graph has a shape the rewrite does not handle
 */
export function optimizeForCpu(bytes: Uint8Array, o: CpuLayoutOptions): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  if (o.leakyFloor && leakyFloor(m) === 0) fail('no Max(LeakyRelu(Conv), c) floor to rewrite');
  if (o.foldCrelu && foldCrelu(m, o.foldCrelu) !== o.foldCrelu.length) fail(`not every Conv of ${o.foldCrelu.join(', ')} is followed by a CReLU`);
  if (o.padChannels) padChannels(m, o.padChannels);
  if (o.nchwInput) nchwInput(m);
  return onnx.ModelProto.encode(m).finish();
}
