/**
 * The Engine facade: owns the piscina worker pool, the task registry, deadlines,
 * backpressure and metrics. Everything hmp computes goes through {@link Engine.run}.
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { resolveEngineOptions, type EngineOptions, type ResolvedEngineOptions } from '../config.js';
import { createError, fromSerialized, HmpError, type ErrorCode } from '../errors.js';
import * as is from '../is.js';
import { defaultModelsDir, loadManifest, verifyModels, type ModelEntry } from '../runtime/models.js';
import { prepareImage, type DecodedImage, type ImageInput } from '../runtime/image/index.js';
import { SlotState, type WorkerConfig, type WorkerReadyMessage, type WorkerRequest, type WorkerResponse } from '../workers/protocol.js';
import { EngineMetrics } from './metrics.js';
import { buildRegistry, lookupTask, type ResolvedTask } from './registry.js';

/** Per-call options of {@link Engine.run}. */
export interface RunOptions {
  /** Aborts the task: a queued task is dropped, a running one fails with HMP_ERR_ENGINE_ABORTED. */
  signal?: AbortSignal;
  /** Deadline in ms; default: the task's, else the engine's `timeoutMs`. */
  timeoutMs?: number;
  /** Buffers of the payload to transfer (not copy) to the worker. They are detached afterwards. */
  transfer?: ArrayBuffer[];
}

/** A snapshot of the pool. */
export interface EngineStats {
  poolSize: number;
  threads: number;
  readyWorkers: number;
  queueSize: number;
  inFlight: number;
  maxQueue: number;
  completed: number;
  failed: number;
  workerRestarts: number;
  errors: Record<string, number>;
}

const WORKER_FILE = fileURLToPath(new URL('../workers/worker.js', import.meta.url));
const READY_TIMEOUT_MS = 120_000;

/**
 * A minimal abort signal for piscina (which accepts any `addEventListener`/`aborted` object):
 * much cheaper per task than an AbortController, and only the engine ever fires it.
 */
class KillSwitch {
  aborted = false;
  #listener: (() => void) | undefined;
  addEventListener(_type: 'abort', fn: () => void): void {
    this.#listener = fn;
  }
  removeEventListener(): void {
    this.#listener = undefined;
  }
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.#listener?.();
  }
}

/** Grace a running task gets after its deadline to reach a checkpoint before its worker is replaced. */
function graceMs(timeoutMs: number): number {
  return Math.min(2_000, Math.max(50, Math.floor(timeoutMs / 2)));
}

/**
 * The perception engine. Create one per process with {@link Engine.create}; it owns a pool of
 * worker threads that load models once and run tasks with deadlines and bounded queues.
 *
 * @example
 * const engine = await Engine.create({ poolSize: 2 });
 * const img = await engine.decode(await readFile('photo.jpg'));
 * // { data: Uint8Array(160000), width: 200, height: 200, format: 'rgba' }
 * await engine.dispose();
 */
export class Engine {
  readonly #opts: ResolvedEngineOptions;
  readonly #registry: Map<string, ResolvedTask>;
  readonly #pool: Piscina;
  readonly #slots: Int32Array;
  readonly #freeSlots: number[];
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #metrics = new EngineMetrics();
  readonly #readyThreads = new Set<number>();
  readonly #modelsDir: string;
  readonly #models: ModelEntry[];
  #taskSeq = 0;
  #disposing: Promise<void> | undefined;

