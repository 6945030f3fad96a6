/**
 * Benchmark definitions. Each file under bench/ exports `benchmarks: BenchDef[]`;
 * bench/run.ts runs them, calibrates, and gates against bench/budgets.json and bench/baseline.json.
 */
export interface BenchDef {
  /** Unique name, `<group>.<what>[.<variant>]`, e.g. `kernels.rgba2gray.wasm`. */
  name: string;
  /** Group for reporting (`kernels`, `pool`, `models`, `barcode`, ...). */
  group: string;
  /** Included in the short CI gate (`npm run bench:gate`). Default: false. */
  gate?: boolean;
  /** Called once before timing. */
  setup?: () => Promise<void> | void;
  /** One iteration. */
  fn: () => Promise<unknown> | unknown;
  /** Called once after timing. */
  teardown?: () => Promise<void> | void;
  /** Timed iterations (default: as many as fit in `timeMs`). */
  iterations?: number;
  /** Time budget for timing, ms (default 1000; gate mode halves it). */
  timeMs?: number;
  /**
   * Work items per iteration (e.g. tasks launched concurrently), so throughput is items/s
   * and per-item latency can be derived. Default 1.
   */
  itemsPerIteration?: number;
}
