/**
 * The model registry: `models/manifest.json` lists every model file with its sha256, I/O spec,
 * source package and licence. The engine verifies files against it at startup.
 * @internal
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, createReadStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createError } from '../errors.js';

/** One tensor of a model's interface. */
export interface TensorSpec {
  name: string;
  /** Shape; strings for symbolic dimensions. */
  shape: (number | string)[];
  type: string;
  /** Memory layout and channel order, e.g. `NHWC RGB`, `[batch, samples]`. */
  layout?: string;
  /** Expected (inputs) or produced (outputs) value range. */
  range?: [number, number];
  /** What the tensor holds and how to prepare or read it, in words. */
  meaning?: string;
}

/** One manifest entry. */
export interface ModelEntry {
  name: string;
  task: string;
  file: string;
  bytes: number;
  sha256: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  source: { package: string; version: string; path: string };
  origin?: string;
  licence: string;
  converted?: boolean;
  /** For converted models: the TF.js ops of the source graph. */
  ops?: string[];
  /** Exact graph rewrites applied after conversion or copy (`src/convert/cpu-layout.ts`). */
  rewrites?: string[];
  notes?: string;
}

export interface Manifest {
  version: number;
  models: ModelEntry[];
}

/** Finds the package root (the directory holding package.json named hmp) from this module. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if (JSON.parse(readFileSync(pj, 'utf8')).name === 'hmp') return dir;
      } catch { /* keep walking */ }
    }
    dir = dirname(dir);
  }
  throw new Error('hmp package root not found');
}

/** Default models directory: `<package>/models`. */
export function defaultModelsDir(): string {
  return join(packageRoot(), 'models');
}

const manifests = new Map<string, Manifest>();

/** Reads (and caches per directory) the manifest; an absent manifest is an empty registry. */
export function loadManifest(dir: string): Manifest {
  const abs = resolve(dir);
  let m = manifests.get(abs);
  if (m) return m;
  const file = join(abs, 'manifest.json');
  if (!existsSync(file)) {
    m = { version: 1, models: [] };
  } else {
    try {
      m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    } catch (err) {
      throw createError('HMP_ERR_CONFIG_INVALID', file, (err as Error).message);
    }
  }
  manifests.set(abs, m);
  return m;
}

/** Looks a model up by name. @throws HMP_ERR_MODEL_UNKNOWN */
export function findModel(dir: string, name: string): ModelEntry & { path: string } {
  const m = loadManifest(dir);
  const e = m.models.find((x) => x.name === name);
  if (!e) throw createError('HMP_ERR_MODEL_UNKNOWN', name, m.models.map((x) => x.name).join(', ') || '(none)');
  return { ...e, path: join(resolve(dir), e.file) };
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Verifies every model file (or the named ones) against the manifest.
 * @throws HMP_ERR_MODEL_MISSING, HMP_ERR_MODEL_CHECKSUM
 */
export async function verifyModels(dir: string, names?: string[]): Promise<ModelEntry[]> {
  const m = loadManifest(dir);
  const list = names ? names.map((n) => findModel(dir, n)) : m.models;
  for (const e of list) {
    const p = join(resolve(dir), e.file);
    if (!existsSync(p)) throw createError('HMP_ERR_MODEL_MISSING', e.name, p);
    const got = await sha256File(p);
    if (got !== e.sha256) throw createError('HMP_ERR_MODEL_CHECKSUM', e.name, got, e.sha256);
  }
  return list;
}
