/**
 * Shared by the parity tests (test/convert/parity-*.test.ts), the model benchmarks
 * (bench/models.ts) and the docs report: runs a TF.js original with `@tensorflow/tfjs`
 * (cpu or wasm backend, dev dependencies) next to hmp's ONNX file in onnxruntime-node on the
 * same inputs, and prepares those inputs (seeded random, or real face crops preprocessed the
 * way each manifest entry's input spec says).
 *
 * Not a benchmark file (exports no `benchmarks`); tfjs and sharp load lazily.
 */
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot, loadManifest, type ModelEntry, type TensorSpec } from '../src/runtime/models.js';
import { MODEL_SOURCES, type ModelSource } from '../src/convert/sources.js';
import { mulberry32 } from '../src/random.js';

export const ROOT = packageRoot();
export const MODELS_DIR = join(ROOT, 'models');
/** Real face crops (UTKFace aligned 200x200 chips); absent in a user's clone. */
export const FACES_DIR = join(ROOT, '..', 'shared', 'eval', 'faces', 'utkface-200', 'images');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tf = any;

/**
 * Parity tolerance per converted model: `|onnx - tfjs| <= atol + rtol * max|tfjs|` per output.
 * Bounded outputs (probabilities, sigmoid scores, small descriptors) use the 1e-4
 * absolute bound. Raw detector heads and unnormalised embeddings reach magnitudes of 10-120,
 * where float32 results of two different (equally correct) convolution accumulation orders
 * differ by a few ulps of the activations, compounding over 20-40 layers; those get a relative
 * term of 2e-5 of the output's largest magnitude (e.g. <= 2.4e-3 px on a 120 px regressor).
 */
export const PARITY_TOLERANCE: Record<string, { atol: number; rtol: number; why?: string }> = {
  'blazeface-back-tfjs': { atol: 1e-4, rtol: 2e-5, why: 'raw logits and pixel regressors up to ~120' },
  'facemesh-detection-full': { atol: 1e-4, rtol: 2e-5, why: 'raw logits and pixel regressors up to ~130' },
  mobileface: { atol: 1e-4, rtol: 2e-5, why: 'unnormalised 256-d embedding with components up to ~15' },
  'age-ssrnet': { atol: 1e-4, rtol: 2e-6, why: 'age regression output in years (0-100)' },
};
export const DEFAULT_TOLERANCE = { atol: 1e-4, rtol: 0 };

/** Converted models of the catalogue, with their manifest entries. */
export function convertedModels(): { source: ModelSource; entry: ModelEntry }[] {
  const m = loadManifest(MODELS_DIR);
  // TF.js graph conversions only: entries with a custom `build` (face-api weight graphs) have their own tests.
  return MODEL_SOURCES.filter((s) => s.kind === 'convert' && !s.build).map((source) => {
    const entry = m.models.find((e) => e.name === source.name);
    if (!entry) throw new Error(`models/manifest.json has no entry ${source.name}; run hmp models build`);
    return { source, entry };
  });
}

/** Path of a catalogue entry's source file in node_modules. */
export function sourceFile(s: ModelSource): string {
  return join(ROOT, 'node_modules', s.source.package, s.source.path);
}

let tfPromise: Promise<Tf> | undefined;
let tfBackend = '';

/**
 * Loads @tensorflow/tfjs once per process and selects a backend. The wasm backend's .wasm
 * files load from node_modules by file path (no network); in Node it runs single-threaded.
 */
export async function loadTf(backend: 'cpu' | 'wasm'): Promise<Tf> {
  const req = createRequire(join(ROOT, 'package.json'));
  tfPromise ??= (async () => {
    const tf = req('@tensorflow/tfjs');
    tf.env().set('IS_NODE', true);
    // Silence the "install tfjs-node" banner; it is not installable here by design.
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      tf.setBackend('cpu');
    } finally {
      console.warn = warn;
    }
    return tf;
  })();
  const tf = await tfPromise;
  if (backend === 'wasm' && !tf.findBackend('wasm')) {
    const wasm = req('@tensorflow/tfjs-backend-wasm');
    const dir = dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(dir + '/');
  }
  if (tfBackend !== backend) {
    await tf.setBackend(backend);
    await tf.ready();
    tfBackend = backend;
  }
  return tf;
}

/** A TF.js graph model ready to run on raw float32 NHWC input. */
export interface TfjsReference {
  run(data: Float32Array, shape: number[]): Promise<Float32Array[]>;
  dispose(): void;
}

/** Loads a TF.js graph model from disk (all shards) as tfjs's own GraphModel. */
export async function loadTfjsGraph(tf: Tf, modelJson: string): Promise<Tf> {
  const json = JSON.parse(readFileSync(modelJson, 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: unknown[] }[];
  const shards = groups.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(modelJson), p))));
  const all = Buffer.concat(shards);
  const handler = {
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: groups.flatMap((g) => g.weights),
      weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
      userDefinedMetadata: json.userDefinedMetadata,
    }),
  };
  return tf.loadGraphModel(handler);
}

