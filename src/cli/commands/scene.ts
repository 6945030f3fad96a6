/**
 * `hmp scene <images...|folder>`, `hmp scene train` and `hmp eval scene`.
 * @internal
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { Engine } from '../../engine/engine.js';
import { createError } from '../../errors.js';
import { defaultModelsDir } from '../../runtime/models.js';
import { getSceneKernels } from '../../runtime/scene-kernels.js';
import { createSceneSession, scoreSceneImage } from '../../tasks/scene/index.js';
import { loadSceneDataset } from '../../tasks/scene/dataset.js';
import { loadSceneModel, SCENE_MODEL_FILE } from '../../tasks/scene/model.js';
import { chooseThresholds, crossValidate, extractRecords, rocAuc, trainFinal, TRAIN_SPEC } from '../../tasks/scene/train.js';
import { evaluateScene, type SceneEvalReport } from '../../tasks/scene/evaluate.js';

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.gif', '.tif', '.tiff']);
const DEFAULT_DATA = resolve(defaultModelsDir(), '..', '..', 'shared', 'eval', 'scene');

/** Files in the order they are streamed: folders expand to their images in natural order. */
export function collectFrames(inputs: string[]): string[] {
  const out: string[] = [];
  const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);
  for (const p of inputs) {
    if (!existsSync(p)) throw createError('HMP_ERR_ARG_INVALID', 'an existing file or folder', 'input', p);
    if (statSync(p).isDirectory()) {
      const files = readdirSync(p).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort(natural);
      out.push(...files.map((f) => join(p, f)));
    } else out.push(p);
  }
  return out;
}

export const scene: Command = {
  name: ['scene'],
  summary: 'Watch frames for smoke, fire and camera tampering',
  help: `Usage: hmp scene <images...|folder> [--json] [--still] [--fps N]

Streams the frames in the order given (a folder: its images in natural order) through one scene
session and prints alarm events. With --json prints one JSON object per frame per line:
  {"file", "scores": {"fire", "smoke"}, "regions": [...], "events": [...]}
Regions are boxes [left, top, width, height] as fractions of the frame.

Options:
  --json       one JSON line per frame
  --still      score each image on its own (no stream state, no tamper, no alarms)
  --fps N      nominal frame rate of the stream, for alarm timing (default 5)
  -h, --help   show this help

See also: hmp scene train, hmp eval scene`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, still: { type: 'boolean' }, fps: { type: 'string' } }, strict: true });
    if (!positionals.length) throw createError('HMP_ERR_ARG_INVALID', 'at least one image or folder', 'input', 'nothing');
    const fps = values.fps === undefined ? 5 : Number(values.fps);
    if (!(fps > 0 && fps <= 120)) throw createError('HMP_ERR_ARG_RANGE', 'number in (0, 120]', '--fps', values.fps);
    const files = collectFrames(positionals);
    const engine = await Engine.create({ poolSize: 1 });
    try {
      const session = values.still ? null : await createSceneSession(engine, { id: 'cli', snapshot: false });
      for (let i = 0; i < files.length; i++) {
        const bytes = await readFile(files[i]);
        const file = files[i];
        if (session) {
          const r = await session.push(bytes, { timestamp: (i * 1000) / fps });
          if (values.json) process.stdout.write(JSON.stringify({ file, scores: r.scores, regions: r.regions, events: r.events, tamper: r.tamper }) + '\n');
          else for (const e of r.events) process.stdout.write(`${(r.timestamp / 1000).toFixed(1)}s ${basename(file)}: ${e.type} ${e.state} (confidence ${e.confidence})\n`);
        } else {
          const r = await scoreSceneImage(engine, bytes);
          if (values.json) process.stdout.write(JSON.stringify({ file, scores: r.scores, regions: r.regions, events: [] }) + '\n');
          else process.stdout.write(`${basename(file)}: fire ${r.scores.fire.toFixed(3)} smoke ${r.scores.smoke.toFixed(3)}${r.regions.length ? ` regions ${r.regions.map((g) => `${g.type}@${g.box.join(',')}`).join(' ')}` : ''}\n`);
        }
      }
      if (session && !values.json) process.stdout.write(`${files.length} frames; active at the end: ${session.active.join(', ') || 'none'}\n`);
      await session?.close();
    } finally {
      await engine.dispose();
    }
    return 0;
  },
};

