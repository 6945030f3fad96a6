/**
 * `hmp voice train --ensemble N`: a head's ensemble members are averaged in the TypeScript scores
 * (used for mining and threshold choice) and in the exported ONNX graph alike.
 */
import { describe, expect, it } from 'vitest';
import { headScores, headToOnnx, trainHead, HEAD_IN } from '../../../dist/src/tasks/voice/head.js';
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

describe('voice head: ensemble of heads', () => {
  it('scores the mean of its members, in TypeScript and in the exported ONNX graph', async () => {
    const ds = dataset();
    const members = [5, 6, 7].map((seed) => trainHead(ds, { classes: 3, hidden: 8, epochs: 3, seed }));
    const head = { ...members[0]!, ensemble: members.slice(1) };
    const probe = Int32Array.from([10, 150, 250, 60]);
    const ts = headScores(head, ds.emb, probe);
    const each = members.map((m) => headScores(m, ds.emb, probe));
    for (let i = 0; i < ts.length; i++) expect(ts[i]).toBeCloseTo((each[0]![i]! + each[1]![i]! + each[2]![i]!) / 3, 6);
    // The members differ (other seeds), so the mean is not just the first head.
    expect(each.some((e, k) => k > 0 && e.some((v, i) => Math.abs(v - each[0]![i]!) > 1e-3))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'hmp-head-ens-'));
    writeFileSync(join(dir, 'h.onnx'), headToOnnx(head, 'test'));
    const s = await createSessionFromFile(join(dir, 'h.onnx'));
    const x = new Float32Array(probe.length * HEAD_IN);
    probe.forEach((p, i) => x.set(ds.emb.subarray(p * 96, p * 96 + HEAD_IN), i * HEAD_IN));
    const out = await s.run({ embeddings: new ort.Tensor('float32', x, [probe.length, 16, 96]) });
    expect(out.scores!.dims).toEqual([probe.length, 3]);
    const onnx = out.scores!.data as Float32Array;
    for (let i = 0; i < ts.length; i++) expect(onnx[i]).toBeCloseTo(ts[i]!, 5);
    await s.release();
    rmSync(dir, { recursive: true, force: true });
  });
});
