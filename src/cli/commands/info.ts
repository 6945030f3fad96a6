/**
 * `hmp info`: versions, cores, models and WASM features of this installation.
 * @internal
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { VERSION } from '../../version.js';
import { defaultModelsDir, loadManifest } from '../../runtime/models.js';

export const info: Command = {
  name: ['info'],
  summary: 'Print versions, cores, models and WASM features',
  help: `Usage: hmp info [--json]

Prints hmp's version, Node.js / onnxruntime / sharp / zxing-wasm versions, the machine's cores
and memory, the models in the registry and the WASM kernels' features.

Options:
  --json     machine-readable output
  -h, --help show this help`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, strict: true });
    const ort = await import('onnxruntime-node');
    const sharp = (await import('sharp')).default;
    const req = (await import('node:module')).createRequire(import.meta.url);
    let zxing = 'unknown';
    try { zxing = req('zxing-wasm/package.json').version; } catch { /* not installed */ }
    let wasm: Record<string, unknown> = { available: false };
    try {
      const { loadKernels } = (await import(String('../../runtime/wasm.js'))) as { loadKernels: () => Promise<{ features?: () => unknown }> };
      const k = await loadKernels();
      wasm = { available: true, ...(typeof k.features === 'function' ? (k.features() as object) : {}) };
    } catch (err) {
      wasm = { available: false, error: (err as Error).message };
    }
    const dir = defaultModelsDir();
    const models = loadManifest(dir).models.map((m) => ({ name: m.name, task: m.task, bytes: m.bytes, licence: m.licence }));
    const out = {
      hmp: VERSION,
      node: process.versions.node,
      onnxruntime: ort.env.versions?.common ?? 'unknown',
      sharp: sharp.versions.sharp,
      vips: sharp.versions.vips,
      zxingWasm: zxing,
      cores: availableParallelism(),
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      modelsDir: dir,
      models,
      wasm,
    };
    if (values.json) {
      process.stdout.write(JSON.stringify(out) + '\n');
    } else {
      for (const [k, v] of Object.entries(out)) {
        if (k === 'models') {
          process.stdout.write(`models: ${models.length}\n`);
          for (const m of models) process.stdout.write(`  ${m.name.padEnd(28)} ${m.task.padEnd(12)} ${String(m.bytes).padStart(10)} B  ${m.licence}\n`);
        } else {
          process.stdout.write(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
        }
      }
    }
    return 0;
  },
};
