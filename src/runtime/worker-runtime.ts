/**
 * Per-worker runtime setup: thread budgets for native libraries and model preloading.
 * @internal
 */
import sharp from 'sharp';
import { getSession, loadedModels } from './onnx.js';

let modelsDir = '';

/** Called once per worker before any task runs. */
export function configureRuntime(config: { modelsDir: string }): void {
  modelsDir = config.modelsDir;
  // One libvips thread per worker: pool size x 1 x 1 <= cores.
  sharp.concurrency(1);
  sharp.cache(false);
}

/** Loads the named models into this worker's session cache; returns what is loaded. */
export async function preloadModels(names: string[]): Promise<string[]> {
  for (const n of names) await getSession(modelsDir, n);
  return loadedModels();
}
