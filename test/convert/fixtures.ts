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
