/**
 * In-process metrics: per-task latency histograms, errors by code, worker restarts.
 * Rendered in Prometheus text format by the server.
 * @internal
 */

/** Histogram bucket upper bounds, in seconds. */
export const LATENCY_BUCKETS = Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

export class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

export class EngineMetrics {
  readonly latency = new Map<string, Histogram>();
  readonly errors = new Map<string, number>();
  workerRestarts = 0;
  completed = 0;
  failed = 0;

  observe(task: string, seconds: number, errorCode?: string): void {
    let h = this.latency.get(task);
    if (!h) this.latency.set(task, (h = new Histogram()));
    h.observe(seconds);
    if (errorCode) {
      this.failed++;
      this.errors.set(errorCode, (this.errors.get(errorCode) ?? 0) + 1);
    } else {
      this.completed++;
    }
  }
}
