/**
 * Reads a TF.js graph model (`model.json` topology + weights manifest + binary shards) and
 * decodes its weights to plain typed arrays exactly as `@tensorflow/tfjs-core`'s
 * `io.decodeWeights` does, including quantised weights (`uint8`/`uint16` affine and `float16`).
 * @internal
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createError } from '../errors.js';

/** A TF attribute value as the TF.js converter writes it (protobuf JSON). */
export interface TfAttr {
  i?: string | number;
  f?: number;
  b?: boolean;
  s?: string;
  type?: string;
  shape?: { dim?: { size: string | number }[]; unknownRank?: boolean };
  list?: { i?: (string | number)[]; f?: number[]; s?: string[]; b?: boolean[]; type?: string[] };
  tensor?: unknown;
}

/** One node of the topology. */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

/** A decoded constant. */
export interface TfTensor {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
  /**
   * For float16-quantised weights: the stored half-precision bits. `data` holds the exact
   * float32 expansion; keeping the halves lets the ONNX file store them at half the size
   * (a Cast that onnxruntime constant-folds at load restores the same float32 values).
   */
  f16?: Uint16Array;
}

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

interface WeightGroup {
  paths: string[];
  weights: WeightEntry[];
}

/** Signature tensor reference (`{name: 'Identity:0', dtype, tensorShape}`). */
export interface TfSignatureTensor {
  name: string;
  dtype?: string;
  tensorShape?: { dim?: { size: string | number }[] };
}

