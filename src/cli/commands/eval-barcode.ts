/**
 * `hmp eval barcode`: scores hmp (and zxing-wasm called once with default options, the
 * baseline) on ZXing's black-box suite the way `zxing_testspec/expectations.json` describes.
 * @internal
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { Command } from '../command.js';
import { Engine } from '../../engine/engine.js';
import { scanCode, type ScanCodeOptions } from '../../tasks/barcode/index.js';
import { emptyTally, listImages, loadSpec, MULTI_EXPECTATIONS, percentile, score, type FolderSpec, type Scored, type Tally } from '../../tasks/barcode/eval.js';
import { rotate90, toGray, type Gray } from '../../tasks/barcode/image.js';
import { toCode } from '../../tasks/barcode/result.js';
import { CANDIDATE_PASSES, PASSES, runPass, type Pass } from '../../tasks/barcode/ladder.js';
import { isExpected } from '../../tasks/barcode/eval.js';
import { loadZxing, readBarcodesDefault } from '../../runtime/zxing.js';
import { getEnhanceKernels } from '../../runtime/enhance-kernels.js';
import { appendFileSync, writeFileSync } from 'node:fs';
import { progress } from '../files.js';

/** Default data folder: `../shared/eval/barcode` next to the package root. */
export function defaultBarcodeData(): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  return join(root, '..', 'shared', 'eval', 'barcode');
}

/** One row of the table. */
export interface EvalRow {
  folder: string;
  format: string | undefined;
  rotation: number;
  images: number;
  mustPass?: number;
  tryHarderPass?: number;
  maxMisreads?: number;
  maxAllowedFalsePositives?: number;
  hmp: Tally;
  baseline?: Tally;
  /** hmp meets tryHarderPass (positives) or the false-positive limit (negatives). */
  met: boolean;
  baselineMet?: boolean;
}

export interface EvalReport {
  rows: EvalRow[];
  multi: { folder: string; expected: number; hmp: number; baseline?: number }[];
  options: ScanCodeOptions;
}

/** Decodes an image file to luminance the way ZXing's tests see it (fully transparent = white). */
async function loadGray(file: string): Promise<Gray> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return toGray(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, 'rgba');
}

function grayToRgba(g: Gray): { data: Uint8ClampedArray; width: number; height: number } {
  const out = new Uint8ClampedArray(g.width * g.height * 4);
  for (let i = 0, j = 0; i < g.data.length; i++, j += 4) {
    const v = g.data[i]!;
    out[j] = v; out[j + 1] = v; out[j + 2] = v; out[j + 3] = 255;
  }
  return { data: out, width: g.width, height: g.height };
}

/** zxing-wasm with default options, its results in hmp's conventions (for scoring only). */
async function baselineScan(g: Gray): Promise<{ codes: Scored[]; ms: number }> {
  const rgba = grayToRgba(g);
  const t0 = performance.now();
  const rs = await readBarcodesDefault(rgba);
  const ms = performance.now() - t0;
  return { codes: rs.map((r) => toCode(r, undefined, 'baseline', (p) => p)), ms };
}

/**
 * Runs the evaluation. `rotations` filters the spec's rotations; `baseline` also runs
 * zxing-wasm default on the same pixels.
 */
