/**
 * The typed message protocol between the engine (main thread) and its workers.
 * Requests `{taskId, task, payload}` go out; responses `{taskId, ok, result | error}` come back.
 * Errors cross as `{code, message}` and become {@link HmpError}s again on the main thread.
 * @internal
 */
import type { SerializedError } from '../errors.js';

/** Per-task status word in the shared status array (one Int32 slot per in-flight task). */
export const enum SlotState {
  Queued = 0,
  Running = 1,
  Cancelled = 2,
}

/** Configuration every worker receives once, as piscina `workerData`. */
export interface WorkerConfig {
  /** Largest decoded image, in pixels. */
  maxPixels: number;
  /** Resolved models directory. */
  modelsDir: string;
  /** Model names to load before the worker reports ready. */
  preloadModels: string[];
  /** Task warm-up hooks (registry `warmup`), called once in the background after ready. */
  warmups?: { module: string; export: string }[];
  /** Shared Int32 status slots (see {@link SlotState}). */
  slots: SharedArrayBuffer;
}

/** Main thread → worker. */
export interface WorkerRequest {
  taskId: number;
  task: string;
  /** Absolute path of the handler module. */
  module: string;
  /** Export name of the handler in that module. */
  export: string;
  /** Index of this task's status slot. */
  slot: number;
  /** Epoch ms after which the task is past its deadline. */
  deadline: number;
  /** The deadline as a duration, for messages. */
  timeoutMs: number;
  payload: unknown;
}

/** Worker → main thread. */
export type WorkerResponse =
  | { taskId: number; ok: true; result: unknown; threadId: number; ms: number }
  | { taskId: number; ok: false; error: SerializedError; threadId: number; ms: number };

/** Message a worker posts once its models are loaded. */
export interface WorkerReadyMessage {
  hmpWorkerReady: true;
  threadId: number;
  models: string[];
  error?: SerializedError;
}

/**
 * What a task handler receives besides its payload. A handler never knows it runs behind
 * HTTP; it only knows its deadline and how to hand back buffers without copying them.
 */
export interface TaskContext {
  readonly taskId: number;
  readonly task: string;
  /** Epoch ms deadline. */
  readonly deadline: number;
  /** Worker configuration (limits, models directory). */
  readonly config: Readonly<Omit<WorkerConfig, 'slots'>>;
  /**
   * Throws `HMP_ERR_ENGINE_DEADLINE` / `HMP_ERR_ENGINE_ABORTED` when the task is past its
   * deadline or was cancelled. Call it between stages (decode, preprocess, infer, postprocess).
   */
  checkpoint(): void;
  /** Marks buffers of the result to be transferred (not copied) back to the main thread. */
  transfer(...buffers: ArrayBuffer[]): void;
}

/** A task handler exported by a module under `src/tasks/<task>/`. */
export type TaskHandler = (payload: any, ctx: TaskContext) => unknown | Promise<unknown>;
