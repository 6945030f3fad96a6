/**
 * The only importer of onnxruntime-node. One InferenceSession per model per worker, created
 * lazily and cached; one intra-op thread each, so pool size x 1 thread <= cores.
 * @internal
 */
import * as ort from 'onnxruntime-node';
import { createErrorWith } from '../errors.js';
import { findModel } from './models.js';
import { registerSyncBackend, SYNC_BACKEND } from './ort-sync.js';

export { ort };

/** True when sessions run on hmp's immediate-run backend (`ort-sync.ts`), else onnxruntime-node's. */
export const SYNC_RUNS = registerSyncBackend();

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** Session options every hmp session uses: single-threaded, sequential, all graph optimisations. */
export const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = Object.freeze({
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  enableCpuMemArena: true,
  enableMemPattern: true,
  // Warnings such as unused initializers in converted graphs are noise in a server's log.
  logSeverityLevel: 3,
  // onnxruntime's CPU provider through hmp's backend: the same native session, without the
  // event-loop turn onnxruntime-node adds to every run (ort-sync.ts).
  ...(SYNC_RUNS ? { executionProviders: [SYNC_BACKEND] } : {}),
}) as ort.InferenceSession.SessionOptions;

/**
 * Returns the cached session for a model of the registry, creating it on first use.
 * @throws HMP_ERR_MODEL_UNKNOWN, HMP_ERR_MODEL_LOAD
 */
export function getSession(modelsDir: string, name: string): Promise<ort.InferenceSession> {
  const key = `${modelsDir}\0${name}`;
  let s = sessions.get(key);
  if (!s) {
    const entry = findModel(modelsDir, name);
    s = ort.InferenceSession.create(entry.path, { ...SESSION_OPTIONS }).catch((err: unknown) => {
      sessions.delete(key);
      throw createErrorWith('HMP_ERR_MODEL_LOAD', { cause: err }, name, (err as Error).message);
    });
    sessions.set(key, s);
  }
  return s;
}

/** Creates an uncached session from a file path (tools and benchmarks). */
export function createSessionFromFile(path: string, options: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, { ...SESSION_OPTIONS, ...options });
}

/** Runs a session, mapping failures to HMP_ERR_MODEL_RUN. */
export async function runSession(
  name: string,
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  try {
    return await session.run(feeds);
  } catch (err) {
    throw createErrorWith('HMP_ERR_MODEL_RUN', { cause: err }, name, (err as Error).message);
  }
}

/** Names of the models loaded in this thread. */
export function loadedModels(): string[] {
  return [...sessions.keys()].map((k) => k.split('\0')[1] ?? k);
}

/** Releases every cached session of this thread. */
export async function releaseSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.allSettled(all.map(async (p) => (await p).release()));
}
