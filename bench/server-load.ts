/**
 * Load curve of the JSAPI server with autocannon on loopback (a benchmark, not a test):
 * requests/s and latency p50/p99 at rising concurrency for `getImageInfo`, `faceDetect` and `scanCode` on real
 * images, then an overload run with a small engine queue showing fast coded rejections
 * (503 HMP_ERR_ENGINE_OVERLOADED) and bounded latency instead of a growing queue.
 *
 *   npm run build && node dist/bench/server-load.js [--duration 5] [--workers 2] [--out .bench-out/server-load.json]
 *
 * Not a BenchDef file (bench/run.ts ignores it): it runs only when executed directly.
 */
import { mkdirSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { Engine } from '../src/index.js';
import { startServer } from '../src/server/server.js';
import { renderedJpeg } from './server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EVAL = join(ROOT, '..', 'shared', 'eval');

export interface LoadPoint {
  api: string;
  input: string;
  connections: number;
  requestsPerSec: number;
  /** Successful responses per second. */
  okPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  rejected503: number;
  otherErrors: number;
  maxQueueSeen: number;
}

async function point(url: string, api: string, input: string, body: Buffer, contentType: string, connections: number, duration: number, engine: Engine): Promise<LoadPoint> {
  // Start from an idle engine: work queued by the previous point (its clients have hung up) drains first.
  for (let i = 0; i < 600 && engine.stats().inFlight > 0; i++) await new Promise((r) => setTimeout(r, 50));
  const queueProbe = () => engine.stats().queueSize;
  let maxQueueSeen = 0;
  const probe = setInterval(() => (maxQueueSeen = Math.max(maxQueueSeen, queueProbe())), 5);
  const r = await autocannon({ url: `${url}/v1/${api}`, method: 'POST', body, headers: { 'content-type': contentType }, connections, duration, timeout: 30 });
  clearInterval(probe);
  const codes = (r.statusCodeStats ?? {}) as Record<string, { count?: number }>;
  const count = (c: string) => codes[c]?.count ?? 0;
  const ok = count('200');
  const rejected503 = count('503');
  const total = Object.values(codes).reduce((a, b) => a + (b.count ?? 0), 0);
  return {
    api,
    input,
    connections,
    requestsPerSec: Math.round(r.requests.average),
    okPerSec: Math.round((ok / duration) * 10) / 10,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    ok,
    rejected503,
    otherErrors: total - ok - rejected503 + r.errors + r.timeouts,
    maxQueueSeen,
  };
}

/** Latency of the side probe's requests by status. */
export interface ProbeStats {
  rejected: { n: number; p50Ms: number; p99Ms: number; maxMs: number };
  accepted: { n: number; p50Ms: number; p99Ms: number; maxMs: number };
}

async function probe(url: string, body: Buffer, contentType: string, stop: { done: boolean }): Promise<ProbeStats> {
  const t: Record<'rejected' | 'accepted', number[]> = { rejected: [], accepted: [] };
  // Let autocannon fill the queue first.
  await new Promise((r) => setTimeout(r, 500));
  while (!stop.done) {
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } });
    const json = (await res.json()) as { code?: string };
    const ms = performance.now() - t0;
    if (res.status === 503 && json.code === 'HMP_ERR_ENGINE_OVERLOADED') t.rejected.push(ms);
    else if (res.status === 200) t.accepted.push(ms);
  }
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p: number) => (s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10 : NaN);
    return { n: s.length, p50Ms: q(50), p99Ms: q(99), maxMs: s.length ? Math.round(s[s.length - 1]! * 10) / 10 : NaN };
  };
  return { rejected: stats(t.rejected), accepted: stats(t.accepted) };
}