export const sceneTrain: Command = {
  name: ['scene', 'train'],
  summary: 'Retrain the scene classifier (fire, smoke) from the eval set',
  help: `Usage: hmp scene train [--data DIR] [--out FILE] [--check]

Extracts block features of every frame (original, blurred and darkened copies), cross-validates
the frame models by source_group (5 folds), picks alarm thresholds from the out-of-fold scores,
trains the committed model on every fold but the test fold, and writes it (default
models/${SCENE_MODEL_FILE}). Deterministic: the same data gives the same bytes.

Options:
  --data DIR   folder laid out like ../shared/eval/scene (default ${DEFAULT_DATA})
  --out FILE   where to write the model
  --check      retrain and compare with the committed file; exit 1 if they differ
  -h, --help   show this help`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, out: { type: 'string' }, check: { type: 'boolean' } }, strict: true });
    const out = resolve(values.out ?? join(defaultModelsDir(), SCENE_MODEL_FILE));
    const samples = loadSceneDataset(values.data ?? DEFAULT_DATA);
    const log = (m: string) => process.stderr.write(`hmp scene train: ${m}\n`);
    const engine = await Engine.create({ poolSize: 2 });
    let text: string;
    try {
      const t0 = Date.now();
      const recs = await extractRecords(engine, samples, TRAIN_SPEC);
      log(`features of ${recs.length} frames in ${Date.now() - t0} ms`);
      const nb = TRAIN_SPEC.grid.bx * TRAIN_SPEC.grid.by;
      const cv = crossValidate(recs, nb, 5, log);
      const auc = (c: 'fire' | 'smoke') => rocAuc(recs.map((_, i) => cv.oof[i][0][c]), recs.map((r) => r.sample[c]));
      log(`cross-validated by group: fire AUC ${auc('fire').toFixed(4)}, smoke AUC ${auc('smoke').toFixed(4)}`);
      const th = chooseThresholds(recs, cv);
      log(`thresholds: fire ${th.fire}, smoke ${th.smoke}`);
      const model = trainFinal(recs, TRAIN_SPEC, th, log);
      text = JSON.stringify(model) + '\n';
      log(`done in ${Date.now() - t0} ms`);
    } finally {
      await engine.dispose();
    }
    if (values.check) {
      const old = existsSync(out) ? await readFile(out, 'utf8') : '';
      if (old === text) {
        process.stdout.write(`${out} reproduced byte for byte (${text.length} bytes)\n`);
        return 0;
      }
      process.stderr.write(`hmp scene train: ${out} differs from the retrained model (${old.length} vs ${text.length} bytes)\n`);
      return 1;
    }
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, text);
    process.stdout.write(`wrote ${out} (${text.length} bytes)\n`);
    return 0;
  },
};

function table(rows: (string | number | null)[][]): string {
  const s = rows.map((r) => r.map((c) => (c === null ? '-' : typeof c === 'number' ? (Number.isNaN(c) ? '-' : String(c)) : c)));
  const w = s[0].map((_, i) => Math.max(...s.map((r) => r[i].length)));
  return s.map((r, j) => '| ' + r.map((c, i) => c.padEnd(w[i])).join(' | ') + ' |' + (j === 0 ? '\n|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|' : '')).join('\n');
}

