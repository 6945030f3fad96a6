/**
 * The task registry: task name → the worker module and export that handle it, and defaults.
 * Capabilities register their tasks here (one line each); tests and plugins pass extra tasks
 * through `EngineOptions.tasks`.
 * @internal
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createError } from '../errors.js';
import * as is from '../is.js';

/** How a task is run. */
export interface TaskDefinition {
  /** Absolute path or `file:` URL of the ES module run in the worker. */
  module: string;
  /** Name of the handler export. Default: `'run'`. */
  export?: string;
  /** Default deadline for this task, in ms. Default: the engine's `timeoutMs`. */
  timeoutMs?: number;
  /** What the payload carries, for docs and the server: `'none' | 'image' | 'json' | 'audio'`. */
  input?: 'none' | 'image' | 'json' | 'audio';
  /** Models the task uses (documentation and `hmp info`). */
  models?: string[];
  /**
   * Name of an export of `module` that each worker calls once, in the background, right after
   * it reports ready (e.g. to instantiate a WASM decoder the first call would otherwise pay
   * for). Its failure is ignored there: the task's own call reports it.
   */
  warmup?: string;
}

/** A definition with every field resolved. */
export interface ResolvedTask {
  name: string;
  module: string;
  export: string;
  timeoutMs: number | undefined;
  input: NonNullable<TaskDefinition['input']>;
  models: string[];
  warmup: string | undefined;
}

const taskModule = (rel: string): string => fileURLToPath(new URL(`../tasks/${rel}`, import.meta.url));

/** Built-in tasks. Each capability adds its own lines. */
export const BUILTIN_TASKS: Readonly<Record<string, TaskDefinition>> = Object.freeze({
  'core.noop': { module: taskModule('core/worker.js'), export: 'noop', input: 'none' },
  'core.echo': { module: taskModule('core/worker.js'), export: 'echo', input: 'json' },
  'core.info': { module: taskModule('core/worker.js'), export: 'info', input: 'none' },
  'core.decode': { module: taskModule('core/worker.js'), export: 'decode', input: 'image' },
  'core.model': { module: taskModule('core/worker.js'), export: 'model', input: 'json' },
  'voice.chunk': { module: taskModule('voice/worker.js'), export: 'chunk', input: 'audio', models: ['silero-vad-v5', 'oww-melspectrogram', 'oww-embedding-stream'] },
  'scene.frame': { module: taskModule('scene/worker.js'), export: 'frame', input: 'image' },
  'barcode.scan': { module: taskModule('barcode/worker.js'), export: 'scan', input: 'image', warmup: 'warmup' },
  'face.detect': { module: taskModule('face/worker.js'), export: 'detect', input: 'image', models: ['faceboxes', 'blazeface-front', 'blazeface-back', 'faceapi-age-gender'] },
});

/** Builds the engine's registry from the built-ins plus extra definitions. */
export function buildRegistry(extra: Record<string, TaskDefinition>): Map<string, ResolvedTask> {
  const out = new Map<string, ResolvedTask>();
  const add = (name: string, def: TaskDefinition, builtin: boolean) => {
    if (!builtin && Object.prototype.hasOwnProperty.call(BUILTIN_TASKS, name)) {
      throw is.invalid('a task name that is not built in', `options.tasks.${name}`, name);
    }
    if (!is.isObject(def)) throw is.invalid('task definition object', `options.tasks.${name}`, def);
    is.knownKeys(def as unknown as Record<string, unknown>, ['module', 'export', 'timeoutMs', 'input', 'models', 'warmup'], `options.tasks.${name}`);
    let module = is.string(def.module, `options.tasks.${name}.module`);
    if (module.startsWith('file:')) module = fileURLToPath(module);
    if (!builtin && !existsSync(module)) throw is.invalid('path of an existing module', `options.tasks.${name}.module`, module);
    out.set(name, {
      name,
      module,
      export: def.export ?? 'run',
      timeoutMs: def.timeoutMs === undefined ? undefined : is.integer(def.timeoutMs, `options.tasks.${name}.timeoutMs`, 1, 3_600_000),
      input: def.input ?? 'json',
      models: def.models ?? [],
      warmup: def.warmup === undefined ? undefined : is.string(def.warmup, `options.tasks.${name}.warmup`),
    });
  };
  for (const [n, d] of Object.entries(BUILTIN_TASKS)) add(n, d, true);
  for (const [n, d] of Object.entries(extra)) add(n, d, false);
  return out;
}

/** @throws HMP_ERR_ENGINE_TASK_UNKNOWN */
export function lookupTask(reg: Map<string, ResolvedTask>, name: string): ResolvedTask {
  const t = reg.get(name);
  if (!t) throw createError('HMP_ERR_ENGINE_TASK_UNKNOWN', name, [...reg.keys()].join(', '));
  return t;
}