/** Loads a TF.js graph model from disk (all shards) and fixes the output tensors to fetch. */
export async function loadTfjsModel(tf: Tf, modelJson: string, outputTensors: string[]): Promise<TfjsReference> {
  const model = await loadTfjsGraph(tf, modelJson);
  return {
    async run(data, shape) {
      const x = tf.tensor(data, shape, 'float32');
      try {
        const out = model.execute(x, outputTensors);
        const list = Array.isArray(out) ? out : [out];
        const res = list.map((t: Tf) => t.dataSync() as Float32Array);
        for (const t of list) t.dispose();
        return res;
      } finally {
        x.dispose();
      }
    },
    dispose() {
      model.dispose();
    },
  };
}

/** Mulberry32 (src/random.ts), so random parity inputs are reproducible. */
export const seeded: (seed: number) => () => number = mulberry32;

/** Concrete shape for a manifest input: symbolic dims (the batch) become `batch`. */
export function concreteShape(spec: TensorSpec, batch: number): number[] {
  return spec.shape.map((d) => (typeof d === 'number' ? d : batch));
}

/** Seeded uniform random input over the spec's value range. */
export function randomInput(spec: TensorSpec, batch: number, seed: number): { data: Float32Array; shape: number[] } {
  const shape = concreteShape(spec, batch);
  const [lo, hi] = spec.range ?? [0, 1];
  const rnd = seeded(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rnd();
  return { data, shape };
}

/**
 * A real face crop (UTKFace chip) resized (bilinear, sharp) to the input size and mapped to the
 * input's layout and range: RGB [0,1], RGB [0,255], RGB [-1,1], or luma [-1,1].
 */
export async function faceInput(spec: TensorSpec, files: string[]): Promise<{ data: Float32Array; shape: number[] }> {
  const req = createRequire(join(ROOT, 'package.json'));
  const sharp = req('sharp') as (input: string) => { resize: (w: number, h: number, o: object) => { removeAlpha: () => { raw: () => { toBuffer: () => Promise<Buffer> } } } };
  const shape = concreteShape(spec, files.length);
  const [, H, W, C] = shape as [number, number, number, number];
  const [lo, hi] = spec.range ?? [0, 1];
  const gray = (spec.layout ?? '').includes('gray');
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let o = 0;
  for (const f of files) {
    const px = await sharp(f).resize(W, H, { fit: 'fill', kernel: 'linear' }).removeAlpha().raw().toBuffer();
    for (let i = 0; i < H * W; i++) {
      const r = (px[3 * i] as number) / 255;
      const g = (px[3 * i + 1] as number) / 255;
      const b = (px[3 * i + 2] as number) / 255;
      if (gray || C === 1) data[o++] = lo + (hi - lo) * (0.2989 * r + 0.587 * g + 0.114 * b);
      else {
        data[o++] = lo + (hi - lo) * r;
        data[o++] = lo + (hi - lo) * g;
        data[o++] = lo + (hi - lo) * b;
      }
    }
  }
  return { data, shape };
}

/** The first `n` face crops in name order (stable across runs). */
export function faceFiles(n: number): string[] {
  if (!existsSync(FACES_DIR)) return [];
  return readdirSync(FACES_DIR).filter((f) => f.endsWith('.jpg')).sort().slice(0, n).map((f) => join(FACES_DIR, f));
}

/** Largest absolute difference and the reference's largest magnitude. */
export function compare(got: ArrayLike<number>, want: ArrayLike<number>): { maxAbsDiff: number; refMaxAbs: number; length: number } {
  if (got.length !== want.length) throw new Error(`length ${got.length} vs ${want.length}`);
  let d = 0;
  let m = 0;
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as number;
    const g = got[i] as number;
    if (Number.isNaN(w) !== Number.isNaN(g)) return { maxAbsDiff: Infinity, refMaxAbs: m, length: want.length };
    d = Math.max(d, Math.abs(g - w));
    m = Math.max(m, Math.abs(w));
  }
  return { maxAbsDiff: d, refMaxAbs: m, length: want.length };
}

/** The bound a model's output must meet, given the reference's magnitude. */
export function bound(model: string, refMaxAbs: number): number {
  const t = PARITY_TOLERANCE[model] ?? DEFAULT_TOLERANCE;
  return t.atol + t.rtol * refMaxAbs;
}

/** TF.js tensor names the ONNX outputs mirror, in ONNX output order (from the source model.json). */
export function tfjsOutputTensors(s: ModelSource, entry: ModelEntry): string[] {
  const json = JSON.parse(readFileSync(sourceFile(s), 'utf8'));
  const sig = json.signature?.outputs as Record<string, { name: string }> | undefined;
  return entry.outputs.map((o) => (sig?.[o.name]?.name ?? o.name));
}