function table(points: LoadPoint[]): string {
  const head = '| API | input | connections | responses/s | 200/s | p50 ms | p99 ms | max ms | 200 | 503 | other | max queue |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = points.map((p) => `| ${p.api} | ${p.input} | ${p.connections} | ${p.requestsPerSec} | ${p.okPerSec} | ${p.p50Ms} | ${p.p99Ms} | ${p.maxMs} | ${p.ok} | ${p.rejected503} | ${p.otherErrors} | ${p.maxQueueSeen} |`);
  return [head, ...rows].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string' }, workers: { type: 'string' }, out: { type: 'string' }, levels: { type: 'string' } }, strict: true });
  const duration = Number(values.duration ?? 5);
  const workers = Number(values.workers ?? Math.min(2, availableParallelism()));
  const levels = (values.levels ?? '1,2,4,8,16,32,64').split(',').map(Number);
  const inputs: { api: string; input: string; body: Buffer; type: string }[] = [];
  const faces = join(EVAL, 'faces', 'utkface-200', 'images');
  if (existsSync(faces)) {
    const face = readFileSync(join(faces, readdirSync(faces).sort()[0]!));
    inputs.push({ api: 'getImageInfo', input: 'UTKFace 200x200 JPEG', body: face, type: 'image/jpeg' });
    inputs.push({ api: 'faceDetect', input: 'UTKFace 200x200 JPEG', body: face, type: 'image/jpeg' });
  }
  const wider = join(EVAL, 'faces', 'wider-val-416', 'images');
  if (existsSync(wider)) {
    inputs.push({ api: 'faceDetect', input: 'WIDER 416x416 JPEG', body: readFileSync(join(wider, readdirSync(wider).filter((f) => f.endsWith('.jpg')).sort()[0]!)), type: 'image/jpeg' });
  }
  inputs.push({ api: 'getImageInfo', input: 'rendered 640x480 JPEG', body: await renderedJpeg(), type: 'image/jpeg' });
  const qr = join(EVAL, 'barcode', 'zxing', 'qrcode-1', '1.png');
  if (existsSync(qr)) inputs.push({ api: 'scanCode', input: 'ZXing qrcode-1/1.png', body: readFileSync(qr), type: 'image/png' });
  const ean = join(EVAL, 'barcode', 'zxing', 'ean13-1', '1.png');
  if (existsSync(ean)) inputs.push({ api: 'scanCode', input: 'ZXing ean13-1/1.png', body: readFileSync(ean), type: 'image/png' });

  const points: LoadPoint[] = [];
  // Normal configuration: default queue (16 per worker).
  {
    const engine = await Engine.create({ poolSize: workers, verifyModels: false });
    const server = await startServer({ engine, server: { port: 0, rateLimit: false } });
    for (const inp of inputs) {
      for (const c of levels) {
        const p = await point(server.url, inp.api, inp.input, inp.body, inp.type, c, duration, engine);
        points.push(p);
        process.stdout.write(`${JSON.stringify(p)}\n`);
      }
    }
    await server.close();
    await engine.dispose();
  }
  // Overload: a queue of 4 per engine against 64 connections: excess work is refused at once.
  // A side probe (sequential requests during the run) times 503s and 200s separately.
  const overload: (LoadPoint & { probe: ProbeStats })[] = [];
  {
    const engine = await Engine.create({ poolSize: workers, verifyModels: false, maxQueue: 4 });
    const server = await startServer({ engine, server: { port: 0, rateLimit: false } });
    const heavy = inputs.find((i) => i.api === 'scanCode') ?? inputs[inputs.length - 1]!;
    for (const c of [8, 64]) {
      const stop = { done: false };
      const probing = probe(`${server.url}/v1/${heavy.api}`, heavy.body, heavy.type, stop);
      const p = await point(server.url, heavy.api, `${heavy.input} (maxQueue 4)`, heavy.body, heavy.type, c, duration, engine);
      stop.done = true;
      overload.push({ ...p, probe: await probing });
      process.stdout.write(`${JSON.stringify(p)}\n`);
    }
    await server.close();
    await engine.dispose();
  }
  const report = { date: new Date().toISOString(), node: process.versions.node, cores: availableParallelism(), workers, durationS: duration, points, overload };
  const out = values.out ?? join(ROOT, '.bench-out', 'server-load.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2));
  const probes = overload.map((o) => `| ${o.connections} | ${o.probe.rejected.n} | ${o.probe.rejected.p50Ms} | ${o.probe.rejected.p99Ms} | ${o.probe.rejected.maxMs} | ${o.probe.accepted.n} | ${o.probe.accepted.p50Ms} | ${o.probe.accepted.p99Ms} | ${o.probe.accepted.maxMs} |`);
  const probeTable = ['| connections | 503 n | 503 p50 ms | 503 p99 ms | 503 max ms | 200 n | 200 p50 ms | 200 p99 ms | 200 max ms |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|', ...probes].join('\n');
  process.stdout.write(`\n${table(points)}\n\nOverload (maxQueue 4):\n${table(overload)}\n\nSide probe during overload (latency by outcome):\n${probeTable}\n\nwritten ${out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
