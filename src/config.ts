/**
 * One typed, documented options object for the engine, with frozen defaults.
 * Options are merged into a copy per engine; nothing here is ever written back.
 */
import { availableParallelism } from 'node:os';
import * as is from './is.js';

/** Options accepted by `Engine.create()`. Every field is optional. */
export interface EngineOptions {
  /** Worker threads in the pool. Default: the core count (`os.availableParallelism()`). */
  poolSize?: number;
  /**
   * Tasks allowed to wait in the queue beyond those running. Calls beyond it fail fast with
   * `HMP_ERR_ENGINE_OVERLOADED`. Default: `16 * poolSize`.
   */
  maxQueue?: number;
  /** Default per-task deadline in ms (a task definition or call may override). Default: 10000. */
  timeoutMs?: number;
  /** How long `dispose()` waits for running and queued work before terminating workers. Default: 5000. */
  drainTimeoutMs?: number;
  /** Largest decoded image accepted, in pixels (width x height). Default: 40_000_000 (e.g. 8000x5000). */
  maxPixels?: number;
  /** Directory holding `manifest.json` and the model files. Default: the package's `models/`. */
  modelsDir?: string;
  /** Verify every model file's sha256 against the manifest at startup. Default: true. */
  verifyModels?: boolean;
  /** Models every worker loads before it reports ready (names from the manifest). Default: []. */
  preloadModels?: string[];
  /**
   * Run the registered tasks' warm-up hooks (e.g. instantiating zxing-wasm, ~1 s of CPU per
   * worker) in every worker right after it is ready, so the first real call is not slow.
   * `hmp serve` turns it on; a library user who never scans should leave it off. Default: false.
   */
  warmup?: boolean;
  /**
   * Extra tasks to register next to the built-in ones, keyed by task name. Used for plugins
   * and tests; a name may not shadow a built-in task.
   */
  tasks?: Record<string, import('./engine/registry.js').TaskDefinition>;
}

/** Resolved options: every field present. */
export type ResolvedEngineOptions = Required<Omit<EngineOptions, 'modelsDir' | 'tasks'>> & {
  modelsDir: string | undefined;
  tasks: Record<string, import('./engine/registry.js').TaskDefinition>;
};

const KNOWN: (keyof EngineOptions)[] = [
  'poolSize', 'maxQueue', 'timeoutMs', 'drainTimeoutMs', 'maxPixels', 'modelsDir', 'verifyModels', 'preloadModels', 'warmup', 'tasks',
];

/** Default values (frozen). `poolSize` and `maxQueue` depend on the machine and are filled in by {@link resolveEngineOptions}. */
export const ENGINE_DEFAULTS = Object.freeze({
  timeoutMs: 10_000,
  drainTimeoutMs: 5_000,
  maxPixels: 40_000_000,
  verifyModels: true,
});

/**
 * Validates and merges options into a fresh object.
 * @throws HMP_ERR_OPTION_UNKNOWN for unknown keys, HMP_ERR_ARG_INVALID / HMP_ERR_ARG_RANGE for bad values.
 */
export function resolveEngineOptions(opts: EngineOptions = {}): ResolvedEngineOptions {
  if (!is.isObject(opts)) throw is.invalid('options object', 'options', opts);
  is.knownKeys(opts as Record<string, unknown>, KNOWN);
  const poolSize = opts.poolSize === undefined ? Math.max(1, availableParallelism()) : is.integer(opts.poolSize, 'options.poolSize', 1, 256);
  const maxQueue = opts.maxQueue === undefined ? 16 * poolSize : is.integer(opts.maxQueue, 'options.maxQueue', 0, 1_000_000);
  const timeoutMs = opts.timeoutMs === undefined ? ENGINE_DEFAULTS.timeoutMs : is.integer(opts.timeoutMs, 'options.timeoutMs', 1, 3_600_000);
  const drainTimeoutMs = opts.drainTimeoutMs === undefined ? ENGINE_DEFAULTS.drainTimeoutMs : is.integer(opts.drainTimeoutMs, 'options.drainTimeoutMs', 0, 3_600_000);
  const maxPixels = opts.maxPixels === undefined ? ENGINE_DEFAULTS.maxPixels : is.integer(opts.maxPixels, 'options.maxPixels', 1, 1_000_000_000);
  const modelsDir = opts.modelsDir === undefined ? undefined : is.string(opts.modelsDir, 'options.modelsDir');
  const warmup = opts.warmup === undefined ? false : is.boolean(opts.warmup, 'options.warmup');
  const verifyModels = opts.verifyModels === undefined ? ENGINE_DEFAULTS.verifyModels : is.boolean(opts.verifyModels, 'options.verifyModels');
  const preloadModels = opts.preloadModels === undefined ? [] : opts.preloadModels;
  if (!Array.isArray(preloadModels) || preloadModels.some((m) => typeof m !== 'string')) {
    throw is.invalid('array of model names', 'options.preloadModels', preloadModels);
  }
  const tasks = opts.tasks === undefined ? {} : opts.tasks;
  if (!is.isObject(tasks)) throw is.invalid('object of task definitions', 'options.tasks', tasks);
  return { poolSize, maxQueue, timeoutMs, drainTimeoutMs, maxPixels, modelsDir, verifyModels, warmup, preloadModels: [...preloadModels], tasks: { ...(tasks as ResolvedEngineOptions['tasks']) } };
}