export async function runBarcodeEval(opts: {
  data: string;
  rotations: number[];
  folders?: string[];
  baseline: boolean;
  scan: ScanCodeOptions;
  engine: Engine;
  onProgress?: (done: number, total: number, label: string) => void;
}): Promise<EvalReport> {
  const specs = loadSpec(opts.data).filter((s) => !opts.folders || opts.folders.includes(s.folder));
  const rows: EvalRow[] = [];
  const work: { spec: FolderSpec; rotation: number }[] = [];
  for (const s of specs) for (const t of s.tests) if (opts.rotations.includes(t.rotation)) work.push({ spec: s, rotation: t.rotation });
  const total = specs.reduce((n, s) => n + listImages(opts.data, s.folder).length, 0);
  let done = 0;
  for (const spec of specs) {
    const tests = spec.tests.filter((t) => opts.rotations.includes(t.rotation));
    if (tests.length === 0) { done += listImages(opts.data, spec.folder).length; continue; }
    const folderRows = tests.map((t) => ({
      folder: spec.folder,
      format: spec.format,
      rotation: t.rotation,
      images: 0,
      ...(t.mustPass !== undefined ? { mustPass: t.mustPass } : {}),
      ...(t.tryHarderPass !== undefined ? { tryHarderPass: t.tryHarderPass } : {}),
      ...(t.maxTryHarderMisreads !== undefined ? { maxMisreads: t.maxTryHarderMisreads } : {}),
      ...(t.maxAllowedFalsePositives !== undefined ? { maxAllowedFalsePositives: t.maxAllowedFalsePositives } : {}),
      hmp: emptyTally(),
      ...(opts.baseline ? { baseline: emptyTally() } : {}),
      met: false,
    })) as EvalRow[];
    const images = listImages(opts.data, spec.folder);
    // Images of a folder run concurrently (the pool has several workers); the baseline runs
    // on this thread meanwhile, on the same pixels.
    const queue = [...images];
    const runOne = async () => {
      for (let img = queue.shift(); img; img = queue.shift()) {
        const g0 = await loadGray(img.file);
        for (const row of folderRows) {
          const g = rotate90(g0, row.rotation as 0 | 90 | 180 | 270);
          const base = opts.baseline ? await baselineScan(g) : undefined;
          const frame = { data: new Uint8Array(g.data), width: g.width, height: g.height, format: 'gray' as const };
          const r = await scanCode(opts.engine, frame, opts.scan);
          score(row.hmp, spec, img, r.codes, r.ms);
          if (base && row.baseline) score(row.baseline, spec, img, base.codes, base.ms);
        }
        opts.onProgress?.(++done, total, spec.folder);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.engine.options.poolSize) }, runOne));
    for (const row of folderRows) {
      row.images = row.hmp.images;
      const meets = (t: Tally) => (spec.negative ? t.falsePositives <= (row.maxAllowedFalsePositives ?? 0) : t.correct >= (row.tryHarderPass ?? 0));
      row.met = meets(row.hmp);
      if (row.baseline) row.baselineMet = meets(row.baseline);
      rows.push(row);
    }
  }
  const multi: EvalReport['multi'] = [];
  for (const m of MULTI_EXPECTATIONS) {
    const file = join(opts.data, 'zxing', m.folder, m.file);
    if (!existsSync(file) || !opts.rotations.includes(0)) continue;
    const g = await loadGray(file);
    const count = (codes: Scored[]) => m.codes.filter((e) => codes.some((c) => c.scanType === e.scanType && c.text === e.text)).length;
    const r = await scanCode(opts.engine, { data: new Uint8Array(g.data), width: g.width, height: g.height, format: 'gray' }, opts.scan);
    const entry: EvalReport['multi'][number] = { folder: m.folder, expected: m.codes.length, hmp: count(r.codes) };
    if (opts.baseline) entry.baseline = count((await baselineScan(g)).codes);
    multi.push(entry);
  }
  return { rows, multi, options: opts.scan };
}

/** One image at one rotation, every pass's outcome (see {@link runPassData}). */
export interface PassRecord {
  folder: string;
  rotation: number;
  stem: string;
  negative: boolean;
  width: number;
  height: number;
  /** Pass name → outcome: ms, decoded keys (`scanType|text`), whether the expected code is among them. */
  passes: Record<string, { ms: number; keys: string[]; ok: boolean; linear: boolean[]; lineCount: number[]; box: number[][] }>;
}

/**
 * Per-pass data for tuning the ladder: runs the fast pass on every image and rotation and,
 * where it returns nothing (where the ladder would go on), every other pass of the ladder and
 * of {@link CANDIDATE_PASSES}, recording each one's outcome and time. In this thread, one image
 * at a time, so the times are comparable across passes. Writes one JSON line per image.
 */
