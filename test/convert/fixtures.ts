/** Tiny TF.js graph models written to a temp dir, for the converter's contract tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * y = relu(x @ W + b) with x: [-1, 2], W: [2, 3], b: [3] (float32), then optionally an extra
 * node of op `extraOp`. Returns the model.json path; the shard is `w.bin` next to it.
 */
export function tinyModel(opts: { extraOp?: string; shardBytes?: number } = {}): { json: string; dir: string; W: Float32Array; b: Float32Array } {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-tfjs-'));
  const W = Float32Array.from([0.5, -1, 2, 1.5, 0.25, -0.75]);
  const b = Float32Array.from([0.1, -0.2, 0.3]);
  const nodes: object[] = [
    { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '2' }] } } } },
    { name: 'W', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' } } },
    { name: 'b', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' } } },
    {
      name: 'dense/Relu', op: '_FusedMatMul', input: ['x', 'W', 'b'],
      attr: { fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } }, transpose_a: { b: false }, transpose_b: { b: false }, num_args: { i: '1' } },
    },
  ];
  if (opts.extraOp) nodes.push({ name: 'odd/node', op: opts.extraOp, input: ['dense/Relu'] });
  const model = {
    format: 'graph-model',
    modelTopology: { node: nodes, library: {}, versions: {} },
    weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'W', shape: [2, 3], dtype: 'float32' }, { name: 'b', shape: [3], dtype: 'float32' }] }],
  };
  const json = join(dir, 'model.json');
  writeFileSync(json, JSON.stringify(model));
  const shard = Buffer.concat([Buffer.from(W.buffer), Buffer.from(b.buffer)]);
  writeFileSync(join(dir, 'w.bin'), shard.subarray(0, opts.shardBytes ?? shard.length));
  return { json, dir, W, b };
}

/** A TF attr in the converter's JSON encoding. */
export const attr = {
  ints: (v: number[]) => ({ list: { i: v.map(String) } }),
  int: (v: number) => ({ i: String(v) }),
  float: (v: number) => ({ f: v }),
  bool: (v: boolean) => ({ b: v }),
  str: (v: string) => ({ s: b64(v) }),
  strs: (v: string[]) => ({ list: { s: v.map(b64) } }),
  type: (t: string) => ({ type: t }),
};

export interface FixtureNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

/**
 * Writes a graph model with one float32 placeholder `x` of `inputShape`, the given constants
 * (float32 or int32, one shard) and nodes. Returns the model.json path.
 */
export function graphModel(inputShape: number[], consts: Record<string, { shape: number[]; data: number[]; dtype?: 'float32' | 'int32' }>, nodes: FixtureNode[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-op-'));
  const all: object[] = [{ name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: inputShape.map((d) => ({ size: String(d) })) } } } }];
  const weights: object[] = [];
  const bufs: Buffer[] = [];
  for (const [name, c] of Object.entries(consts)) {
    const dtype = c.dtype ?? 'float32';
    all.push({ name, op: 'Const', attr: { dtype: { type: dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32' } } });
    weights.push({ name, shape: c.shape, dtype });
    const arr = dtype === 'float32' ? Float32Array.from(c.data) : Int32Array.from(c.data);
    bufs.push(Buffer.from(arr.buffer));
  }
  all.push(...nodes);
  writeFileSync(join(dir, 'w.bin'), Buffer.concat(bufs));
  const json = join(dir, 'model.json');
  writeFileSync(json, JSON.stringify({ format: 'graph-model', modelTopology: { node: all, library: {}, versions: {} }, weightsManifest: [{ paths: ['w.bin'], weights }] }));
  return json;
}

/** Deterministic pseudo-random values in [-1, 1). */
export function values(n: number, seed = 1): number[] {
  let a = seed >>> 0;
  return Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 31 - 1;
  });
}
