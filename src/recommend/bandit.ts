/**
 * Thompson sampling over audience segments with hierarchical Beta priors.
 *
 * Each (item, segment) click-through rate has a Beta posterior. Its prior is centred on the
 * item's pooled rate over all segments, which is itself shrunk towards the catalog-wide rate:
 * a new item starts at the catalog rate (cold start), an item seen elsewhere but never by
 * this segment starts at its overall rate, and segment data takes over as it accumulates.
 * A group audience is a mixture: the item's score is the segment-weighted sum of per-segment
 * draws. Exploration is bounded: each draw is clipped to mean ± `explorationZ`·sd, so a
 * cold item cannot win on a freak draw, and the prior strength caps how wide a cold
 * posterior is.
 * @internal
 */
import type { ItemStats } from './types.js';
import type { Rng } from './random.js';

/** Tunables of {@link SegmentBandit}. */
export interface BanditOptions {
  /** Pseudo-impressions of the item-level prior behind each segment posterior. Default 10. */
  priorStrength?: number;
  /** Pseudo-impressions of the catalog-level prior behind each item. Default 20. */
  itemPriorStrength?: number;
  /** Catalog-wide prior rate before any feedback. Default 0.05. */
  baseRate?: number;
  /** Draws are clipped to mean ± explorationZ·sd. Default 2. */
  explorationZ?: number;
}

export const BANDIT_DEFAULTS: Readonly<Required<BanditOptions>> = Object.freeze({ priorStrength: 10, itemPriorStrength: 20, baseRate: 0.05, explorationZ: 2 });

interface Counts {
  n: number;
  c: number;
  v: number;
}

/** Posterior summary of one item for one audience. */
export interface Estimate {
  /** Posterior mean click-through rate for the audience mix. */
  mean: number;
  /** Posterior standard deviation of that mixture. */
  sd: number;
  /** Impressions this item has had in the audience's segments (weighted). */
  impressions: number;
}

export class SegmentBandit {
  readonly options: Readonly<Required<BanditOptions>>;
  #items = new Map<string, { total: Counts; seg: Map<string, Counts> }>();
  #all: Counts = { n: 0, c: 0, v: 0 };

  constructor(options: BanditOptions = {}) {
    this.options = Object.freeze({ ...BANDIT_DEFAULTS, ...options });
  }

  /** Replaces all statistics (e.g. from the store). */
  load(stats: readonly ItemStats[]): void {
    this.#items.clear();
    this.#all = { n: 0, c: 0, v: 0 };
    for (const s of stats) this.add(s);
  }

  /** Adds counts of one item and segment. */
  add(s: ItemStats): void {
    let it = this.#items.get(s.itemId);
    if (!it) this.#items.set(s.itemId, (it = { total: { n: 0, c: 0, v: 0 }, seg: new Map() }));
    let seg = it.seg.get(s.segment);
    if (!seg) it.seg.set(s.segment, (seg = { n: 0, c: 0, v: 0 }));
    for (const c of [seg, it.total, this.#all]) {
      c.n += s.impressions;
      c.c += s.clicks;
      c.v += s.conversions;
    }
  }

  /** Forgets an item (deleted from the catalog). */
  remove(itemId: string): void {
    const it = this.#items.get(itemId);
    if (!it) return;
    this.#all.n -= it.total.n;
    this.#all.c -= it.total.c;
    this.#all.v -= it.total.v;
    this.#items.delete(itemId);
  }

  /** Beta(α, β) of the item for one segment (`*`: the item overall). */
  #posterior(itemId: string, segment: string): [number, number] {
    const o = this.options;
    const base = (this.#all.c + o.baseRate * o.itemPriorStrength) / (this.#all.n + o.itemPriorStrength);
    const it = this.#items.get(itemId);
    const tot = it?.total ?? { n: 0, c: 0, v: 0 };
    const c0 = Math.min(tot.c, tot.n);
    if (segment === '*') return [base * o.itemPriorStrength + c0, (1 - base) * o.itemPriorStrength + tot.n - c0];
    const itemRate = (c0 + base * o.itemPriorStrength) / (tot.n + o.itemPriorStrength);
    const s = it?.seg.get(segment) ?? { n: 0, c: 0, v: 0 };
    const c = Math.min(s.c, s.n);
    return [itemRate * o.priorStrength + c, (1 - itemRate) * o.priorStrength + s.n - c];
  }

  #mix(segments: Record<string, number>): [string, number][] {
    const e = Object.entries(segments).filter(([, w]) => w > 0);
    return e.length > 0 ? e : [['*', 1]];
  }

  /** Posterior mean and sd of the item's rate for the audience mixture. */
  estimate(itemId: string, segments: Record<string, number>): Estimate {
    let mean = 0;
    let varSum = 0;
    let impressions = 0;
    const it = this.#items.get(itemId);
    for (const [seg, w] of this.#mix(segments)) {
      const [a, b] = this.#posterior(itemId, seg);
      const m = a / (a + b);
      mean += w * m;
      varSum += w * w * ((m * (1 - m)) / (a + b + 1));
      impressions += w * (seg === '*' ? it?.total.n ?? 0 : it?.seg.get(seg)?.n ?? 0);
    }
    return { mean, sd: Math.sqrt(varSum), impressions };
  }

  /** One bounded Thompson draw of the item's rate for the audience mixture. */
  sample(itemId: string, segments: Record<string, number>, rng: Rng): number {
    const z = this.options.explorationZ;
    let score = 0;
    for (const [seg, w] of this.#mix(segments)) {
      const [a, b] = this.#posterior(itemId, seg);
      const m = a / (a + b);
      const sd = Math.sqrt((m * (1 - m)) / (a + b + 1));
      const x = rng.beta(a, b);
      score += w * Math.min(m + z * sd, Math.max(m - z * sd, x));
    }
    return score;
  }
}
