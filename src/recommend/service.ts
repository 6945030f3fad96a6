/**
 * The recommendation service: catalog management, audience-aware ranking with a contextual
 * bandit, feedback learning, and members. One instance per screen; screens of a fleet share
 * a PostgreSQL store (catalog, statistics, members) and call {@link Recommender.refresh}
 * to pick up what the others learned.
 */
import { randomUUID } from 'node:crypto';
import { createError, describe } from '../errors.js';
import * as is from '../is.js';
import type { Store } from '../store/types.js';
import { Audience, segmentKey, type AudienceOptions } from './audience.js';
import { SegmentBandit, type BanditOptions } from './bandit.js';
import { matchTargeting, parseCatalogFile, validateItem, type ServeContext } from './catalog.js';
import { Members, type MembersOptions } from './members.js';
import { Rng } from './random.js';
import { FEEDBACK_EVENTS, type AudienceSnapshot, type AudienceTrackUpdate, type CatalogItem, type FeedbackEvent, type ItemStats } from './types.js';

/** Options of {@link Recommender.create}. */
export interface RecommenderOptions {
  store: Store;
  /** Seed of the bandit's random draws (reproducible rankings). Default: random. */
  seed?: number;
  /** The screen's location, for store-category and brand targeting. */
  context?: { storeCategory?: string; brand?: string; utcOffsetMinutes?: number };
  /** Demographic targeting must match at least this share of the audience. Default 0.5. */
  minTargetShare?: number;
  bandit?: BanditOptions;
  audience?: AudienceOptions | Audience;
  /** Enables members (registerMember/identifyMember/deleteMember); needs a key. */
  members?: Omit<MembersOptions, 'store' | 'now'>;
  /** Recommendation records (for attributing feedback) are kept this long, ms. Default 86400000. */
  recommendationTtlMs?: number;
  /** Clock, ms. Default Date.now. */
  now?: () => number;
}

/** Who a recommendation is for: exactly one of these. */
export interface RecommendRequest {
  /** An audience report (from `getAudience`) or any segment weights. */
  audience?: Pick<AudienceSnapshot, 'segments'>;
  /** Current tracks of the screen's audience. */
  trackIds?: (string | number)[];
  /** An identified member. */
  memberId?: string;
  /** How many items. Default 3, at most 20. */
  slots?: number;
  /** Rank by posterior mean only (no exploration). Default false. */
  greedy?: boolean;
}

/** Why an item was ranked where it is. */
export interface RecommendationReasons {
  /** Targeting rules that matched (empty: the item targets everyone). */
  matchedTargeting: string[];
  /** Share of the audience the demographic targeting matched. */
  targetShare: number;
  /** Posterior mean click-through rate for this audience. */
  estimatedRate: number;
  /** Posterior standard deviation of that rate. */
  uncertainty: number;
  /** The bounded Thompson draw the rank used (equals estimatedRate when greedy). */
  sampledRate: number;
  /** Business weight applied. */
  weight: number;
  /** Impressions already seen by this audience's segments (weighted). */
  impressions: number;
  /** True when the item is shown to learn: a greedy ranking would not have picked it. */
  exploring: boolean;
}

export interface RankedItem {
  rank: number;
  itemId: string;
  kind: CatalogItem['kind'];
  title: string;
  appId: string;
  path?: string;
  score: number;
  reasons: RecommendationReasons;
}

export interface RecommendResult {
  /** Quote it in reportFeedback. */
  recommendationId: string;
  at: number;
  /** The segment weights ranked for, and where they came from. */
  audience: { source: 'audience' | 'tracks' | 'member' | 'screen'; segments: Record<string, number> };
  /** Best first; `[]` when nothing is eligible. */
  items: RankedItem[];
}

/** A feedback event on a served item. */
export interface FeedbackInput {
  recommendationId: string;
  itemId: string;
  event: FeedbackEvent;
}

const RECOMMEND_KEYS = ['audience', 'trackIds', 'memberId', 'slots', 'greedy'];

/**
 * @example
 * const rec = await Recommender.create({ store, seed: 7, context: { storeCategory: 'grocery' } });
 * await rec.putItem({ id: 'coffee', kind: 'coupon', title: '2 for 1', appId: 'wx0123456789abcdef' });
 * const r = await rec.recommend({ audience: { segments: { '30-44|female': 1 } }, slots: 1 });
 * // { recommendationId: '…', items: [ { rank: 1, itemId: 'coffee', reasons: { estimatedRate: 0.05, … } } ], … }
 * await rec.reportFeedback({ recommendationId: r.recommendationId, itemId: 'coffee', event: 'click' });
 */