/** Markdown report of {@link evaluateScene}. */
export function formatSceneReport(r: SceneEvalReport): string {
  const out: string[] = [];
  out.push(`Frames ${r.frames} in ${r.groups} source groups; 5-fold cross-validation by group. Thresholds: fire ${r.thresholds.fire}, smoke ${r.thresholds.smoke}.\n`);
  out.push(`Frame-level ROC AUC (out of fold): fire ${r.auc.fire}, smoke ${r.auc.smoke}\n`);
  const mean = (k: 'fire' | 'smoke') => Math.round((r.splits.reduce((t, x) => t + x[k], 0) / r.splits.length) * 1000) / 1000;
  const range = (k: 'fire' | 'smoke') => `${Math.min(...r.splits.map((x) => x[k]))}-${Math.max(...r.splits.map((x) => x[k]))}`;
  out.push(`Over ${r.splits.length} group splits (seed 0 = the committed model's): fire ${r.splits.map((x) => x.fire).join(' ')} (mean ${mean('fire')}, ${range('fire')}); smoke ${r.splits.map((x) => x.smoke).join(' ')} (mean ${mean('smoke')}, ${range('smoke')})\n`);
  out.push(table([['category', 'frames', 'mean P(fire)', 'mean P(smoke)', 'fire AUC vs normal', 'smoke AUC vs normal', 'alarm-level frames'], ...r.perCategory.map((c) => [c.category, c.frames, c.meanFire, c.meanSmoke, c.fireAucVsNormal, c.smokeAucVsNormal, c.firedAtThreshold])]));
  out.push('\nPer video group (out of fold):\n');
  out.push(table([['group', 'frames', 'mean P(fire)', 'mean P(smoke)', 'frames detected'], ...r.perGroup.map((g) => [g.group, g.frames, g.fire, g.smoke, g.detected])]));
  const b = r.blur;
  out.push(`\nBlur and darkness (${b.normalFrames} normal frames, out of fold): frames at alarm level — original fire ${b.fpOrig.fire} / smoke ${b.fpOrig.smoke}; blurred fire ${b.fpBlur.fire} / smoke ${b.fpBlur.smoke}; darkened fire ${b.fpDark.fire} / smoke ${b.fpDark.smoke}. AUC positives vs blurred+darkened normals: fire ${b.aucPosVsBlurDark.fire}, smoke ${b.aucPosVsBlurDark.smoke}. AUC with every frame blurred: fire ${b.aucBlurredPositives.fire}, smoke ${b.aucBlurredPositives.smoke}.\n`);
  const l = r.localisation;
  out.push(`Localisation (committed block models, test fold: ${l.testGroups} groups, ${l.testFrames} frames): block AUC fire ${l.blockAuc.fire}, smoke ${l.blockAuc.smoke}; top block inside a labelled box: fire ${l.hitRate.fire}, smoke ${l.hitRate.smoke}.\n`);
  out.push(`Sequences: each *_mp4 group in index order, frame index i at i/2 s (2 fps nominal); seconds from the first labelled frame to the alarm:\n`);
  out.push(table([['group', 'frames', 'labels', 'fire alarm s', 'smoke alarm s', 'first alarm s', 'tamper alarms'], ...r.sequences.map((q) => [q.group, q.frames, q.classes, q.fire, q.smoke, q.firstAlarm, q.tamper.join(' ') || 'none'])]));
  const n = r.normalSequences;
  out.push(`\nNormal frames as ${n.seconds} s streams (${n.streams} streams each): still with sensor noise — fire/smoke alarms ${n.fireOrSmokeAlarms}, tamper alarms ${n.tamperAlarms}; the same without the motion requirement — fire/smoke alarms ${n.withoutMotionGate}; shaken by ±3 px every frame (motion present) — fire/smoke alarms ${n.shakenFireOrSmokeAlarms}, tamper alarms ${n.shakenTamperAlarms}.\n`);
  out.push('Tamper (4 s untouched, then 4 s tampered; latency from the tamper onset):\n');
  out.push(table([['kind', 'sequences', 'detected', 'median s', 'max s', 'other tamper type raised'], ...r.tamper.map((t) => [t.kind, t.sequences, t.detected, t.medianS, t.maxS, t.wrongType])]));
  return out.join('\n');
}

export const evalScene: Command = {
  name: ['eval', 'scene'],
  summary: 'Evaluate the scene monitor (AUC by group, sequences, tamper, blur check)',
  help: `Usage: hmp eval scene [--data DIR] [--json]

Cross-validates the fire/smoke frame models by source_group and prints: frame-level ROC AUC
(overall, per category, per video group), the blur/darkness check, localisation on the
committed model's test fold, every *_mp4 group replayed as a stream (index i at i/2 s; time to alarm), normal
frames as still streams (false alarms) and synthetic tamper sequences (cover, blind, defocus,
shift).

Options:
  --data DIR   folder laid out like ../shared/eval/scene (default ${DEFAULT_DATA})
  --json       print the report as JSON
  -h, --help   show this help`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
    const samples = loadSceneDataset(values.data ?? DEFAULT_DATA);
    const engine = await Engine.create({ poolSize: 2 });
    try {
      const model = loadSceneModel(engine.modelsDir);
      const k = await getSceneKernels();
      const t0 = Date.now();
      const r = await evaluateScene(engine, k, model, samples, (m) => process.stderr.write(`hmp eval scene: ${m} (${Date.now() - t0} ms)\n`));
      process.stdout.write(values.json ? JSON.stringify(r, null, 1) + '\n' : formatSceneReport(r) + '\n');
    } finally {
      await engine.dispose();
    }
    return 0;
  },
};