export async function runPassData(opts: { data: string; rotations: number[]; folders?: string[]; out: string; all?: boolean; only?: string[]; onProgress?: (done: number, total: number, label: string) => void }): Promise<void> {
  await loadZxing();
  const enh = await getEnhanceKernels();
  const specs = loadSpec(opts.data).filter((s) => !opts.folders || opts.folders.includes(s.folder));
  const total = specs.reduce((n, s) => n + listImages(opts.data, s.folder).length, 0);
  const passes: Pass[] = [...PASSES, ...CANDIDATE_PASSES].filter((p) => p.name === 'fast' || p.name === 'quick' || !opts.only || opts.only.includes(p.name));
  const cfg = { readerFormats: [] as string[], maxCodes: 16, eanAddOn: 'Read' as const };
  writeFileSync(opts.out, '');
  let done = 0;
  for (const spec of specs) {
    for (const img of listImages(opts.data, spec.folder)) {
      const g0 = await loadGray(img.file);
      for (const t of spec.tests) {
        if (!opts.rotations.includes(t.rotation)) continue;
        const g = rotate90(g0, t.rotation);
        const rec: PassRecord = { folder: spec.folder, rotation: t.rotation, stem: img.stem, negative: spec.negative, width: g.width, height: g.height, passes: {} };
        for (const pass of passes) {
          const t0 = performance.now();
          const out = runPass(g, pass, cfg, enh);
          const ms = performance.now() - t0;
          if (!out) continue;
          const codes = out.results.map((r) => toCode(r, undefined, pass.name, out.view.map));
          rec.passes[pass.name] = {
            ms: Math.round(ms * 10) / 10,
            keys: codes.map((c) => `${c.scanType}|${c.text}`),
            ok: !spec.negative && codes.some((c) => isExpected(c, spec.format, img)),
            lineCount: codes.map((c) => c.lineCount),
            box: codes.map((c) => { const xs = Object.values(c.position).map((p) => p.x), ys = Object.values(c.position).map((p) => p.y); return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]; }),
            linear: codes.map((c) => ['EAN_13', 'EAN_8', 'UPC_A', 'UPC_E', 'CODE_128', 'CODE_39', 'CODE_93', 'CODABAR', 'ITF', 'RSS_14', 'RSS_EXPANDED', 'RSS_LIMITED'].includes(c.scanType)),
          };
          if (!pass.weak && codes.length > 0 && !opts.all) break;
        }
        appendFileSync(opts.out, JSON.stringify(rec) + '\n');
      }
      opts.onProgress?.(++done, total, spec.folder);
    }
  }
}

/** Markdown table per folder and rotation, then totals per rotation. */
export function formatReport(rep: EvalReport): string {
  const hasBase = rep.rows.some((r) => r.baseline);
  const lines: string[] = [];
  lines.push(`| folder | rot | images | mustPass | tryHarderPass | hmp ok | hmp misreads/FP |${hasBase ? ' zxing-wasm ok | zxing-wasm misreads/FP |' : ''} met |`);
  lines.push(`|---|---:|---:|---:|---:|---:|---:|${hasBase ? '---:|---:|' : ''}:-:|`);
  for (const r of rep.rows) {
    const neg = r.maxAllowedFalsePositives !== undefined;
    const bad = (t: Tally) => (neg ? `${t.falsePositives} FP (≤${r.maxAllowedFalsePositives})` : String(t.misreads));
    lines.push(
      `| ${r.folder} | ${r.rotation} | ${r.images} | ${r.mustPass ?? '-'} | ${r.tryHarderPass ?? '-'} | ${neg ? '-' : r.hmp.correct} | ${bad(r.hmp)} |` +
        (hasBase && r.baseline ? ` ${neg ? '-' : r.baseline.correct} | ${bad(r.baseline)} |` : '') +
        ` ${r.met ? 'yes' : '**no**'}${hasBase ? (r.baselineMet ? '' : ' (zxing-wasm: no)') : ''} |`,
    );
  }
  lines.push('');
  lines.push(`| rotation | folders met (hmp) |${hasBase ? ' folders met (zxing-wasm) |' : ''} codes (hmp) |${hasBase ? ' codes (zxing-wasm) |' : ''} misreads (hmp) |${hasBase ? ' misreads (zxing-wasm) |' : ''} false positives (hmp) |${hasBase ? ' false positives (zxing-wasm) |' : ''} p50 / p95 ms (hmp) |${hasBase ? ' p50 / p95 ms (zxing-wasm) |' : ''}`);
  lines.push(`|---:|---:|${hasBase ? '---:|' : ''}---:|${hasBase ? '---:|' : ''}---:|${hasBase ? '---:|' : ''}---:|${hasBase ? '---:|' : ''}---:|${hasBase ? '---:|' : ''}`);
  for (const rot of [...new Set(rep.rows.map((r) => r.rotation))].sort((a, b) => a - b)) {
    const rs = rep.rows.filter((r) => r.rotation === rot);
    const pos = rs.filter((r) => r.maxAllowedFalsePositives === undefined);
    const neg = rs.filter((r) => r.maxAllowedFalsePositives !== undefined);
    const sum = (f: (r: EvalRow) => number) => rs.reduce((n, r) => n + f(r), 0);
    const ms = (f: (r: EvalRow) => number[] | undefined) => rs.flatMap((r) => f(r) ?? []);
    const p = (xs: number[]) => `${percentile(xs, 50).toFixed(1)} / ${percentile(xs, 95).toFixed(1)}`;
    lines.push(
      `| ${rot} | ${pos.filter((r) => r.met).length}/${pos.length} |` +
        (hasBase ? ` ${pos.filter((r) => r.baselineMet).length}/${pos.length} |` : '') +
        ` ${sum((r) => r.hmp.correct)} |` + (hasBase ? ` ${sum((r) => r.baseline?.correct ?? 0)} |` : '') +
        ` ${pos.reduce((n, r) => n + r.hmp.misreads, 0)} |` + (hasBase ? ` ${pos.reduce((n, r) => n + (r.baseline?.misreads ?? 0), 0)} |` : '') +
        ` ${neg.reduce((n, r) => n + r.hmp.falsePositives, 0)} |` + (hasBase ? ` ${neg.reduce((n, r) => n + (r.baseline?.falsePositives ?? 0), 0)} |` : '') +
        ` ${p(ms((r) => r.hmp.ms))} |` + (hasBase ? ` ${p(ms((r) => r.baseline?.ms))} |` : ''),
    );
  }
  if (rep.multi.length > 0) {
    lines.push('');
    for (const m of rep.multi) lines.push(`- ${m.folder}: hmp ${m.hmp}/${m.expected} codes${m.baseline !== undefined ? `, zxing-wasm ${m.baseline}/${m.expected}` : ''}`);
  }
  return lines.join('\n');
}