/** A loaded graph model. */
export interface TfjsGraphModel {
  /** Absolute path of model.json. */
  path: string;
  nodes: TfNode[];
  weights: Map<string, TfTensor>;
  signature?: { inputs?: Record<string, TfSignatureTensor>; outputs?: Record<string, TfSignatureTensor> };
  convertedBy?: string;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/**
 * Converts IEEE-754 half floats to float32. Every half value is exactly representable in
 * float32, so any correct conversion equals tfjs-core's table-based `getFloat16Decoder`.
 */
export function float16ToFloat32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) {
    const h = src[i] as number;
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    let mant = h & 0x3ff;
    if (exp === 0) {
      if (mant === 0) {
        u[i] = sign;
      } else {
        // Subnormal half: normalise into a float32 exponent.
        let e = -1;
        do {
          e++;
          mant <<= 1;
        } while ((mant & 0x400) === 0);
        u[i] = sign | ((127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
      }
    } else if (exp === 0x1f) {
      u[i] = sign | 0x7f800000 | (mant << 13);
    } else {
      u[i] = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    }
  }
  return out;
}

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function decodeWeight(w: WeightEntry, bytes: Uint8Array, where: string): TfTensor {
  const n = numel(w.shape);
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const q = w.quantization;
  if (q) {
    if (q.dtype === 'float16') {
      if (w.dtype !== 'float32') throw createError('HMP_ERR_CONVERT_MODEL_INVALID', where, `weight ${w.name}: float16 quantisation of ${w.dtype}`);
      const f16 = new Uint16Array(buf, 0, n);
      return { dtype: 'float32', shape: w.shape, data: float16ToFloat32(f16), f16 };
    }
    if (q.dtype !== 'uint8' && q.dtype !== 'uint16') throw createError('HMP_ERR_CONVERT_MODEL_INVALID', where, `weight ${w.name}: unknown quantisation ${q.dtype}`);
    if (typeof q.scale !== 'number' || typeof q.min !== 'number') throw createError('HMP_ERR_CONVERT_MODEL_INVALID', where, `weight ${w.name}: quantisation lacks scale/min`);
    const quant = q.dtype === 'uint8' ? new Uint8Array(buf, 0, n) : new Uint16Array(buf, 0, n);
    const { scale, min } = q;
    // Same arithmetic as tfjs-core io.decodeWeights: computed in doubles, stored as float32
    // (or rounded for int32).
    if (w.dtype === 'float32') return { dtype: 'float32', shape: w.shape, data: Float32Array.from(quant, (v) => v * scale + min) };
    if (w.dtype === 'int32') return { dtype: 'int32', shape: w.shape, data: Int32Array.from(quant, (v) => Math.round(v * scale + min)) };
    throw createError('HMP_ERR_CONVERT_MODEL_INVALID', where, `weight ${w.name}: quantised ${w.dtype}`);
  }
  switch (w.dtype) {
    case 'float32': return { dtype: 'float32', shape: w.shape, data: new Float32Array(buf, 0, n) };
    case 'int32': return { dtype: 'int32', shape: w.shape, data: new Int32Array(buf, 0, n) };
    case 'bool': return { dtype: 'bool', shape: w.shape, data: new Uint8Array(buf, 0, n) };
    default: throw createError('HMP_ERR_CONVERT_MODEL_INVALID', where, `weight ${w.name} has unsupported dtype ${w.dtype}`);
  }
}

function weightBytes(w: WeightEntry): number {
  const per = BYTES[w.quantization ? w.quantization.dtype : w.dtype];
  if (per === undefined) throw new TypeError(`dtype ${w.quantization?.dtype ?? w.dtype}`);
  return numel(w.shape) * per;
}

/**
 * Loads model.json and its shards.
 * @throws HMP_ERR_CONVERT_MODEL_INVALID, HMP_ERR_CONVERT_SHARD_MISSING, HMP_ERR_CONVERT_SHARD_SHORT
 */
export function loadTfjsGraphModel(modelJson: string): TfjsGraphModel {
  const path = resolve(modelJson);
  if (!existsSync(path)) throw createError('HMP_ERR_CONVERT_MODEL_INVALID', path, 'file not found');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw createError('HMP_ERR_CONVERT_MODEL_INVALID', path, (err as Error).message);
  }
  const topo = json.modelTopology as { node?: TfNode[] } | undefined;
  if (!topo || !Array.isArray(topo.node)) throw createError('HMP_ERR_CONVERT_MODEL_INVALID', path, 'modelTopology.node is missing (not a graph model; layers models are not supported)');
  if ((topo as { library?: { function?: unknown[] } }).library?.function?.length) {
    throw createError('HMP_ERR_CONVERT_MODEL_INVALID', path, 'graph functions (control-flow v2) are not supported');
  }
  const groups = json.weightsManifest as WeightGroup[] | undefined;
  if (!Array.isArray(groups)) throw createError('HMP_ERR_CONVERT_MODEL_INVALID', path, 'weightsManifest is missing');
  const dir = dirname(path);
  const weights = new Map<string, TfTensor>();
  groups.forEach((g, gi) => {
    const shards = g.paths.map((p) => {
      const f = join(dir, p);
      if (!existsSync(f)) throw createError('HMP_ERR_CONVERT_SHARD_MISSING', p, path, f);
      return readFileSync(f);
    });
    const all = shards.length === 1 ? (shards[0] as Buffer) : Buffer.concat(shards);
    let need = 0;
    for (const w of g.weights) {
      try {
        need += weightBytes(w);
      } catch {
        throw createError('HMP_ERR_CONVERT_MODEL_INVALID', path, `weight ${w.name} has unsupported dtype ${w.quantization?.dtype ?? w.dtype}`);
      }
    }
    if (all.length < need) throw createError('HMP_ERR_CONVERT_SHARD_SHORT', String(gi), path, all.length, need);
    let off = 0;
    for (const w of g.weights) {
      const len = weightBytes(w);
      weights.set(w.name, decodeWeight(w, all.subarray(off, off + len), path));
      off += len;
    }
  });
  const model: TfjsGraphModel = { path, nodes: topo.node, weights };
  if (json.signature) model.signature = json.signature as NonNullable<TfjsGraphModel['signature']>;
  if (typeof json.convertedBy === 'string') model.convertedBy = json.convertedBy;
  return model;
}
