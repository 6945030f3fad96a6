/**
 * `hmp models build`: regenerates `models/*.onnx` and `models/manifest.json` from the pinned
 * dev-dependency packages listed in {@link MODEL_SOURCES} — converting TF.js graph models and
 * copying shipped ONNX files — and, with `check`, proves the committed directory is
 * byte-identical to a fresh build.
 * @internal
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createError } from '../errors.js';
import { packageRoot, type Manifest, type ModelEntry, type TensorSpec } from '../runtime/models.js';
import { cpuLayoutText, optimizeForCpu } from './cpu-layout.js';
import { streamingText, streamModel } from './streaming.js';
import { decodeModel } from './onnx-builder.js';
import { MODEL_SOURCES, type ModelSource } from './sources.js';
import { convertTfjsModel } from './tfjs-to-onnx.js';

/** Manifest format version written by this build. */
export const MANIFEST_VERSION = 1;

export interface BuildOptions {
  /** Output directory. Default: `<package>/models`. */
  outDir?: string;
  /** Directory whose `node_modules` holds the source packages. Default: the package root. */
  root?: string;
  /** Progress lines (one per model). */
  log?: (line: string) => void;
}

export interface BuildResult {
  manifest: Manifest;
  /** Absolute path of each file written, by model name. */
  files: Record<string, string>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Finds an installed source package and checks its version against the pin.
 * @throws HMP_ERR_MODELS_SOURCE_MISSING
 */
export function sourcePath(root: string, s: ModelSource): string {
  const pkgDir = join(root, 'node_modules', s.source.package);
  const pin = `${s.source.package}@${s.source.version}`;
  const file = join(pkgDir, s.source.path);
  if (!existsSync(join(pkgDir, 'package.json')) || !existsSync(file)) throw createError('HMP_ERR_MODELS_SOURCE_MISSING', file, s.name, pin);
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version?: string }).version;
  if (version !== s.source.version) throw createError('HMP_ERR_MODELS_SOURCE_MISSING', `${file} (installed version ${version})`, s.name, pin);
  return file;
}

const ELEM_NAMES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' };

/** Reads the graph inputs (minus initializers) and outputs of an ONNX file. */
export function onnxInterface(bytes: Uint8Array): { inputs: Omit<TensorSpec, 'meaning'>[]; outputs: Omit<TensorSpec, 'meaning'>[] } {
  const g = decodeModel(bytes).graph;
  const inits = new Set((g?.initializer ?? []).map((t) => t.name));
  const spec = (v: { name?: string | null; type?: { tensorType?: { elemType?: number | null; shape?: { dim?: { dimValue?: unknown; dimParam?: string | null }[] | null } | null } | null } | null }) => {
    const tt = v.type?.tensorType;
    const shape = (tt?.shape?.dim ?? []).map((d, i) => {
      const dv = d.dimValue === undefined || d.dimValue === null ? 0 : Number(d.dimValue);
      return dv > 0 ? dv : d.dimParam || `d${i}`;
    });
    return { name: v.name ?? '', shape, type: ELEM_NAMES[tt?.elemType ?? 0] ?? `onnx:${tt?.elemType}` };
  };
  return {
    inputs: (g?.input ?? []).filter((v) => !inits.has(v.name ?? '')).map(spec),
    outputs: (g?.output ?? []).map(spec),
  };
}

function describeTensors(specs: Omit<TensorSpec, 'meaning'>[], meanings: ModelSource['inputs'], model: string, side: string): TensorSpec[] {
  const names = specs.map((s) => s.name);
  for (const k of Object.keys(meanings)) {
    if (!names.includes(k)) throw new Error(`catalogue entry ${model} describes ${side} ${k}, but the file's ${side}s are ${names.join(', ')}`);
  }
  return specs.map((s) => {
    const m = meanings[s.name] ?? {};
    const out: TensorSpec = { name: s.name, shape: s.shape, type: s.type };
    if (m.layout) out.layout = m.layout;
    if (m.range) out.range = m.range;
    if (m.meaning) out.meaning = m.meaning;
    return out;
  });
}

