/**
 * An onnxruntime-common backend (`hmp-cpu`) over onnxruntime-node's own native binding whose
 * `run` executes at once instead of one event-loop turn later.
 *
 * onnxruntime-node's backend wraps every (synchronous, native) `run` in `setImmediate`, so each
 * model run costs a macrotask hop; in a worker that sleeps between tasks that hop measured
 * 0.05 ms per run (a voice chunk makes 5-6 runs, a face frame 3-4). This backend calls the same
 * native `InferenceSession` (same CPU execution provider, same options, same tensors) directly
 * and resolves the promise with the result, so callers still `await` and nothing else changes.
 * Sessions load synchronously too (they did, one turn later).
 *
 * It uses `onnxruntime-node/dist/binding.js`, which is internal to onnxruntime-node: the version
 * is pinned by package-lock.json, and {@link registerSyncBackend} returns false (sessions then
 * use onnxruntime-node's backend) when that module is not what this code expects.
 * @internal
 */
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';

/** The execution-provider name sessions ask for to get this backend. */
export const SYNC_BACKEND = 'hmp-cpu';

/** Raw input/output metadata of the native session (onnxruntime-node 1.30). */
interface RawMetadata {
  name: string;
  isTensor: boolean;
  type: number;
  shape: number[];
  symbolicDimensions: string[];
}

interface NativeSession {
  loadModel(path: string, options: object): void;
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  readonly inputMetadata: RawMetadata[];
  readonly outputMetadata: RawMetadata[];
  run(feeds: object, fetches: object, options: object): Record<string, unknown>;
  dispose(): void;
  endProfiling(): void;
}

// onnxruntime-node's element type codes (ONNX TensorProto.DataType), as in its backend.js.
const TYPES: (string | undefined)[] = [
  undefined, 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64',
  'uint32', 'uint64', undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'uint4', 'int4',
];

function describe(raw: RawMetadata[]): [string[], ort.InferenceSession.ValueMetadata[]] {
  const names: string[] = [];
  const meta: ort.InferenceSession.ValueMetadata[] = [];
  for (const m of raw) {
    names.push(m.name);
    if (!m.isTensor) {
      meta.push({ name: m.name, isTensor: false });
      continue;
    }
    const type = TYPES[m.type];
    if (type === undefined) throw new Error(`Unsupported data type: ${m.type}`);
    meta.push({ name: m.name, isTensor: true, type: type as ort.Tensor.Type, shape: m.shape.map((d, i) => (d === -1 ? (m.symbolicDimensions[i] as string) : d)) });
  }
  return [names, meta];
}

class SyncHandler {
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly inputMetadata: ort.InferenceSession.ValueMetadata[];
  readonly outputMetadata: ort.InferenceSession.ValueMetadata[];
  #s: NativeSession;

  constructor(s: NativeSession) {
    this.#s = s;
    [this.inputNames, this.inputMetadata] = describe(s.inputMetadata);
    [this.outputNames, this.outputMetadata] = describe(s.outputMetadata);
  }

  async run(feeds: object, fetches: object, options: object): Promise<Record<string, unknown>> {
    return this.#s.run(feeds, fetches, options);
  }

  async dispose(): Promise<void> {
    this.#s.dispose();
  }

  startProfiling(): void {
    // As onnxruntime-node: profiling starts at load when the session options ask for it.
  }

  endProfiling(): void {
    this.#s.endProfiling();
  }
}

let registered: boolean | undefined;

/**
 * Registers the backend once per thread. @returns whether sessions can use it.
 */
export function registerSyncBackend(): boolean {
  if (registered !== undefined) return registered;
  try {
    const require = createRequire(import.meta.url);
    const { binding, initOrt } = require('onnxruntime-node/dist/binding.js') as { binding: { InferenceSession: new () => NativeSession }; initOrt: () => void };
    if (typeof binding?.InferenceSession !== 'function' || typeof initOrt !== 'function') return (registered = false);
    const backend = {
      async init(): Promise<void> {},
      async createInferenceSessionHandler(pathOrBuffer: string | Uint8Array, options: ort.InferenceSession.SessionOptions = {}): Promise<SyncHandler> {
        initOrt();
        const s = new binding.InferenceSession();
        // The native side knows the CPU provider by its own name. onnxruntime-common hands the
        // options over as a proxy whose executionProviders getter throws for a frozen options
        // object that names this backend, so that key is never read.
        const o: Record<string, unknown> = {};
        for (const key of Reflect.ownKeys(options)) if (key !== 'executionProviders') o[key as string] = (options as Record<string | symbol, unknown>)[key];
        o.executionProviders = ['cpu'];
        if (typeof pathOrBuffer === 'string') s.loadModel(pathOrBuffer, o);
        else s.loadModel(pathOrBuffer.buffer, pathOrBuffer.byteOffset, pathOrBuffer.byteLength, o);
        return new SyncHandler(s);
      },
    };
    ort.registerBackend(SYNC_BACKEND, backend as unknown as ort.Backend, -1);
    registered = true;
  } catch {
    registered = false;
  }
  return registered;
}
