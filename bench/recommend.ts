/**
 * Recommendation benchmarks.
 *
 * 1. 1:N member search over N enrolled 128-d descriptors (face-api's recognition net, the
 *    candidate descriptor): the WASM SIMD kernels (int8 with per-row scale, the default; and
 *    f32) against the plain TypeScript loop, one query at a time, top-1.
 * 2. The bandit simulation with hidden per-segment preferences (src/recommend/simulate.ts):
 *    click-through of the bandit against random and targeting-only choice.
 *
 * As BenchDefs (run by bench/run.ts): `recommend.search.10k.*` are in the gate; 100k and 1M
 * are not (building 1M descriptors takes seconds and ~1 GiB).
 * Standalone report (markdown tables for docs/recommend.md):
 *   node dist/bench/recommend.js [--sizes 10000,100000,1000000] [--impressions 20000] [--seed 42]
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { simulate } from '../src/recommend/simulate.js';
import { DescriptorIndex, plainSearch, type SearchPrecision } from '../src/runtime/search-kernels.js';
import type { BenchDef } from './types.js';

const DIM = 128;

/** n deterministic unit vectors (LCG uniforms, normalised), like descriptors. */
function unitRows(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    const o = i * DIM;
    for (let j = 0; j < DIM; j++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const v = s / 4294967296 - 0.5;
      out[o + j] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < DIM; j++) out[o + j]! *= inv;
  }
  return out;
}

interface SearchFixture {
  db: Float32Array;
  queries: Float32Array;
  index?: DescriptorIndex;
  q: number;
}

function searchBenches(n: number, label: string, gate: boolean): BenchDef[] {
  let fx: SearchFixture | undefined;
  const setup = (precision?: SearchPrecision) => async () => {
    const db = unitRows(n, 1);
    fx = { db, queries: unitRows(16, 2), q: 0 };
    if (precision) {
      fx.index = await DescriptorIndex.create({ dim: DIM, precision, capacity: n });
      fx.index.add(db);
    }
  };
  const teardown = () => {
    fx?.index?.dispose();
    fx = undefined;
  };
  const query = () => {
    const f = fx!;
    const i = f.q++ & 15;
    return f.queries.subarray(i * DIM, (i + 1) * DIM);
  };
  return [
    { name: `recommend.search.${label}.wasm-i8`, group: 'recommend', gate, setup: setup('i8'), fn: () => fx!.index!.search(query(), 1), teardown },
    { name: `recommend.search.${label}.wasm-f32`, group: 'recommend', gate, setup: setup('f32'), fn: () => fx!.index!.search(query(), 1), teardown },
    { name: `recommend.search.${label}.ts`, group: 'recommend', gate, setup: setup(), fn: () => plainSearch(fx!.db, n, DIM, query(), 1), teardown, ...(n >= 1_000_000 ? { iterations: 10 } : {}) },
  ];
}

export const benchmarks: BenchDef[] = [...searchBenches(10_000, '10k', true), ...searchBenches(100_000, '100k', false), ...searchBenches(1_000_000, '1m', false)];

// --- standalone report -------------------------------------------------------------------------

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function time(fn: () => unknown, iterations: number): { p50: number; p95: number } {
  for (let i = 0; i < Math.min(5, iterations); i++) fn(); // warm-up: let V8 tier up the WASM and the loop
  const t: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { p50: quantile(t, 0.5), p95: quantile(t, 0.95) };
}

const mib = (b: number) => (b / 1048576).toFixed(1);

async function report(sizes: number[], impressions: number, seed: number): Promise<void> {
  console.log(`## 1:N search, dim ${DIM}, top-1, one query at a time (node ${process.versions.node})\n`);
  console.log('| descriptors | kernel | p50 ms | p95 ms | speed-up vs TS loop | index data MiB | WASM memory MiB |');
  console.log('|---:|---|---:|---:|---:|---:|---:|');
  for (const n of sizes) {
    const db = unitRows(n, 1);
    const queries = unitRows(16, 2);
    let qi = 0;
    const q = () => {
      const i = qi++ & 15;
      return queries.subarray(i * DIM, (i + 1) * DIM);
    };
    const iters = n >= 1_000_000 ? 15 : n >= 100_000 ? 40 : 200;
    const ts = time(() => plainSearch(db, n, DIM, q(), 1), iters);
    const rows: string[] = [];
    for (const precision of ['i8', 'f32'] as const) {
      const index = await DescriptorIndex.create({ dim: DIM, precision, capacity: n });
      index.add(db);
      const w = time(() => index.search(q(), 1), iters * 2);
      rows.push(`| ${n.toLocaleString('en')} | WASM SIMD ${precision} | ${w.p50.toFixed(3)} | ${w.p95.toFixed(3)} | ${(ts.p50 / w.p50).toFixed(1)}x | ${mib(index.dataBytes)} | ${mib(index.memoryBytes)} |`);
      index.dispose();
    }
    rows.push(`| ${n.toLocaleString('en')} | plain TS loop (f32) | ${ts.p50.toFixed(3)} | ${ts.p95.toFixed(3)} | 1.0x | ${mib(db.byteLength)} | - |`);
    console.log(rows.join('\n'));
  }
  console.log(`\n## Bandit simulation (seed ${seed}, ${impressions.toLocaleString('en')} impressions per policy)\n`);
  const r = await simulate({ impressions, seed });
  console.log('| policy | CTR | CTR last quarter | clicks |');
  console.log('|---|---:|---:|---:|');
  for (const [name, p] of [['random', r.random], ['targeting only', r.targeting], ['bandit (Thompson, segments)', r.bandit], ['oracle (hidden best)', r.oracle]] as const) {
    console.log(`| ${name} | ${(p.ctr * 100).toFixed(2)}% | ${(p.ctrLastQuarter * 100).toFixed(2)}% | ${p.clicks} |`);
  }
  console.log(`\nLift: ${r.liftOverRandom.toFixed(2)}x over random, ${r.liftOverTargeting.toFixed(2)}x over targeting-only (${(r.ms / 1000).toFixed(1)} s).`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, impressions: { type: 'string' }, seed: { type: 'string' } } });
  const sizes = (values.sizes ?? '10000,100000,1000000').split(',').map(Number);
  await report(sizes, Number(values.impressions ?? 20000), Number(values.seed ?? 42));
}
