/**
 * The scene eval set as laid out in ../shared/eval/scene: `<dir>/<set>/labels.csv` plus one
 * YOLO label file next to each image. Groups (`source_group`) are videos; folds are whole
 * groups so near-duplicate frames never sit on both sides of a split.
 * @internal
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createError } from '../../errors.js';

/** A YOLO box, normalised: class 0 = fire, 2 = smoke (1 = background frame, not a box). */
export interface LabelBox { cls: 'fire' | 'smoke'; cx: number; cy: number; w: number; h: number }

/** One labelled frame. */
export interface SceneSample {
  /** Path relative to the set folder. */
  file: string;
  /** Absolute path. */
  path: string;
  set: string;
  category: string;
  fire: boolean;
  smoke: boolean;
  group: string;
  /** Frame index inside its group's video (from `<group>-<index>_jpg`), or 0. */
  index: number;
  boxes: LabelBox[];
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '', q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Loads every set under `dir` that has a labels.csv (dir itself may be such a set).
 * Samples are sorted by (set, file) so every later step is order-stable.
 * @throws HMP_ERR_ARG_INVALID when no labels.csv is found
 */
export function loadSceneDataset(dir: string): SceneSample[] {
  const sets: string[] = [];
  if (existsSync(join(dir, 'labels.csv'))) sets.push(dir);
  else if (existsSync(dir) && statSync(dir).isDirectory()) {
    for (const e of readdirSync(dir).sort()) if (existsSync(join(dir, e, 'labels.csv'))) sets.push(join(dir, e));
  }
  if (!sets.length) throw createError('HMP_ERR_ARG_INVALID', 'a folder containing labels.csv (or sub-folders that do)', '--data', dir);
  const out: SceneSample[] = [];
  for (const setDir of sets) {
    const set = setDir.split('/').filter(Boolean).pop() ?? setDir;
    const lines = readFileSync(join(setDir, 'labels.csv'), 'utf8').split(/\r?\n/).filter((l) => l.trim());
    const head = parseCsvLine(lines[0]);
    const col = (n: string) => head.indexOf(n);
    for (const line of lines.slice(1)) {
      const c = parseCsvLine(line);
      const file = c[col('file')];
      const path = join(setDir, file);
      const boxes: LabelBox[] = [];
      const txt = path.replace(/\.[^.]+$/, '.txt');
      if (existsSync(txt)) {
        for (const l of readFileSync(txt, 'utf8').split(/\r?\n/)) {
          const p = l.trim().split(/\s+/).map(Number);
          if (p.length < 5 || p.some((v) => !Number.isFinite(v))) continue;
          if (p[0] === 0 || p[0] === 2) boxes.push({ cls: p[0] === 0 ? 'fire' : 'smoke', cx: p[1], cy: p[2], w: p[3], h: p[4] });
        }
      }
      const m = /-(\d+)_jpg/.exec(file);
      out.push({
        file, path, set,
        category: c[col('category')],
        fire: c[col('has_fire')] === '1',
        smoke: c[col('has_smoke')] === '1',
        group: c[col('source_group')],
        index: m ? Number(m[1]) : 0,
        boxes,
      });
    }
  }
  out.sort((a, b) => (a.set === b.set ? (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) : a.set < b.set ? -1 : 1));
  return out;
}

/**
 * Assigns whole groups to `k` folds: groups sorted by size (desc) then name, each placed in
 * the fold with the fewest frames of its dominant category so far (ties: lowest fold), so
 * every fold gets fire, smoke and normal groups. Deterministic; returns group -> fold.
 *
 * `seed` 0 (the default) is the split the committed model records. Another seed orders groups
 * of the same size by a seeded hash of their names instead, giving another group split with
 * the same balancing, so an evaluation can show how much the figures depend on the split.
 */
export function assignFolds(samples: SceneSample[], k: number, seed = 0): Map<string, number> {
  const groups = new Map<string, SceneSample[]>();
  for (const s of samples) {
    const g = groups.get(s.group);
    if (g) g.push(s); else groups.set(s.group, [s]);
  }
  const kind = (ss: SceneSample[]) => {
    const f = ss.filter((s) => s.fire).length, sm = ss.filter((s) => s.smoke).length, nn = ss.filter((s) => !s.fire && !s.smoke).length;
    return f >= sm && f >= nn ? 0 : sm >= nn ? 1 : 2;
  };
  const key = (name: string) => {
    // FNV-1a of name + seed: a fixed, platform-independent order per seed.
    let h = 2166136261;
    for (const ch of `${name}${seed}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    return h >>> 0;
  };
  const order = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || (seed === 0 ? (a[0] < b[0] ? -1 : 1) : key(a[0]) - key(b[0]) || (a[0] < b[0] ? -1 : 1)));
  const load = Array.from({ length: k }, () => [0, 0, 0]);
  const total = new Array<number>(k).fill(0);
  const out = new Map<string, number>();
  for (const [name, ss] of order) {
    const t = kind(ss);
    let best = 0;
    for (let f = 1; f < k; f++) {
      if (load[f][t] < load[best][t] || (load[f][t] === load[best][t] && total[f] < total[best])) best = f;
    }
    load[best][t] += ss.length;
    total[best] += ss.length;
    out.set(name, best);
  }
  return out;
}

/**
 * Block labels for one class: 1 if boxes of that class cover at least 20% of the block or
 * half of a box lies in it, 0 if no box touches it, -1 (ignored in training) otherwise.
 */
export function blockLabels(boxes: LabelBox[], cls: 'fire' | 'smoke', bx: number, by: number): Int8Array {
  const out = new Int8Array(bx * by);
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      const x0 = i / bx, x1 = (i + 1) / bx, y0 = j / by, y1 = (j + 1) / by;
      let cover = 0, touch = false, half = false;
      for (const b of boxes) {
        if (b.cls !== cls) continue;
        const ox = Math.min(x1, b.cx + b.w / 2) - Math.max(x0, b.cx - b.w / 2);
        const oy = Math.min(y1, b.cy + b.h / 2) - Math.max(y0, b.cy - b.h / 2);
        if (ox <= 0 || oy <= 0) continue;
        touch = true;
        cover += ox * oy;
        if (ox * oy >= 0.5 * b.w * b.h) half = true;
      }
      const area = (x1 - x0) * (y1 - y0);
      out[j * bx + i] = cover >= 0.2 * area || half ? 1 : touch ? -1 : 0;
    }
  }
  return out;
}
