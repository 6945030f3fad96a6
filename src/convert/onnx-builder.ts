/**
 * A small, reusable ONNX graph builder over ONNX's own protobuf schema (`onnx-proto`, the
 * protobufjs static code generated from onnx/onnx `onnx.proto`).
 *
 * Why a builder and not hand-written protobuf: every hmp tool that emits ONNX (the TF.js
 * converter, the face-api weight graphs) needs the same three guarantees — valid ModelProto,
 * stable names, and byte-identical output for identical input — so they live in one place.
 *
 * Determinism: nodes, initializers, inputs and outputs serialize in insertion order,
 * attributes sorted by name, tensors as little-endian `raw_data`; protobufjs writes fields in
 * field-number order and no timestamps or random ids are ever recorded.
 *
 * @example
 * const b = new OnnxGraphBuilder({ graphName: 'double' });
 * b.addInput('x', 'float32', ['N', 3]);
 * const two = b.addInitializer('two', { type: 'float32', dims: [], data: new Float32Array([2]) });
 * b.addNode('Mul', ['x', two], ['y']);
 * b.addOutput('y', 'float32', ['N', 3]);
 * const bytes = b.serialize(); // Uint8Array, loads in onnxruntime-node
 * @internal
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Element types the builder writes. */
export type OnnxElemType = 'float32' | 'float16' | 'int32' | 'int64' | 'bool' | 'uint8';

const ELEM: Record<OnnxElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
  uint8: onnx.TensorProto.DataType.UINT8,
};

/**
 * A constant tensor. `int64` data is given as a BigInt64Array or plain (safe-integer) numbers;
 * `float16` data as the raw IEEE half bits in a Uint16Array.
 */
export interface TensorData {
  type: OnnxElemType;
  dims: readonly number[];
  data: Float32Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array | readonly number[];
}

/**
 * Attribute values. Plain numbers are INT (must be integers), number arrays INTS, strings
 * STRING; floats must be tagged (`{ float: 0.2 }`, `{ floats: [...] }`) because an ONNX
 * attribute's type is part of the operator contract (`alpha=0` and `alpha=0.0` differ).
 */
export type AttrValue =
  | number
  | readonly number[]
  | string
  | readonly string[]
  | { float: number }
  | { floats: readonly number[] }
  | { tensor: TensorData };

/** Dimension of a value-info shape: a fixed size or a symbolic name (e.g. `'N'`). */
export type Dim = number | string;

export interface BuilderOptions {
  /** Graph name recorded in the model. */
  graphName: string;
  /** Default-domain opset. Default 13 (supported by every onnxruntime since 1.7). */
  opset?: number;
  /** IR version. Default 7 (the one matching opset 13). */
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
}

function tensorRaw(t: TensorData): Uint8Array {
  const n = t.dims.reduce((a, b) => a * b, 1);
  let arr: Float32Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array;
  switch (t.type) {
    case 'float32': arr = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>); break;
    case 'float16': arr = t.data instanceof Uint16Array ? t.data : Uint16Array.from(t.data as ArrayLike<number>); break;
    case 'int32': arr = t.data instanceof Int32Array ? t.data : Int32Array.from(t.data as ArrayLike<number>); break;
    case 'int64': arr = t.data instanceof BigInt64Array ? t.data : BigInt64Array.from(Array.from(t.data as ArrayLike<number>, (v) => BigInt(v))); break;
    case 'bool':
    case 'uint8': arr = t.data instanceof Uint8Array ? t.data : Uint8Array.from(t.data as ArrayLike<number>); break;
  }
  if (arr.length !== n) throw new RangeError(`tensor of dims [${t.dims.join(',')}] needs ${n} values but has ${arr.length}`);
  // raw_data is little-endian; every platform Node 20 runs on is little-endian, and the copy
  // detaches the bytes from any larger buffer the view may share.
  return new Uint8Array(arr.buffer.slice(arr.byteOffset, arr.byteOffset + arr.byteLength));
}

function tensorProto(name: string, t: TensorData): onnxProto.onnx.ITensorProto {
  return { name, dims: [...t.dims], dataType: ELEM[t.type], rawData: tensorRaw(t) };
}

function attrProto(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new TypeError(`attribute ${name}: ${v} is not an integer; tag floats as { float }`);
    return { name, type: T.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { name, type: T.STRINGS, strings: (v as string[]).map((x) => new TextEncoder().encode(x)) };
    if (!v.every((x) => Number.isInteger(x))) throw new TypeError(`attribute ${name}: ints must be integers; tag floats as { floats }`);
    return { name, type: T.INTS, ints: [...(v as number[])] };
  }
  const o = v as { float?: number; floats?: readonly number[]; tensor?: TensorData };
  if (o.float !== undefined) return { name, type: T.FLOAT, f: o.float };
  if (o.floats !== undefined) return { name, type: T.FLOATS, floats: [...o.floats] };
  if (o.tensor !== undefined) return { name, type: T.TENSOR, t: tensorProto('', o.tensor) };
  throw new TypeError(`attribute ${name}: unsupported value`);
}