export class Recommender {
  readonly store: Store;
  readonly audience: Audience;
  #bandit: SegmentBandit;
  #rng: Rng;
  #items = new Map<string, CatalogItem>();
  #members: Members | undefined;
  #ctx: { storeCategory?: string; brand?: string; utcOffsetMinutes?: number };
  #minShare: number;
  #ttl: number;
  #now: () => number;
  #lastPrune = 0;

  private constructor(o: RecommenderOptions, members: Members | undefined) {
    this.store = o.store;
    this.audience = o.audience instanceof Audience ? o.audience : new Audience(o.audience);
    this.#bandit = new SegmentBandit(o.bandit);
    this.#rng = new Rng(o.seed ?? (Math.random() * 2 ** 32) >>> 0);
    this.#members = members;
    this.#ctx = { ...(o.context ?? {}) };
    this.#minShare = o.minTargetShare ?? 0.5;
    this.#ttl = o.recommendationTtlMs ?? 86_400_000;
    this.#now = o.now ?? Date.now;
  }

  /**
   * Creates the service over an open store, loading the catalog, statistics and (with
   * `members`) the member index.
   * @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_*, HMP_ERR_RECOMMEND_MEMBER_KEY, HMP_ERR_STORE_*
   */
  static async create(options: RecommenderOptions): Promise<Recommender> {
    if (!is.isObject(options)) throw is.invalid('object', 'options', options);
    is.knownKeys(options as unknown as Record<string, unknown>, ['store', 'seed', 'context', 'minTargetShare', 'bandit', 'audience', 'members', 'recommendationTtlMs', 'now']);
    if (options.seed !== undefined) is.integer(options.seed, 'options.seed', 0, 2 ** 32 - 1);
    if (options.minTargetShare !== undefined) is.number(options.minTargetShare, 'options.minTargetShare', 0, 1);
    if (options.recommendationTtlMs !== undefined) is.integer(options.recommendationTtlMs, 'options.recommendationTtlMs', 1000);
    if (options.context !== undefined) {
      if (!is.isObject(options.context)) throw is.invalid('object', 'options.context', options.context);
      is.knownKeys(options.context, ['storeCategory', 'brand', 'utcOffsetMinutes'], 'options.context');
      if (options.context.utcOffsetMinutes !== undefined) is.integer(options.context.utcOffsetMinutes, 'options.context.utcOffsetMinutes', -720, 840);
    }
    const members = options.members ? await Members.open({ ...options.members, store: options.store, now: options.now ?? Date.now }) : undefined;
    const r = new Recommender(options, members);
    await r.refresh();
    return r;
  }

  /** Reloads catalog and statistics from the store (what other screens added). */
  async refresh(): Promise<void> {
    const [items, stats] = await Promise.all([this.store.listItems(), this.store.getStats()]);
    this.#items = new Map(items.map((i) => [i.id, i]));
    this.#bandit.load(stats);
  }

  /** The member registry, or undefined when members are not configured. */
  get members(): Members | undefined {
    return this.#members;
  }

  /** Feeds face tracks to the audience analytics. */
  updateTracks(updates: AudienceTrackUpdate | readonly AudienceTrackUpdate[]): void {
    this.audience.update(updates);
  }

  /** See {@link Audience.getAudience}. */
  getAudience(query?: { window?: number; at?: number }): AudienceSnapshot {
    return this.audience.getAudience(query);
  }

  // --- catalog ------------------------------------------------------------------------------

