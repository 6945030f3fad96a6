/**
 * `hmp scan <image|folder>`: decode barcodes in an image or every image of a folder.
 * @internal
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { Engine } from '../../engine/engine.js';
import { listImages, runOverFiles } from '../files.js';
import { scanCode, type ScanCodeOptions } from '../../tasks/barcode/index.js';

export const scan: Command = {
  name: ['scan'],
  summary: 'Decode barcodes and QR codes in an image or a folder of images',
  help: `Usage: hmp scan <image|folder> [options]

Decodes every barcode in the image (or in each image of the folder, recursively) with the
robustness ladder, like wx.scanCode.

Options:
  --json             one JSON object per image per line:
                     {"file","codes":[{"format","scanType","text","bytes","position",...}],"ms"}
                     (a file that fails prints {"file","error":{"code","message"}})
  --formats LIST     comma-separated formats (QR_CODE,EAN_13 or QRCode,EAN13 or barCode,qrCode)
  --budget-ms N      time budget of the robustness ladder per image (default 400; 0 = fast pass only)
  --no-ladder        fast pass only
  --pool N           worker threads (default: cores)
  -h, --help         show this help

Exit status: 0 if every file was read (codes or not), 1 if any file failed, 2 on bad usage.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        formats: { type: 'string' },
        'budget-ms': { type: 'string' },
        'no-ladder': { type: 'boolean' },
        pool: { type: 'string' },
      },
    });
    if (positionals.length !== 1) {
      process.stderr.write(`hmp scan: expected one image or folder\n\n${scan.help}\n`);
      return 2;
    }
    const target = positionals[0]!;
    const options: ScanCodeOptions = {};
    if (values.formats !== undefined) options.formats = values.formats.split(',').map((s) => s.trim()).filter(Boolean);
    if (values['budget-ms'] !== undefined) options.budgetMs = Number(values['budget-ms']);
    if (values['no-ladder']) options.ladder = false;
    const isDir = (await stat(target)).isDirectory();
    const files = isDir ? await listImages(target) : [target];
    const engine = await Engine.create({
      verifyModels: false,
      ...(values.pool !== undefined ? { poolSize: Number(values.pool) } : {}),
    });
    let failed = 0;
    try {
      // Validate options once before reading any file, so a typo fails fast with its code.
      if (files.length > 0) await scanCode(engine, { data: new Uint8Array(1), width: 1, height: 1, format: 'gray' }, options);
      failed = await runOverFiles(files, engine.options.poolSize, Boolean(values.json), isDir, async (file) => {
        const r = await scanCode(engine, await readFile(file), options);
        return values.json
          ? JSON.stringify({ file, codes: r.codes, ms: r.ms }) + '\n'
          : r.codes.length === 0
            ? `${file}: no code (${r.ms} ms)\n`
            : r.codes.map((c) => `${file}: ${c.scanType} ${JSON.stringify(c.text)} [${c.pass}] (${r.ms} ms)`).join('\n') + '\n';
      });
    } finally {
      await engine.dispose();
    }
    return failed > 0 ? 1 : 0;
  },
};