export const evalBarcode: Command = {
  name: ['eval', 'barcode'],
  summary: 'Score barcode decoding on ZXing\'s black-box suite (per folder, per rotation)',
  help: `Usage: hmp eval barcode [options]

Scores hmp's scanCode on a folder laid out like ../shared/eval/barcode (zxing/<folder>/ images
with .txt/.bin expectations, zxing_testspec/expectations.json) exactly as expectations.json
describes: per folder and rotation, images decoded correctly vs mustPass / tryHarderPass,
misreads, and false positives on the negative folders. Prints a markdown table.

Options:
  --data DIR          data folder (default: ../shared/eval/barcode next to the package)
  --rotations LIST    comma-separated rotations to run (default: 0,90,180,270)
  --folders LIST      only these folders
  --baseline          also score zxing-wasm called once with default options, on the same pixels
  --budget-ms N       ladder budget per image (default 400)
  --no-ladder         fast pass only
  --pool N            worker threads (default: cores)
  --json              print the full report as JSON instead of the table
  --pass-data FILE    instead of scoring: run every ladder pass (and candidate passes) on each
                      image the fast pass finds nothing in, in this thread, and write one JSON
                      line per image and rotation to FILE (ladder tuning data)
  --only LIST         with --pass-data: only these passes (plus fast)
  -h, --help          show this help

Exit status: 0 if every folder meets tryHarderPass and its false-positive limit, 1 otherwise.`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        data: { type: 'string' },
        rotations: { type: 'string' },
        folders: { type: 'string' },
        baseline: { type: 'boolean' },
        'budget-ms': { type: 'string' },
        'no-ladder': { type: 'boolean' },
        pool: { type: 'string' },
        json: { type: 'boolean' },
        'pass-data': { type: 'string' },
        only: { type: 'string' },
      },
    });
    const data = values.data ?? defaultBarcodeData();
    if (!existsSync(join(data, 'zxing_testspec', 'expectations.json'))) {
      process.stderr.write(`hmp eval barcode: no zxing_testspec/expectations.json under ${data}\n`);
      return 2;
    }
    const rotations = (values.rotations ?? '0,90,180,270').split(',').map(Number);
    if (values['pass-data'] !== undefined) {
      await runPassData({ data, rotations, ...(values.folders ? { folders: values.folders.split(',') } : {}), out: values['pass-data'], ...(values.only ? { only: values.only.split(',') } : {}), onProgress: (d, t, l) => progress(d, t, l) });
      return 0;
    }
    const scan: ScanCodeOptions = {};
    if (values['budget-ms'] !== undefined) scan.budgetMs = Number(values['budget-ms']);
    if (values['no-ladder']) scan.ladder = false;
    const engine = await Engine.create({ verifyModels: false, ...(values.pool !== undefined ? { poolSize: Number(values.pool) } : {}) });
    try {
      const rep = await runBarcodeEval({
        data,
        rotations,
        ...(values.folders ? { folders: values.folders.split(',') } : {}),
        baseline: values.baseline ?? false,
        scan,
        engine,
        onProgress: (d, t, l) => progress(d, t, l),
      });
      process.stdout.write((values.json ? JSON.stringify(rep) : formatReport(rep)) + '\n');
      return rep.rows.every((r) => r.met) ? 0 : 1;
    } finally {
      await engine.dispose();
    }
  },
};
