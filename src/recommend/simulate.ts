/**
 * A deterministic audience simulation with hidden per-segment click-through rates, to measure
 * what the bandit learns: click-through of the bandit against random choice and against
 * targeting alone, over the same stream of viewers. Used by bench/recommend.ts and its test.
 *
 * World (all drawn from `seed`): `items` catalog items, each targeting 2-3 age bands and
 * sometimes one gender. A viewer's hidden rate for an item is 2-6% inside its targeting,
 * 0.5-2% outside, and each segment has one favourite among the items targeting it at 12-20%.
 * Each impression shows one item to an audience of one viewer (70%) or two (30%); the
 * audience clicks with the mean of its viewers' rates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/types.js';
import { segmentKey } from './audience.js';
import { matchTargeting } from './catalog.js';
import { Rng } from './random.js';
import { Recommender } from './service.js';
import { AGE_BANDS, GENDERS, type CatalogItem } from './types.js';

export interface SimulationOptions {
  /** Impressions per policy. Default 20000. */
  impressions?: number;
  /** Catalog size. Default 24. */
  items?: number;
  /** Seed of the world, the viewers and the bandit. Default 42. */
  seed?: number;
  /** Store for the bandit run. Default: a temporary SQLite directory, removed afterwards. */
  store?: Store;
}

export interface PolicyResult {
  impressions: number;
  clicks: number;
  ctr: number;
  /** Click-through over the last quarter of impressions (after learning). */
  ctrLastQuarter: number;
}

export interface SimulationResult {
  seed: number;
  impressions: number;
  items: number;
  random: PolicyResult;
  targeting: PolicyResult;
  bandit: PolicyResult;
  /** Best possible: the item with the highest hidden rate for each audience. */
  oracle: PolicyResult;
  /** bandit CTR / random CTR. */
  liftOverRandom: number;
  /** bandit CTR / targeting-only CTR. */
  liftOverTargeting: number;
  ms: number;
}

const SEGMENTS = AGE_BANDS.flatMap((b) => GENDERS.map((g) => segmentKey(b, g)));

interface World {
  catalog: CatalogItem[];
  rate: Map<string, number>; // `${itemId}/${segment}`
  segmentMix: number[];
}

function buildWorld(nItems: number, rng: Rng): World {
  const catalog: CatalogItem[] = [];
  const rate = new Map<string, number>();
  for (let i = 0; i < nItems; i++) {
    const start = rng.int(AGE_BANDS.length - 1);
    const bands = AGE_BANDS.slice(start, start + 2 + rng.int(2));
    const gender = rng.next() < 0.3 ? GENDERS[rng.int(2)] : undefined;
    const item: CatalogItem = {
      id: `item${String(i).padStart(2, '0')}`,
      kind: 'miniProgram',
      title: `Item ${i}`,
      appId: `wx${(0x1000 + i).toString(16).padStart(16, '0')}`,
      targeting: { ageBands: [...bands], ...(gender ? { genders: [gender] } : {}) },
    };
    catalog.push(item);
    for (const s of SEGMENTS) {
      const inside = matchTargeting(item, { [s]: 1 }, { hour: 12 }, 0, 0.5).eligible;
      rate.set(`${item.id}/${s}`, inside ? 0.02 + 0.04 * rng.next() : 0.005 + 0.015 * rng.next());
    }
  }
  for (const s of SEGMENTS) {
    const eligible = catalog.filter((it) => matchTargeting(it, { [s]: 1 }, { hour: 12 }, 0, 0.5).eligible);
    if (eligible.length > 0) rate.set(`${eligible[rng.int(eligible.length)]!.id}/${s}`, 0.12 + 0.08 * rng.next());
  }
  // Uneven traffic: some segments pass the screen far more often than others.
  const segmentMix = SEGMENTS.map(() => 0.2 + rng.next());
  return { catalog, rate, segmentMix };
}

function drawSegment(w: World, rng: Rng): string {
  const total = w.segmentMix.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < SEGMENTS.length; i++) {
    u -= w.segmentMix[i]!;
    if (u <= 0) return SEGMENTS[i]!;
  }
  return SEGMENTS[SEGMENTS.length - 1]!;
}