/** Produces one model's bytes and manifest entry (no file written). */
export function buildOne(root: string, s: ModelSource): { bytes: Uint8Array; entry: ModelEntry } {
  const src = sourcePath(root, s);
  let bytes: Uint8Array;
  let ops: string[] | undefined;
  if (s.build) {
    bytes = s.build(src);
  } else if (s.kind === 'convert') {
    const r = convertTfjsModel(src, { graphName: s.name });
    bytes = r.bytes;
    ops = r.ops.filter((o) => o !== 'Const' && o !== 'Placeholder');
  } else {
    bytes = new Uint8Array(readFileSync(src));
  }
  if (s.cpuLayout) bytes = optimizeForCpu(bytes, s.cpuLayout);
  if (s.streaming) bytes = streamModel(bytes, s.streaming);
  const io = onnxInterface(bytes);
  const entry: ModelEntry = {
    name: s.name,
    task: s.task,
    file: s.file,
    bytes: bytes.length,
    sha256: sha256(bytes),
    inputs: describeTensors(io.inputs, s.inputs, s.name, 'input'),
    outputs: describeTensors(io.outputs, s.outputs, s.name, 'output'),
    source: { ...s.source },
    origin: s.origin,
    licence: s.licence,
    converted: s.kind === 'convert',
  };
  if (ops) entry.ops = ops;
  if (s.cpuLayout || s.streaming) entry.rewrites = [...(s.cpuLayout ? cpuLayoutText(s.cpuLayout) : []), ...(s.streaming ? [streamingText(s.streaming)] : [])];
  if (s.notes) entry.notes = s.notes;
  return { bytes, entry };
}

/** The manifest's canonical text (stable key order, 2-space indent, trailing newline). */
export function manifestText(m: Manifest): string {
  // Arrays of plain values (shapes, ranges, op lists) stay on one line for readable diffs.
  return JSON.stringify(m, null, 2).replace(/\[\s*([^[\]{}]*?)\s*\]/g, (_, body: string) => `[${body.split(/,\s*/).join(', ')}]`) + '\n';
}

/**
 * Builds every catalogue model into `outDir` and writes the manifest.
 * @throws HMP_ERR_MODELS_SOURCE_MISSING and the converter's HMP_ERR_CONVERT_* codes
 */
export function buildModels(options: BuildOptions = {}): BuildResult {
  const root = resolve(options.root ?? packageRoot());
  const outDir = resolve(options.outDir ?? join(root, 'models'));
  mkdirSync(outDir, { recursive: true });
  const models: ModelEntry[] = [];
  const files: Record<string, string> = {};
  for (const s of MODEL_SOURCES) {
    const t0 = performance.now();
    const { bytes, entry } = buildOne(root, s);
    const path = join(outDir, s.file);
    writeFileSync(path, bytes);
    files[s.name] = path;
    models.push(entry);
    options.log?.(`${s.kind === 'convert' ? 'converted' : 'copied   '} ${s.name.padEnd(24)} ${String(bytes.length).padStart(9)} B  ${Math.round(performance.now() - t0)} ms${s.cpuLayout ? '  (layout rewrites)' : ''}${s.streaming ? '  (streaming)' : ''}`);
  }
  const manifest: Manifest = { version: MANIFEST_VERSION, models };
  writeFileSync(join(outDir, 'manifest.json'), manifestText(manifest));
  return { manifest, files };
}

/**
 * Builds into a temporary directory and compares with `dir` byte for byte: every catalogue
 * file and the manifest. Files in `dir` that the catalogue does not produce (another
 * capability's assets) are left alone.
 * @returns the list of differences (empty when identical)
 */
export function checkModels(options: BuildOptions = {}): string[] {
  const root = resolve(options.root ?? packageRoot());
  const dir = resolve(options.outDir ?? join(root, 'models'));
  const tmp = mkdtempSync(join(tmpdir(), 'hmp-models-'));
  try {
    const opts: BuildOptions = { root, outDir: tmp };
    if (options.log) opts.log = options.log;
    const { manifest } = buildModels(opts);
    const diffs: string[] = [];
    for (const f of [...manifest.models.map((m) => m.file), 'manifest.json']) {
      const a = join(dir, f);
      if (!existsSync(a)) {
        diffs.push(`${f}: missing`);
        continue;
      }
      const want = readFileSync(join(tmp, f));
      const got = readFileSync(a);
      if (!want.equals(got)) diffs.push(`${f}: differs (committed ${got.length} B sha256 ${sha256(got).slice(0, 12)}, fresh build ${want.length} B sha256 ${sha256(want).slice(0, 12)})`);
    }
    return diffs;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
