/**
 * What the per-file CLI commands (`hmp scan`, `hmp faces`) share: listing a folder's images,
 * a progress bar, and running one file at a time per pool worker with output in input order.
 * @internal
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HmpError } from '../errors.js';

const IMAGE_EXT = /\.(jpe?g|png|gif|webp|bmp|tiff?)$/i;

/** Lists image files of a folder (recursively), sorted. */
export async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listImages(p)));
    else if (e.isFile() && IMAGE_EXT.test(e.name)) out.push(p);
  }
  return out;
}

/** A one-line progress bar on stderr (only when stderr is a terminal, so logs stay clean). */
export function progress(done: number, total: number, label = ''): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`.slice(0, (process.stderr.columns ?? 100) - 1).padEnd(Math.min(100, (process.stderr.columns ?? 100) - 1)));
  if (done === total) process.stderr.write('\n');
}

/**
 * Runs `one` over `files`, `concurrency` at a time (one per pool worker), and prints each file's
 * output to stdout in input order as soon as it and every file before it are done. A file whose
 * `one` throws prints an error line instead (`{file, error: {code, message}}` with `json`) and
 * counts as failed. `showProgress` draws the progress bar (folder runs).
 * @returns how many files failed
 */
export async function runOverFiles(files: readonly string[], concurrency: number, json: boolean, showProgress: boolean, one: (file: string) => Promise<string>): Promise<number> {
  const results: (string | undefined)[] = new Array(files.length);
  let next = 0;
  let printed = 0;
  let done = 0;
  let failed = 0;
  const flush = () => {
    while (printed < files.length && results[printed] !== undefined) process.stdout.write(results[printed++]!);
  };
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const file = files[i]!;
      let line: string;
      try {
        line = await one(file);
      } catch (err) {
        failed++;
        const e = err instanceof HmpError ? { code: err.code, message: err.message } : { code: 'HMP_ERR_ENGINE_INTERNAL', message: (err as Error).message };
        line = json ? JSON.stringify({ file, error: e }) + '\n' : `${file}: error ${e.code}: ${e.message}\n`;
      }
      results[i] = line;
      flush();
      if (showProgress) progress(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return failed;
}