  private constructor(opts: ResolvedEngineOptions, registry: Map<string, ResolvedTask>, modelsDir: string, models: ModelEntry[]) {
    this.#opts = opts;
    this.#registry = registry;
    this.#modelsDir = modelsDir;
    this.#models = models;
    // One status slot per task that can be queued or running, plus tasks whose caller gave up
    // while their worker still runs (at most one per worker).
    const capacity = opts.maxQueue + opts.poolSize * 2 + 1;
    this.#slots = new Int32Array(new SharedArrayBuffer(capacity * 4));
    this.#freeSlots = Array.from({ length: capacity }, (_, i) => capacity - 1 - i);
    const workerData: WorkerConfig = {
      maxPixels: opts.maxPixels,
      modelsDir,
      preloadModels: opts.preloadModels,
      warmups: [...registry.values()].filter((t) => opts.warmup && t.warmup !== undefined).map((t) => ({ module: t.module, export: t.warmup! })),
      slots: this.#slots.buffer as SharedArrayBuffer,
    };
    this.#pool = new Piscina({
      filename: WORKER_FILE,
      minThreads: opts.poolSize,
      maxThreads: opts.poolSize,
      maxQueue: opts.maxQueue,
      concurrentTasksPerWorker: 1,
      idleTimeout: 2 ** 31 - 1,
      workerData,
    });
    this.#pool.on('message', (m: WorkerReadyMessage) => {
      if (m && m.hmpWorkerReady && !m.error) this.#readyThreads.add(m.threadId);
    });
    this.#pool.on('workerDestroy', (w: { threadId?: number }) => {
      if (w && typeof w.threadId === 'number') this.#readyThreads.delete(w.threadId);
      if (!this.#disposing) this.#metrics.workerRestarts++;
    });
    // A worker error without a task in flight must never become an unhandled 'error' event.
    this.#pool.on('error', () => {});
  }

  /**
   * Creates the engine: validates options, verifies model checksums, starts the pool and waits
   * until every worker has loaded its models.
   * @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE (bad options);
   *   HMP_ERR_MODEL_MISSING, HMP_ERR_MODEL_CHECKSUM (models); HMP_ERR_MODEL_UNKNOWN / HMP_ERR_MODEL_LOAD (preload)
   */
  static async create(options: EngineOptions = {}): Promise<Engine> {
    const opts = resolveEngineOptions(options);
    const registry = buildRegistry(opts.tasks);
    const modelsDir = opts.modelsDir ?? defaultModelsDir();
    const models = loadManifest(modelsDir).models;
    if (opts.verifyModels) await verifyModels(modelsDir);
    const engine = new Engine(opts, registry, modelsDir, models);
    try {
      await engine.#waitReady();
    } catch (err) {
      await engine.#pool.destroy();
      throw err;
    }
    return engine;
  }

  #waitReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pool.off('message', onMessage);
        reject(createError('HMP_ERR_ENGINE_INTERNAL', 'startup', `workers not ready after ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      const onMessage = (m: WorkerReadyMessage) => {
        if (!m || !m.hmpWorkerReady) return;
        if (m.error) {
          clearTimeout(timer);
          this.#pool.off('message', onMessage);
          reject(fromSerialized(m.error, 'startup'));
        } else if (this.#readyThreads.size >= this.#opts.poolSize) {
          clearTimeout(timer);
          this.#pool.off('message', onMessage);
          resolve();
        }
      };
      this.#pool.on('message', onMessage);
    });
  }

  /** Names of the registered tasks. */
  get tasks(): string[] {
    return [...this.#registry.keys()];
  }

  /** The registry's model entries (as verified at startup). */
  get models(): ModelEntry[] {
    return this.#models.map((m) => ({ ...m }));
  }

  /** Directory the models were loaded from. */
  get modelsDir(): string {
    return this.#modelsDir;
  }

  /** The resolved options (a copy). */
  get options(): Readonly<Omit<ResolvedEngineOptions, 'tasks'>> {
    const { tasks: _t, ...rest } = this.#opts;
    return { ...rest, preloadModels: [...rest.preloadModels] };
  }

  /** True once `dispose()` was called. */
  get disposed(): boolean {
    return this.#disposing !== undefined;
  }

  /** Pool and task counters. */
  stats(): EngineStats {
    return {
      poolSize: this.#opts.poolSize,
      threads: this.#pool.threads.length,
      readyWorkers: this.#readyThreads.size,
      queueSize: this.#pool.queueSize,
      inFlight: this.#inFlight.size,
      maxQueue: this.#opts.maxQueue,
      completed: this.#metrics.completed,
      failed: this.#metrics.failed,
      workerRestarts: this.#metrics.workerRestarts,
      errors: Object.fromEntries(this.#metrics.errors),
    };
  }

  /** Raw metrics for the Prometheus endpoint. @internal */
  get metrics(): EngineMetrics {
    return this.#metrics;
  }

  /**
   * Runs a registered task in the pool.
   * @throws HMP_ERR_ENGINE_TASK_UNKNOWN, HMP_ERR_ENGINE_DISPOSED, HMP_ERR_ENGINE_OVERLOADED (queue full, fails fast),
   *   HMP_ERR_ENGINE_DEADLINE, HMP_ERR_ENGINE_ABORTED, HMP_ERR_ENGINE_WORKER_CRASHED (retryable), and the task's own codes
   */
  run<R = unknown>(task: string, payload: unknown, options: RunOptions = {}): Promise<R> {
    // Captured before any async work so errors point at the caller, not at pool internals.
    const callSite: { stack?: string } = {};
    Error.captureStackTrace(callSite, this.run);
    return this.#run<R>(task, payload, options).catch((err: unknown) => {
      if (err instanceof Error && callSite.stack) {
        err.stack = `${err.name}: ${err.message}\n${callSite.stack.split('\n').slice(1).join('\n')}`;
      }
      throw err;
    });
  }

  async #run<R>(task: string, payload: unknown, options: RunOptions): Promise<R> {
    if (this.#disposing) throw createError('HMP_ERR_ENGINE_DISPOSED');
    if (!is.isObject(options)) throw is.invalid('options object', 'options', options);
    is.knownKeys(options as Record<string, unknown>, ['signal', 'timeoutMs', 'transfer']);
    const def = lookupTask(this.#registry, task);
    const timeoutMs = options.timeoutMs === undefined ? def.timeoutMs ?? this.#opts.timeoutMs : is.integer(options.timeoutMs, 'options.timeoutMs', 1, 3_600_000);
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw is.invalid('AbortSignal', 'options.signal', signal);
    if (signal?.aborted) throw createError('HMP_ERR_ENGINE_ABORTED', task);
    // Fail fast instead of queueing without bound.
    if (this.#pool.queueSize >= this.#opts.maxQueue) throw this.#reject(task, createError('HMP_ERR_ENGINE_OVERLOADED', this.#pool.queueSize));
    const slot = this.#freeSlots.pop();
    if (slot === undefined) throw this.#reject(task, createError('HMP_ERR_ENGINE_OVERLOADED', this.#pool.queueSize));
    Atomics.store(this.#slots, slot, SlotState.Queued);

    const taskId = ++this.#taskSeq;
    const req: WorkerRequest = { taskId, task, module: def.module, export: def.export, slot, deadline: Date.now() + timeoutMs, timeoutMs, payload };
    const kill = new KillSwitch();
    const t0 = performance.now();

    return new Promise<R>((resolve, reject) => {
      let settled = false;
      let grace: NodeJS.Timeout | undefined;
      const settle = (err: HmpError | undefined, value?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
        this.#metrics.observe(task, (performance.now() - t0) / 1000, err?.code);
        if (err) reject(err);
        else resolve(value as R);
      };
      const cancel = (err: HmpError) => {
        if (settled) return;
        const prev = Atomics.compareExchange(this.#slots, slot, SlotState.Queued, SlotState.Cancelled);
        if (prev === SlotState.Queued) {
          kill.abort(); // still queued: piscina drops it without touching a worker
        } else {
          // Running: ask it to stop at its next checkpoint; replace the worker if it does not.
          Atomics.store(this.#slots, slot, SlotState.Cancelled);
          grace = setTimeout(() => kill.abort(), graceMs(timeoutMs));
        }
        settle(err);
      };
      const deadline = setTimeout(() => cancel(createError('HMP_ERR_ENGINE_DEADLINE', task, timeoutMs)), timeoutMs);
      const onAbort = () => cancel(createError('HMP_ERR_ENGINE_ABORTED', task));
      signal?.addEventListener('abort', onAbort, { once: true });

      const p = this.#pool
        .run(req, { signal: kill as never, transferList: options.transfer as never })
        .then(
          (res: WorkerResponse) => {
            if (res.ok) settle(undefined, res.result);
            else settle(fromSerialized(res.error, task));
          },
          (err: Error) => settle(this.#mapPoolError(task, err)),
        )
        .finally(() => {
          clearTimeout(grace);
          this.#freeSlots.push(slot);
          this.#inFlight.delete(p);
        });
      this.#inFlight.add(p);
    });
  }

  #reject(task: string, err: HmpError): HmpError {
    this.#metrics.observe(task, 0, err.code);
    return err;
  }

  #mapPoolError(task: string, err: Error): HmpError {
    let code: ErrorCode = 'HMP_ERR_ENGINE_WORKER_CRASHED';
    if (err.message === 'Task queue is at limit') return createError('HMP_ERR_ENGINE_OVERLOADED', this.#pool.queueSize);
    if (this.#disposing) code = 'HMP_ERR_ENGINE_DISPOSED';
    if (err.name === 'AbortError') return createError('HMP_ERR_ENGINE_ABORTED', task);
    return code === 'HMP_ERR_ENGINE_DISPOSED' ? createError(code) : createError(code, task, err.message);
  }

  /**
   * Decodes an encoded image or validates a raw frame, in a worker.
   * The input's memory is transferred to the worker when it spans a whole ArrayBuffer.
   * @throws HMP_ERR_IMAGE_* and HMP_ERR_FRAME_* codes
   */
  async decode(image: ImageInput, options: Omit<RunOptions, 'transfer'> = {}): Promise<DecodedImage> {
    const { payload, transfer } = prepareImage(image, 'image', this.#opts.maxPixels);
    return this.run<DecodedImage>('core.decode', payload, { ...options, transfer });
  }

  /**
   * Stops accepting work, waits up to `drainTimeoutMs` for running and queued tasks, then
   * terminates the workers (tasks still pending then fail with HMP_ERR_ENGINE_DISPOSED).
   * Idempotent.
   */
  dispose(): Promise<void> {
    this.#disposing ??= (async () => {
      const drain = Promise.allSettled([...this.#inFlight]);
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((r) => (timer = setTimeout(r, this.#opts.drainTimeoutMs)));
      await Promise.race([drain, bound]);
      clearTimeout(timer);
      await this.#pool.destroy();
    })();
    return this.#disposing;
  }
}
