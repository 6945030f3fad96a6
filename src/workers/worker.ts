/**
 * The worker entry: thin, dispatch only. Loads the configured models before reporting ready,
 * imports task handler modules on first use (cached per worker), runs the handler, and turns
 * whatever it throws into a coded, serializable error.
 * @internal
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { createError, serializeError, type SerializedError } from '../errors.js';
import { SlotState, type TaskContext, type TaskHandler, type WorkerConfig, type WorkerReadyMessage, type WorkerRequest, type WorkerResponse } from './protocol.js';
import { configureRuntime, preloadModels } from '../runtime/worker-runtime.js';

const config = workerData as WorkerConfig;
const slots = new Int32Array(config.slots);
const publicConfig = Object.freeze({ maxPixels: config.maxPixels, modelsDir: config.modelsDir, preloadModels: config.preloadModels });
const handlers = new Map<string, TaskHandler>();

configureRuntime(publicConfig);

async function init(): Promise<void> {
  const ready: WorkerReadyMessage = { hmpWorkerReady: true, threadId, models: [] };
  try {
    ready.models = await preloadModels(config.preloadModels);
  } catch (err) {
    ready.error = serializeError(err, 'worker.init');
  }
  parentPort?.postMessage(ready);
  // Task warm-ups run after ready so Engine.create() does not wait for them; a task that
  // arrives first awaits the same (cached) work. Failures surface on the task's own call.
  for (const w of config.warmups ?? []) {
    void handlerFor(w.module, w.export, `${w.module}#${w.export}`)
      .then((fn) => (fn as unknown as () => Promise<void>)())
      .catch(() => undefined);
  }
}

async function handlerFor(module: string, name: string, task: string): Promise<TaskHandler> {
  const key = `${module}#${name}`;
  let h = handlers.get(key);
  if (h) return h;
  const mod = (await import(module)) as Record<string, unknown>;
  const fn = mod[name];
  if (typeof fn !== 'function') throw createError('HMP_ERR_ENGINE_TASK_UNKNOWN', task, `(module ${module} has no export ${name})`);
  h = fn as TaskHandler;
  handlers.set(key, h);
  return h;
}

async function dispatch(req: WorkerRequest): Promise<unknown> {
  const t0 = performance.now();
  Atomics.store(slots, req.slot, SlotState.Running);
  const transferList: ArrayBuffer[] = [];
  const ctx: TaskContext = {
    taskId: req.taskId,
    task: req.task,
    deadline: req.deadline,
    config: publicConfig,
    checkpoint() {
      if (Atomics.load(slots, req.slot) === SlotState.Cancelled) throw createError('HMP_ERR_ENGINE_ABORTED', req.task);
      if (Date.now() > req.deadline) throw createError('HMP_ERR_ENGINE_DEADLINE', req.task, req.timeoutMs);
    },
    transfer(...buffers) {
      for (const b of buffers) if (b instanceof ArrayBuffer && !transferList.includes(b)) transferList.push(b);
    },
  };
  let response: WorkerResponse;
  try {
    ctx.checkpoint(); // a task whose deadline passed while queued is dropped here
    const handler = await handlerFor(req.module, req.export, req.task);
    const result = await handler(req.payload, ctx);
    response = { taskId: req.taskId, ok: true, result, threadId, ms: performance.now() - t0 };
  } catch (err) {
    const error: SerializedError = serializeError(err, req.task);
    response = { taskId: req.taskId, ok: false, error, threadId, ms: performance.now() - t0 };
    transferList.length = 0;
  }
  if (transferList.length === 0) return response;
  return Piscina.move({ [Piscina.transferableSymbol]: transferList, [Piscina.valueSymbol]: response } as never);
}

await init();

export default dispatch;