function audienceRate(w: World, itemId: string, viewers: string[]): number {
  return viewers.reduce((a, s) => a + w.rate.get(`${itemId}/${s}`)!, 0) / viewers.length;
}

function tally(clicks: boolean[]): PolicyResult {
  const n = clicks.length;
  const c = clicks.filter(Boolean).length;
  const tail = clicks.slice(Math.floor((n * 3) / 4));
  return { impressions: n, clicks: c, ctr: c / n, ctrLastQuarter: tail.filter(Boolean).length / tail.length };
}

/**
 * Runs the four policies over the same viewer stream and click draws.
 * @example await simulate({ impressions: 20000, seed: 42 }) // { liftOverRandom: 3.1, liftOverTargeting: 1.9, ... }
 */
export async function simulate(options: SimulationOptions = {}): Promise<SimulationResult> {
  const t0 = performance.now();
  const n = options.impressions ?? 20000;
  const nItems = options.items ?? 24;
  const seed = options.seed ?? 42;
  const world = buildWorld(nItems, new Rng(seed));
  // One viewer stream and one uniform per impression for the click, shared by all policies,
  // so differences come from the choices alone.
  const streamRng = new Rng(seed + 1);
  const stream = Array.from({ length: n }, () => {
    const viewers = [drawSegment(world, streamRng)];
    if (streamRng.next() < 0.3) viewers.push(drawSegment(world, streamRng));
    return { viewers, u: streamRng.next() };
  });
  const segmentsOf = (viewers: string[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const s of viewers) out[s] = (out[s] ?? 0) + 1 / viewers.length;
    return out;
  };
  const eligibleFor = (viewers: string[]): CatalogItem[] => world.catalog.filter((it) => matchTargeting(it, segmentsOf(viewers), { hour: 12 }, 0, 0.5).eligible);

  const pick = new Rng(seed + 2);
  const random = tally(stream.map((s) => s.u < audienceRate(world, world.catalog[pick.int(world.catalog.length)]!.id, s.viewers)));
  const targeting = tally(
    stream.map((s) => {
      const el = eligibleFor(s.viewers);
      const pool = el.length > 0 ? el : world.catalog;
      return s.u < audienceRate(world, pool[pick.int(pool.length)]!.id, s.viewers);
    }),
  );
  const oracle = tally(stream.map((s) => s.u < Math.max(...world.catalog.map((it) => audienceRate(world, it.id, s.viewers)))));

  let dir: string | undefined;
  let store = options.store;
  if (!store) {
    dir = mkdtempSync(join(tmpdir(), 'hmp-sim-'));
    store = await SqliteStore.open({ dir });
  }
  let rec: Recommender | undefined;
  try {
    // Noon UTC: hour targeting plays no part in this world.
    rec = await Recommender.create({ store, seed: seed + 3, now: () => Date.UTC(2026, 0, 1, 12), context: { utcOffsetMinutes: 0 } });
    await rec.importCatalog({ version: 1, items: world.catalog });
    const clicks: boolean[] = [];
    for (const s of stream) {
      const r = await rec.recommend({ audience: { segments: segmentsOf(s.viewers) }, slots: 1 });
      const top = r.items[0];
      if (!top) {
        // Nothing eligible: the screen shows a random item, like the other policies.
        clicks.push(s.u < audienceRate(world, world.catalog[pick.int(world.catalog.length)]!.id, s.viewers));
        continue;
      }
      const clicked = s.u < audienceRate(world, top.itemId, s.viewers);
      await rec.reportFeedback({ recommendationId: r.recommendationId, itemId: top.itemId, event: 'impression' });
      if (clicked) await rec.reportFeedback({ recommendationId: r.recommendationId, itemId: top.itemId, event: 'click' });
      clicks.push(clicked);
    }
    const bandit = tally(clicks);
    return {
      seed,
      impressions: n,
      items: nItems,
      random,
      targeting,
      bandit,
      oracle,
      liftOverRandom: bandit.ctr / random.ctr,
      liftOverTargeting: bandit.ctr / targeting.ctr,
      ms: performance.now() - t0,
    };
  } finally {
    rec?.close();
    if (dir) {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