function valueInfo(name: string, type: OnnxElemType, shape: readonly Dim[] | undefined): onnxProto.onnx.IValueInfoProto {
  const tt: onnxProto.onnx.TypeProto.ITensor = { elemType: ELEM[type] };
  if (shape) tt.shape = { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType: tt } };
}

/** Builds one ONNX graph; see the module example. */
export class OnnxGraphBuilder {
  readonly #opts: Required<Omit<BuilderOptions, 'docString'>> & { docString?: string };
  readonly #nodes: onnxProto.onnx.INodeProto[] = [];
  readonly #inits: onnxProto.onnx.ITensorProto[] = [];
  readonly #inputs: onnxProto.onnx.IValueInfoProto[] = [];
  readonly #outputs: onnxProto.onnx.IValueInfoProto[] = [];
  readonly #names = new Set<string>();
  readonly #initByKey = new Map<string, string>();

  constructor(options: BuilderOptions) {
    this.#opts = {
      opset: 13,
      irVersion: 7,
      producerName: 'hmp',
      producerVersion: '',
      ...options,
    };
  }

  /** The default-domain opset this graph targets. */
  get opset(): number {
    return this.#opts.opset;
  }

  /** Returns `base` if unused, else `base_1`, `base_2`, ...; reserves the result. */
  uniqueName(base: string): string {
    let n = base;
    for (let i = 1; this.#names.has(n); i++) n = `${base}_${i}`;
    this.#names.add(n);
    return n;
  }

  /** Declares a graph input. */
  addInput(name: string, type: OnnxElemType, shape: readonly Dim[]): string {
    this.#names.add(name);
    this.#inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Declares a graph output (a tensor some node produces). */
  addOutput(name: string, type: OnnxElemType, shape?: readonly Dim[]): string {
    this.#outputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Adds a constant; the name is made unique. Returns the name to use as a node input. */
  addInitializer(name: string, t: TensorData): string {
    const n = this.uniqueName(name);
    this.#inits.push(tensorProto(n, t));
    return n;
  }

  /**
   * Adds a small constant once per distinct value (shape vectors, axes, scalars), so repeated
   * requests share one initializer. Returns its name.
   */
  constant(t: TensorData, hint = 'const'): string {
    const key = `${t.type}|${t.dims.join(',')}|${Array.from(t.data as ArrayLike<number | bigint>, String).join(',')}`;
    let n = this.#initByKey.get(key);
    if (!n) {
      n = this.addInitializer(hint, t);
      this.#initByKey.set(key, n);
    }
    return n;
  }

  /** Shorthand for an int64 vector constant (axes, shapes, pads). */
  int64s(values: readonly number[], hint = 'i64'): string {
    return this.constant({ type: 'int64', dims: [values.length], data: values }, hint);
  }

  /** Shorthand for a float32 scalar constant. */
  float(value: number, hint = 'f32'): string {
    return this.constant({ type: 'float32', dims: [], data: [value] }, hint);
  }

  /**
   * Adds a node. `outputs` are used verbatim (pass names from {@link uniqueName} or graph
   * output names); `name` defaults to the first output. Empty strings mark omitted optional
   * inputs. Attributes are written sorted by name.
   */
  addNode(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrValue> = {}, name?: string): void {
    for (const o of outputs) this.#names.add(o);
    const attribute = Object.keys(attrs)
      .sort()
      .map((k) => attrProto(k, attrs[k] as AttrValue));
    const node: onnxProto.onnx.INodeProto = { opType, input: [...inputs], output: [...outputs], name: name ?? outputs[0] ?? opType };
    if (attribute.length) node.attribute = attribute;
    this.#nodes.push(node);
  }

  /** Convenience: adds a single-output node with a fresh output name and returns it. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, hint?: string): string {
    const out = this.uniqueName(hint ?? opType.toLowerCase());
    this.addNode(opType, inputs, [out], attrs);
    return out;
  }

  /** The ModelProto as a plain object (for inspection). */
  toModel(): onnxProto.onnx.IModelProto {
    const graph: onnxProto.onnx.IGraphProto = {
      name: this.#opts.graphName,
      node: this.#nodes,
      initializer: this.#inits,
      input: this.#inputs,
      output: this.#outputs,
    };
    const model: onnxProto.onnx.IModelProto = {
      irVersion: this.#opts.irVersion,
      producerName: this.#opts.producerName,
      producerVersion: this.#opts.producerVersion,
      opsetImport: [{ domain: '', version: this.#opts.opset }],
      graph,
    };
    if (this.#opts.docString) model.docString = this.#opts.docString;
    return model;
  }

  /** Serializes the model to bytes; identical builder calls give identical bytes. */
  serialize(): Uint8Array {
    const msg = onnx.ModelProto.fromObject(this.toModel());
    return onnx.ModelProto.encode(msg).finish();
  }
}

/** Decodes ONNX bytes into a plain ModelProto object (tests and `hmp models list`). */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
