/**
 * Benchmark measurement: timing loops, percentiles, calibration and gating logic.
 * Used by bench/run.ts; kept separate so the gate logic is testable.
 */
import { performance } from 'node:perf_hooks';
import type { BenchDef } from './types.js';

/** One benchmark's figures. Times in ms. */
export interface BenchResult {
  name: string;
  group: string;
  iterations: number;
  items: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  /** Work items per second (items per iteration / mean time). */
  throughput: number;
  /** Per-item p50 (p50 / items per iteration). */
  itemP50: number;
  /** p50 divided by the calibration p50 of the same run: comparable across machines. */
  calibratedP50: number;
  /** Process peak RSS after this benchmark, MiB. */
  peakRssMiB: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * The fixed calibration workload: integer hashing and float maths over a small array, pure JS,
 * single-threaded — the kind of work the kernels and pool do, so machine speed divides out.
 */
const calibrationArray = new Float64Array(4096);

export function calibrationWork(): number {
  // One preallocated array: no GC pressure inside the timed loop.
  const a = calibrationArray;
  a.fill(0);
  let h = 0x811c9dc5;
  for (let r = 0; r < 24; r++) {
    for (let i = 0; i < 4096; i++) {
      a[i] = Math.sqrt(a[i]! + i * r) * 0.999;
      h = Math.imul(h ^ i, 16777619);
    }
  }
  return h + a[100]!;
}

let sink = 0;

/** Measures the calibration workload: p50 ms over `iterations`. */
export function calibrate(iterations = 400): number {
  // A long warm-up: until V8 has fully optimised the loop the first samples run ~1.5x slower.
  for (let i = 0; i < 400; i++) sink += calibrationWork();
  const t: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    sink += calibrationWork();
    t.push(performance.now() - t0);
  }
  t.sort((x, y) => x - y);
  return percentile(t, 50);
}

/** Runs one benchmark: setup, warm-up, timed loop, teardown. */
export async function measure(def: BenchDef, calibrationP50: number, opts: { timeScale?: number } = {}): Promise<BenchResult> {
  const timeMs = (def.timeMs ?? 1000) * (opts.timeScale ?? 1);
  const items = def.itemsPerIteration ?? 1;
  await def.setup?.();
  try {
    // Warm-up: JIT, caches, worker start-up.
    const w0 = performance.now();
    for (let i = 0; i < 1000 && (i < 3 || performance.now() - w0 < Math.min(300, timeMs / 4)); i++) sink += Number(Boolean(await def.fn()));
    const times: number[] = [];
    const start = performance.now();
    const maxIter = def.iterations ?? 1_000_000;
    while (times.length < maxIter && (def.iterations !== undefined || times.length < 5 || performance.now() - start < timeMs)) {
      const t0 = performance.now();
      await def.fn();
      times.push(performance.now() - t0);
    }
    const sorted = [...times].sort((x, y) => x - y);
    const mean = times.reduce((s, x) => s + x, 0) / times.length;
    const p50 = percentile(sorted, 50);
    return {
      name: def.name,
      group: def.group,
      iterations: times.length,
      items,
      p50,
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      mean,
      min: sorted[0]!,
      throughput: (items * 1000) / mean,
      itemP50: p50 / items,
      calibratedP50: p50 / calibrationP50,
      peakRssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    };
  } finally {
    await def.teardown?.();
  }
}

/** Budgets file shape (bench/budgets.json). */
export interface Budgets {
  /** Per benchmark: raw and/or calibrated p50 caps. */
  benchmarks: Record<string, { maxP50Ms?: number; maxP99Ms?: number; maxCalibratedP50?: number; maxItemP50Ms?: number; note?: string }>;
  /** Ratio targets between two benchmarks of the same run. */
  ratios: { name: string; numerator: string; denominator: string; metric: 'p50' | 'throughput' | 'itemP50'; min: number; note?: string }[];
}

/** Baseline file shape (bench/baseline.json). */
export interface Baseline {
  calibrationP50Ms: number;
  benchmarks: Record<string, { calibratedP50: number; p50Ms: number }>;
}

/** Largest tolerated calibrated-p50 regression against the baseline. */
export const REGRESSION_LIMIT = 0.15;

export interface GateFinding {
  kind: 'budget' | 'ratio' | 'regression' | 'missing-budget';
  name: string;
  message: string;
}

/** Checks one run's results against budgets, ratio targets and the baseline. */
export function evaluateGate(results: BenchResult[], budgets: Budgets, baseline: Baseline | undefined, requireBudget: boolean): GateFinding[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  const out: GateFinding[] = [];
  for (const r of results) {
    const b = budgets.benchmarks[r.name];
    if (!b) {
      if (requireBudget) out.push({ kind: 'missing-budget', name: r.name, message: `no budget in bench/budgets.json` });
    } else {
      if (b.maxP50Ms !== undefined && r.p50 > b.maxP50Ms) out.push({ kind: 'budget', name: r.name, message: `p50 ${r.p50.toFixed(3)} ms > budget ${b.maxP50Ms} ms` });
      if (b.maxP99Ms !== undefined && r.p99 > b.maxP99Ms) out.push({ kind: 'budget', name: r.name, message: `p99 ${r.p99.toFixed(3)} ms > budget ${b.maxP99Ms} ms` });
      if (b.maxItemP50Ms !== undefined && r.itemP50 > b.maxItemP50Ms) out.push({ kind: 'budget', name: r.name, message: `per-item p50 ${r.itemP50.toFixed(4)} ms > budget ${b.maxItemP50Ms} ms` });
      if (b.maxCalibratedP50 !== undefined && r.calibratedP50 > b.maxCalibratedP50) {
        out.push({ kind: 'budget', name: r.name, message: `calibrated p50 ${r.calibratedP50.toFixed(3)} > budget ${b.maxCalibratedP50}` });
      }
    }
    const base = baseline?.benchmarks[r.name];
    if (base && r.calibratedP50 > base.calibratedP50 * (1 + REGRESSION_LIMIT)) {
      const pct = ((r.calibratedP50 / base.calibratedP50 - 1) * 100).toFixed(1);
      out.push({ kind: 'regression', name: r.name, message: `calibrated p50 ${r.calibratedP50.toFixed(3)} is ${pct}% above baseline ${base.calibratedP50.toFixed(3)}` });
    }
  }
  for (const q of budgets.ratios) {
    const n = byName.get(q.numerator);
    const d = byName.get(q.denominator);
    if (!n || !d) continue;
    const ratio = n[q.metric] / d[q.metric];
    if (!(ratio >= q.min)) out.push({ kind: 'ratio', name: q.name, message: `${q.numerator}/${q.denominator} ${q.metric} ratio ${ratio.toFixed(2)} < ${q.min}` });
  }
  return out;
}

/** Ratio figures of a run, for reports. */
export function ratioReport(results: BenchResult[], budgets: Budgets): { name: string; ratio: number; min: number; ok: boolean }[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  return budgets.ratios.flatMap((q) => {
    const n = byName.get(q.numerator);
    const d = byName.get(q.denominator);
    if (!n || !d) return [];
    const ratio = n[q.metric] / d[q.metric];
    return [{ name: q.name, ratio, min: q.min, ok: ratio >= q.min }];
  });
}
