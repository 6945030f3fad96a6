/**
 * Server metrics and the Prometheus text rendering of server and engine metrics.
 * @internal
 */
import type { Engine } from '../engine/engine.js';
import { Histogram, LATENCY_BUCKETS } from '../engine/metrics.js';

/** Counters the server keeps next to the engine's. */
export class ServerMetrics {
  /** Request latency (whole HTTP request) by API name. */
  readonly apiLatency = new Map<string, Histogram>();
  /** Responses by `api` and HTTP status. */
  readonly responses = new Map<string, number>();
  /** Failures returned to clients by `api` and hmp code. */
  readonly apiErrors = new Map<string, number>();
  /** Open streams by stream name. */
  readonly streamsOpen = new Map<string, number>();
  /** Streams opened since start, by name. */
  readonly streamsTotal = new Map<string, number>();
  /** Stream inputs by name and outcome (`processed`, `dropped`, `failed`). */
  readonly streamInputs = new Map<string, number>();

  observeRequest(api: string, status: number, seconds: number, code: string | undefined): void {
    let h = this.apiLatency.get(api);
    if (!h) this.apiLatency.set(api, (h = new Histogram()));
    h.observe(seconds);
    inc(this.responses, `${api}\u0000${status}`);
    if (code) inc(this.apiErrors, `${api}\u0000${code}`);
  }

  streamOpened(name: string): void {
    inc(this.streamsOpen, name);
    inc(this.streamsTotal, name);
  }

  streamClosed(name: string): void {
    inc(this.streamsOpen, name, -1);
  }

  streamInput(name: string, outcome: 'processed' | 'dropped' | 'failed', n = 1): void {
    inc(this.streamInputs, `${name}\u0000${outcome}`, n);
  }
}

function inc(m: Map<string, number>, k: string, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(obj: Record<string, string>): string {
  const parts = Object.entries(obj).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function histogram(out: string[], name: string, help: string, label: string, series: Map<string, Histogram>): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  for (const [key, h] of series) {
    let cum = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      cum += h.counts[i]!;
      out.push(`${name}_bucket${labels({ [label]: key, le: String(le) })} ${cum}`);
    });
    cum += h.counts[LATENCY_BUCKETS.length]!;
    out.push(`${name}_bucket${labels({ [label]: key, le: '+Inf' })} ${cum}`);
    out.push(`${name}_sum${labels({ [label]: key })} ${h.sum}`);
    out.push(`${name}_count${labels({ [label]: key })} ${h.count}`);
  }
}

function counter(out: string[], name: string, type: 'counter' | 'gauge', help: string, labelNames: string[], series: Map<string, number>): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [key, v] of series) {
    const vals = key.split('\u0000');
    out.push(`${name}${labels(Object.fromEntries(labelNames.map((l, i) => [l, vals[i] ?? ''])))} ${v}`);
  }
}

function single(out: string[], name: string, type: 'counter' | 'gauge', help: string, v: number): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${v}`);
}

/** Renders everything in the Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(engine: Engine, server: ServerMetrics): string {
  const out: string[] = [];
  const s = engine.stats();
  const em = engine.metrics;
  histogram(out, 'hmp_api_request_duration_seconds', 'Latency of JSAPI HTTP requests, by API.', 'api', server.apiLatency);
  counter(out, 'hmp_api_responses_total', 'counter', 'JSAPI responses by API and HTTP status.', ['api', 'status'], server.responses);
  counter(out, 'hmp_api_errors_total', 'counter', 'Failures returned to clients, by API and hmp error code.', ['api', 'code'], server.apiErrors);
  histogram(out, 'hmp_engine_task_duration_seconds', 'Latency of engine tasks (queue + run), by task.', 'task', em.latency);
  counter(out, 'hmp_engine_errors_total', 'counter', 'Engine task failures by hmp error code.', ['code'], em.errors);
  single(out, 'hmp_engine_tasks_completed_total', 'counter', 'Engine tasks completed successfully.', em.completed);
  single(out, 'hmp_engine_tasks_failed_total', 'counter', 'Engine tasks that failed.', em.failed);
  single(out, 'hmp_engine_worker_restarts_total', 'counter', 'Worker threads replaced after a crash or a stuck task.', em.workerRestarts);
  single(out, 'hmp_engine_queue_depth', 'gauge', 'Tasks waiting in the engine queue.', s.queueSize);
  single(out, 'hmp_engine_queue_capacity', 'gauge', 'Largest engine queue before calls are rejected with HMP_ERR_ENGINE_OVERLOADED.', s.maxQueue);
  single(out, 'hmp_engine_in_flight', 'gauge', 'Engine tasks queued or running.', s.inFlight);
  single(out, 'hmp_engine_workers_ready', 'gauge', 'Worker threads that have loaded their models.', s.readyWorkers);
  single(out, 'hmp_engine_pool_size', 'gauge', 'Configured worker threads.', s.poolSize);
  counter(out, 'hmp_streams_open', 'gauge', 'Open WebSocket streams by stream.', ['stream'], server.streamsOpen);
  counter(out, 'hmp_streams_total', 'counter', 'WebSocket streams opened since start, by stream.', ['stream'], server.streamsTotal);
  counter(out, 'hmp_stream_inputs_total', 'counter', 'Stream inputs by stream and outcome (processed, dropped, failed).', ['stream', 'outcome'], server.streamInputs);
  const mem = process.memoryUsage();
  single(out, 'process_resident_memory_bytes', 'gauge', 'Resident memory of the server process.', mem.rss);
  single(out, 'process_heap_used_bytes', 'gauge', 'V8 heap in use on the main thread.', mem.heapUsed);
  return out.join('\n') + '\n';
}
