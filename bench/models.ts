/**
 * Model benchmarks: per registry model, onnxruntime-node latency (1 intra-op thread, hmp's
 * session options) next to the TF.js original on the tfjs wasm backend (single-threaded in
 * Node), measured in the same run on the same input (a real face crop when ../shared/eval is
 * present, else a seeded random tensor).
 *
 *   node dist/bench/run.js --filter models          through the harness (p50/p95/p99 JSON)
 *   node dist/bench/models.js --report docs/models.md
 *       one run measuring ORT and TF.js wasm per model plus the parity error on real crops,
 *       written as the markdown table of docs/models.md (and JSON to .bench-out/models.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { availableParallelism, cpus } from 'node:os';
import { createSessionFromFile, ort } from '../src/runtime/onnx.js';
import { loadManifest, type ModelEntry, type TensorSpec } from '../src/runtime/models.js';
import { MODEL_SOURCES } from '../src/convert/sources.js';
import * as R from './models-reference.js';
import type { BenchDef } from './types.js';

type Feeds = Record<string, ort.Tensor>;

/** A fixed input for every registry model: face crop for image models, seeded audio-like data otherwise. */
async function feedsFor(entry: ModelEntry): Promise<{ feeds: Feeds; tfInput?: { data: Float32Array; shape: number[] } }> {
  const feeds: Feeds = {};
  let tfInput: { data: Float32Array; shape: number[] } | undefined;
  const faces = R.faceFiles(1);
  for (const spec of entry.inputs) {
    if (spec.type === 'int64') {
      feeds[spec.name] = new ort.Tensor('int64', BigInt64Array.from([16000n]), []); // silero sr
      continue;
    }
    if (spec.name === 'state') {
      feeds[spec.name] = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
      continue;
    }
    const image = /NHWC|NCHW/.test(spec.layout ?? '') && spec.shape.length === 4 && !(spec.layout ?? '').startsWith('[');
    let x: { data: Float32Array; shape: number[] };
    if (image && faces.length && (spec.layout ?? '').startsWith('NHWC')) {
      x = await R.faceInput(spec, faces);
    } else {
      const s: TensorSpec = { ...spec, shape: spec.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : entry.name === 'silero-vad-v5' ? 512 : 1760)) };
      x = R.randomInput(s, 1, 42);
      if (entry.name === 'oww-melspectrogram') for (let i = 0; i < x.data.length; i++) x.data[i] = Math.round((x.data[i]! / 32768) * 3000); // quiet speech-level PCM
    }
    feeds[spec.name] = new ort.Tensor('float32', x.data, x.shape);
    if (!tfInput) tfInput = x;
  }
  return tfInput ? { feeds, tfInput } : { feeds };
}

const GATED = new Set(['blazeface-back', 'faceres', 'mobileface', 'silero-vad-v5']);

function defs(): BenchDef[] {
  let manifest;
  try {
    manifest = loadManifest(R.MODELS_DIR);
  } catch {
    return [];
  }
  const out: BenchDef[] = [];
  for (const entry of manifest.models) {
    const source = MODEL_SOURCES.find((s) => s.name === entry.name);
    let session: ort.InferenceSession | undefined;
    let feeds: Feeds = {};
    out.push({
      name: `models.${entry.name}.ort`,
      group: 'models',
      gate: GATED.has(entry.name),
      setup: async () => {
        session = await createSessionFromFile(join(R.MODELS_DIR, entry.file));
        feeds = (await feedsFor(entry)).feeds;
        await session.run(feeds);
      },
      fn: () => session!.run(feeds),
      teardown: async () => {
        await session?.release();
        session = undefined;
      },
    });
    if (source?.kind === 'convert' && !source.build) {
      let ref: R.TfjsReference | undefined;
      let x: { data: Float32Array; shape: number[] } | undefined;
      out.push({
        name: `models.${entry.name}.tfjs-wasm`,
        group: 'models',
        setup: async () => {
          const tf = await R.loadTf('wasm');
          ref = await R.loadTfjsModel(tf, R.sourceFile(source), R.tfjsOutputTensors(source, entry));
          x = (await feedsFor(entry)).tfInput;
          await ref.run(x!.data, x!.shape);
        },
        fn: () => ref!.run(x!.data, x!.shape),
        teardown: () => {
          ref?.dispose();
          ref = undefined;
        },
      });
    }
  }
  return out;
}

export const benchmarks: BenchDef[] = defs();

// --- report mode ------------------------------------------------------------------------------

interface Row {
  name: string;
  task: string;
  bytes: number;
  ops: number | null;
  ortMs: number;
  tfjsMs: number | null;
  parityRandom: number | null;
  parityReal: number | null;
  bound: string;
}

