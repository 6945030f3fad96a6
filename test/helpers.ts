import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The shared evaluation data (absent in a user's clone). */
export const EVAL = join(ROOT, '..', 'shared', 'eval');
export const HAS_EVAL = existsSync(EVAL);
export const TASKS_FIXTURE = join(ROOT, 'test', 'fixtures', 'tasks.mjs');

/** Test task definitions backed by test/fixtures/tasks.mjs. */
export function testTasks(): Record<string, { module: string; export: string }> {
  const names = ['block', 'stuck', 'cooperative', 'count', 'exit', 'throwLater', 'fail', 'whoami'];
  return Object.fromEntries(names.map((n) => [`test.${n}`, { module: TASKS_FIXTURE, export: n }]));
}

/** Shared Int32 slots for the fixture tasks. */
export function slots(): { sab: SharedArrayBuffer; a: Int32Array } {
  const sab = new SharedArrayBuffer(16);
  return { sab, a: new Int32Array(sab) };
}

/** Waits (without sleeping blindly) until slot i reaches at least n. */
export async function waitFor(a: Int32Array, i: number, n: number): Promise<void> {
  for (;;) {
    const v = Atomics.load(a, i);
    if (v >= n) return;
    const r = Atomics.waitAsync(a, i, v, 5000);
    if (r.async) await r.value;
  }
}

/** Releases every blocked fixture task. */
export function release(a: Int32Array): void {
  Atomics.store(a, 1, 1);
  Atomics.notify(a, 1);
}