  /** @throws HMP_ERR_RECOMMEND_CATALOG_INVALID, HMP_ERR_STORE_* */
  async putItem(item: unknown): Promise<CatalogItem> {
    const it = validateItem(item);
    await this.store.putItem(it, this.#now());
    this.#items.set(it.id, it);
    return it;
  }

  /**
   * Imports a catalog file ({@link parseCatalogFile}); all items or none.
   * @returns the number of items imported
   * @throws HMP_ERR_RECOMMEND_CATALOG_INVALID, HMP_ERR_STORE_*
   */
  async importCatalog(file: string | unknown): Promise<number> {
    const items = parseCatalogFile(file);
    await this.store.putItems(items, this.#now());
    for (const it of items) this.#items.set(it.id, it);
    return items.length;
  }

  /** @throws HMP_ERR_RECOMMEND_ITEM_UNKNOWN */
  getItem(id: string): CatalogItem {
    const it = this.#items.get(is.string(id, 'id'));
    if (!it) throw createError('HMP_ERR_RECOMMEND_ITEM_UNKNOWN', id);
    return it;
  }

  /** Every item, ordered by id. */
  listItems(): CatalogItem[] {
    return [...this.#items.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Deletes an item and its statistics. @throws HMP_ERR_RECOMMEND_ITEM_UNKNOWN, HMP_ERR_STORE_* */
  async deleteItem(id: string): Promise<void> {
    is.string(id, 'id');
    if (!(await this.store.deleteItem(id))) throw createError('HMP_ERR_RECOMMEND_ITEM_UNKNOWN', id);
    this.#items.delete(id);
    this.#bandit.remove(id);
  }

  // --- ranking ------------------------------------------------------------------------------

  #serveContext(at: number, customerGroups?: string[]): ServeContext {
    const off = this.#ctx.utcOffsetMinutes ?? -new Date(at).getTimezoneOffset();
    const hour = Math.floor((((at / 60000 + off) % 1440) + 1440) % 1440 / 60);
    const ctx: ServeContext = { hour };
    if (this.#ctx.storeCategory) ctx.storeCategory = this.#ctx.storeCategory;
    if (this.#ctx.brand) ctx.brand = this.#ctx.brand;
    if (customerGroups) ctx.customerGroups = customerGroups;
    return ctx;
  }

  /**
   * Ranks eligible items for an audience, a set of tracks, or a member. With none given, the
   * screen's current audience (`getAudience()`) is used.
   * @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID (more than one of audience/trackIds/memberId),
   *   HMP_ERR_ARG_RANGE (slots), HMP_ERR_RECOMMEND_MEMBER_UNKNOWN, HMP_ERR_STORE_*
   */
  async recommend(req: RecommendRequest = {}): Promise<RecommendResult> {
    if (!is.isObject(req)) throw is.invalid('object', 'request', req);
    is.knownKeys(req as Record<string, unknown>, RECOMMEND_KEYS, 'request');
    const slots = is.integer(req.slots ?? 3, 'request.slots', 1, 20);
    const given = (['audience', 'trackIds', 'memberId'] as const).filter((k) => req[k] !== undefined);
    if (given.length > 1) throw createError('HMP_ERR_ARG_INVALID', 'only one of audience, trackIds, memberId', 'request', given.join(' and '));
    const at = this.#now();
    let source: RecommendResult['audience']['source'];
    let segments: Record<string, number>;
    let customerGroups: string[] | undefined;
    let memberId: string | undefined;
    if (req.memberId !== undefined) {
      memberId = is.string(req.memberId, 'request.memberId');
      const tags = this.#members?.tagsOf(memberId);
      if (!tags) throw createError('HMP_ERR_RECOMMEND_MEMBER_UNKNOWN', memberId);
      source = 'member';
      segments = { [segmentKey(tags.ageBand, tags.gender)]: 1 };
      customerGroups = tags.customerGroups;
    } else if (req.trackIds !== undefined) {
      source = 'tracks';
      segments = this.audience.segmentsOfTracks(req.trackIds as (string | number)[]).segments;
    } else if (req.audience !== undefined) {
      source = 'audience';
      segments = checkSegments(req.audience);
    } else {
      source = 'screen';
      segments = this.audience.getAudience().segments;
    }
    const ctx = this.#serveContext(at, customerGroups);
    const greedy = req.greedy === undefined ? false : is.boolean(req.greedy, 'request.greedy');

    const candidates: { item: CatalogItem; score: number; mean: number; reasons: Omit<RecommendationReasons, 'exploring'> }[] = [];
    for (const item of this.listItems()) {
      const m = matchTargeting(item, segments, ctx, at, this.#minShare);
      if (!m.eligible) continue;
      const est = this.#bandit.estimate(item.id, segments);
      const sampled = greedy ? est.mean : this.#bandit.sample(item.id, segments, this.#rng);
      const weight = item.weight ?? 1;
      candidates.push({
        item,
        score: sampled * weight,
        mean: est.mean * weight,
        reasons: { matchedTargeting: m.matched, targetShare: m.share, estimatedRate: est.mean, uncertainty: est.sd, sampledRate: sampled, weight, impressions: est.impressions },
      });
    }
    const byMean = [...candidates].sort((a, b) => b.mean - a.mean || cmp(a.item.id, b.item.id)).slice(0, slots);
    const greedyIds = new Set(byMean.map((c) => c.item.id));
    const chosen = candidates.sort((a, b) => b.score - a.score || cmp(a.item.id, b.item.id)).slice(0, slots);
    const items: RankedItem[] = chosen.map((c, i) => {
      const r: RankedItem = {
        rank: i + 1,
        itemId: c.item.id,
        kind: c.item.kind,
        title: c.item.title,
        appId: c.item.appId,
        score: c.score,
        reasons: { ...c.reasons, exploring: !greedyIds.has(c.item.id) },
      };
      if (c.item.path !== undefined) r.path = c.item.path;
      return r;
    });
    const recommendationId = randomUUID();
    await this.store.putRecommendation({ id: recommendationId, at, segments, itemIds: items.map((x) => x.itemId), ...(memberId ? { memberId } : {}) });
    if (at - this.#lastPrune > 3_600_000) {
      this.#lastPrune = at;
      await this.store.pruneRecommendations(at - this.#ttl);
    }
    return { recommendationId, at, audience: { source, segments }, items };
  }

  /**
   * Learns from what the audience did with a served item: the event's counts are added to
   * the item's statistics for each segment the recommendation was served to, in proportion
   * to its share. Report `impression` when the item was actually displayed.
   * @throws HMP_ERR_RECOMMEND_UNKNOWN, HMP_ERR_ARG_INVALID (item not in that recommendation, bad event), HMP_ERR_STORE_*
   */
  async reportFeedback(fb: FeedbackInput): Promise<void> {
    if (!is.isObject(fb)) throw is.invalid('object', 'feedback', fb);
    is.knownKeys(fb as unknown as Record<string, unknown>, ['recommendationId', 'itemId', 'event'], 'feedback');
    const id = is.string(fb.recommendationId, 'feedback.recommendationId');
    const itemId = is.string(fb.itemId, 'feedback.itemId');
    const event = is.oneOf(fb.event, 'feedback.event', FEEDBACK_EVENTS);
    const rec = await this.store.getRecommendation(id);
    if (!rec) throw createError('HMP_ERR_RECOMMEND_UNKNOWN', id);
    if (!rec.itemIds.includes(itemId)) throw createError('HMP_ERR_ARG_INVALID', `one of the recommendation's items (${rec.itemIds.join(', ')})`, 'feedback.itemId', describe(itemId));
    const entries = Object.entries(rec.segments).filter(([, w]) => w > 0);
    const mix = entries.length > 0 ? entries : [[segmentKey(undefined, undefined), 1] as [string, number]];
    const deltas: ItemStats[] = mix.map(([segment, w]) => ({
      itemId,
      segment,
      impressions: event === 'impression' ? w : 0,
      clicks: event === 'click' ? w : 0,
      conversions: event === 'conversion' ? w : 0,
    }));
    await this.store.addStats(deltas);
    for (const d of deltas) this.#bandit.add(d);
  }

  /** Closes the member index (not the store, which the caller owns). */
  close(): void {
    this.#members?.close();
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkSegments(a: unknown): Record<string, number> {
  if (!is.isObject(a) || !is.isObject(a.segments)) throw is.invalid('{segments: {"<ageBand>|<gender>": weight}}', 'request.audience', a);
  const out: Record<string, number> = {};
  let sum = 0;
  for (const [k, w] of Object.entries(a.segments)) {
    if (!/^[^|]+\|[^|]+$/.test(k)) throw createError('HMP_ERR_ARG_INVALID', 'segment keys "<ageBand>|<gender>"', 'request.audience.segments', describe(k));
    sum += is.number(w, `request.audience.segments["${k}"]`, 0, 1e9);
    out[k] = w as number;
  }
  // Normalise so callers may pass counts.
  if (sum > 0) for (const k of Object.keys(out)) out[k] = out[k]! / sum;
  return out;
}