async function p50(fn: () => Promise<unknown>, minIter: number, minMs: number): Promise<number> {
  await fn();
  await fn();
  const t: number[] = [];
  const start = performance.now();
  while (t.length < minIter || performance.now() - start < minMs) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
    if (t.length >= 200) break;
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

async function parity(entry: ModelEntry, ref: R.TfjsReference, session: ort.InferenceSession, x: { data: Float32Array; shape: number[] }): Promise<number> {
  const spec = entry.inputs[0]!;
  const want = await ref.run(x.data, x.shape);
  const got = await session.run({ [spec.name]: new ort.Tensor('float32', x.data, x.shape) });
  return Math.max(...entry.outputs.map((o, i) => R.compare(got[o.name]!.data as Float32Array, want[i]!).maxAbsDiff));
}

async function report(outFile: string): Promise<void> {
  const { models } = loadManifest(R.MODELS_DIR);
  const tf = await R.loadTf('wasm');
  const rows: Row[] = [];
  const faces = R.faceFiles(4);
  for (const entry of models) {
    const source = MODEL_SOURCES.find((s) => s.name === entry.name);
    const session = await createSessionFromFile(join(R.MODELS_DIR, entry.file));
    const { feeds, tfInput } = await feedsFor(entry);
    const ortMs = await p50(() => session.run(feeds), 10, 1500);
    const row: Row = { name: entry.name, task: entry.task, bytes: entry.bytes, ops: entry.ops?.length ?? null, ortMs, tfjsMs: null, parityRandom: null, parityReal: null, bound: '' };
    if (source?.kind === 'convert' && !source.build && tfInput) {
      const ref = await R.loadTfjsModel(tf, R.sourceFile(source), R.tfjsOutputTensors(source, entry));
      row.tfjsMs = await p50(() => ref.run(tfInput.data, tfInput.shape), 10, 1500);
      const spec = entry.inputs[0]!;
      const batch = typeof spec.shape[0] === 'number' ? spec.shape[0] : faces.length || 1;
      row.parityRandom = await parity(entry, ref, session, R.randomInput(spec, batch, 7));
      if (faces.length) row.parityReal = await parity(entry, ref, session, await R.faceInput(spec, faces.slice(0, batch)));
      const t = R.PARITY_TOLERANCE[entry.name];
      row.bound = t && t.rtol ? `${t.atol} + ${t.rtol}·max\\|ref\\|` : `${R.DEFAULT_TOLERANCE.atol}`;
      ref.dispose();
    }
    await session.release();
    rows.push(row);
    process.stderr.write(`${entry.name.padEnd(24)} ort ${ortMs.toFixed(2)} ms  tfjs-wasm ${row.tfjsMs?.toFixed(2) ?? '-'} ms  parity ${row.parityReal?.toExponential(1) ?? '-'}\n`);
  }
  const e = (v: number | null) => (v === null ? '–' : v === 0 ? '0' : v.toExponential(1));
  const f = (v: number | null) => (v === null ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1));
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} (${availableParallelism()} cores, shared with other jobs during the run), Node ${process.versions.node}, onnxruntime-node ${ort.env.versions?.common ?? ''}, @tensorflow/tfjs-backend-wasm 4.22.0`;
  const lines = [
    '| model | task | size | TF.js ops | ORT ms (1 thread) | TF.js wasm ms | ratio | parity max abs diff (random / real crops) | bound |',
    '|---|---|---:|---:|---:|---:|---:|---|---|',
    ...rows.map((r) => `| \`${r.name}\` | ${r.task} | ${(r.bytes / 1024).toFixed(0)} KiB | ${r.ops ?? '–'} | ${f(r.ortMs)} | ${f(r.tfjsMs)} | ${r.tfjsMs ? `${(r.tfjsMs / r.ortMs).toFixed(1)}×` : '–'} | ${r.parityRandom === null ? '–' : `${e(r.parityRandom)} / ${e(r.parityReal)}`} | ${r.bound || '–'} |`),
  ];
  const md = `<!-- generated by: node dist/bench/models.js --report docs/models.md -->\n${lines.join('\n')}\n\nMeasured in one run on ${machine}; p50 of at least 10 runs after 2 warm-ups, batch 1, on a real UTKFace crop where the eval data is present.\n`;
  const abs = resolve(outFile);
  const { readFileSync, existsSync } = await import('node:fs');
  if (existsSync(abs)) {
    // Replace only the generated table inside an existing document.
    const doc = readFileSync(abs, 'utf8');
    const startTag = '<!-- models-table:start -->';
    const endTag = '<!-- models-table:end -->';
    const i = doc.indexOf(startTag);
    const j = doc.indexOf(endTag);
    if (i >= 0 && j > i) writeFileSync(abs, doc.slice(0, i + startTag.length) + '\n' + md + doc.slice(j));
    else writeFileSync(abs, doc + '\n' + startTag + '\n' + md + endTag + '\n');
  } else {
    writeFileSync(abs, `${'<!-- models-table:start -->'}\n${md}<!-- models-table:end -->\n`);
  }
  mkdirSync(join(R.ROOT, '.bench-out'), { recursive: true });
  writeFileSync(join(R.ROOT, '.bench-out', 'models.json'), JSON.stringify({ machine, rows }, null, 2) + '\n');
  process.stdout.write(md);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { report: { type: 'string' } }, strict: true });
  if (!values.report) {
    process.stderr.write('usage: node dist/bench/models.js --report docs/models.md   (benchmarks run through dist/bench/run.js)\n');
    process.exitCode = 2;
  } else {
    await report(values.report);
  }
}
