/**
 * Audience analytics from face tracks (never images): who is in front of the screen now,
 * how many distinct people passed in a sliding window, by age band and gender, and how long
 * they stayed and looked. Per-track records expire `ttlMs` after a track was last seen.
 */
import { createError, describe } from '../errors.js';
import * as is from '../is.js';
import { AGE_BANDS, ageBandOf, GENDERS, type AgeBand, type AgeBandCounts, type AudienceSnapshot, type AudienceTrackUpdate, type Gender, type GenderCounts } from './types.js';

/** Options of {@link Audience}. */
export interface AudienceOptions {
  /** Raw per-track records are dropped this long after the track was last seen, ms. Default 600000 (10 min). */
  ttlMs?: number;
  /** A track seen within this long of the report time counts as a current viewer, ms. Default 2000. */
  currentGapMs?: number;
  /** A gender with `genderScore` below this counts as unknown. Default 0.6. */
  minGenderScore?: number;
}

export const AUDIENCE_DEFAULTS: Readonly<Required<AudienceOptions>> = Object.freeze({ ttlMs: 600_000, currentGapMs: 2000, minGenderScore: 0.6 });

interface TrackRecord {
  trackId: string | number;
  firstSeen: number;
  lastSeen: number;
  ageBand: AgeBand | undefined;
  gender: Gender | undefined;
  dwellMs: number;
  attentionMs: number;
}

/**
 * The face tracker's track record as the audience needs it (structurally what
 * `FaceTracker` in src/tasks/face reports; typed here so analytics never imports a task).
 */
export interface FaceTrackLike {
  trackId: number | string;
  firstSeen: number;
  lastSeen: number;
  dwellMs: number;
  attentionMs: number;
  age?: number;
  /** The face pipeline's band names (`child` … `senior`) or this module's (`0-12` … `60+`). */
  ageBand?: string;
  gender?: 'male' | 'female';
  genderScore?: number;
}

/** The face pipeline's age band names, which use the same boundaries. */
const FACE_BANDS: Readonly<Record<string, AgeBand>> = Object.freeze({ child: '0-12', teen: '13-17', 'young-adult': '18-29', adult: '30-44', 'middle-aged': '45-59', senior: '60+' });

/**
 * Adapts face tracker records to audience updates (age band from the smoothed age when present).
 * @example fromFaceTracks([{ trackId: 3, firstSeen: 0, lastSeen: 900, dwellMs: 900, attentionMs: 400, age: 33.4, gender: 'female', genderScore: 0.91 }])
 *   // [ { trackId: 3, at: 900, firstSeen: 0, dwellMs: 900, attentionMs: 400, age: 33.4, ageBand: '30-44', gender: 'female', genderScore: 0.91 } ]
 */
export function fromFaceTracks(records: readonly FaceTrackLike[]): AudienceTrackUpdate[] {
  return records.map((r) => {
    const u: AudienceTrackUpdate = { trackId: r.trackId, at: r.lastSeen, firstSeen: r.firstSeen, dwellMs: r.dwellMs, attentionMs: r.attentionMs };
    if (r.age !== undefined) u.age = r.age;
    const band = r.age !== undefined ? ageBandOf(r.age) : r.ageBand !== undefined ? FACE_BANDS[r.ageBand] ?? (AGE_BANDS.includes(r.ageBand as AgeBand) ? (r.ageBand as AgeBand) : undefined) : undefined;
    if (band) u.ageBand = band;
    if (r.gender !== undefined) u.gender = r.gender;
    if (r.genderScore !== undefined) u.genderScore = r.genderScore;
    return u;
  });
}

/** Segment key of one viewer: `ageBand|gender`, `unknown` where not estimated. */
export function segmentKey(ageBand: AgeBand | undefined, gender: Gender | undefined): string {
  return `${ageBand ?? 'unknown'}|${gender ?? 'unknown'}`;
}

function zeroBands(): AgeBandCounts {
  return Object.fromEntries(AGE_BANDS.map((b) => [b, 0])) as AgeBandCounts;
}

/**
 * Sliding-window audience statistics over face track updates.
 * @example
 * const audience = new Audience();
 * audience.update([{ trackId: 1, at: 1000, age: 31, gender: 'female', genderScore: 0.9, attentionMs: 400 }]);
 * audience.getAudience({ window: 60000 }).byAgeBand['30-44']; // 1
 */
export class Audience {
  readonly options: Readonly<Required<AudienceOptions>>;
  #tracks = new Map<string, TrackRecord>();
  #clock = -Infinity;

  /** @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE */
  constructor(options: AudienceOptions = {}) {
    is.knownKeys(options as Record<string, unknown>, Object.keys(AUDIENCE_DEFAULTS));
    const o = { ...AUDIENCE_DEFAULTS, ...options };
    is.integer(o.ttlMs, 'options.ttlMs', 1000, 7 * 86_400_000);
    is.integer(o.currentGapMs, 'options.currentGapMs', 0, o.ttlMs);
    is.number(o.minGenderScore, 'options.minGenderScore', 0, 1);
    this.options = Object.freeze(o);
  }

  /** Number of track records held (after expiry). */
  get size(): number {
    return this.#tracks.size;
  }

  /** Latest timestamp seen; the default report time. */
  get clock(): number {
    return this.#clock;
  }

  /**
   * Records track updates (one or many, any order). Attributes keep their latest confident
   * value; dwell and attention are cumulative, so the largest reported value wins.
   * @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE naming the field (e.g. `updates[2].at`)
   */
  update(updates: AudienceTrackUpdate | readonly AudienceTrackUpdate[]): void {
    const list = Array.isArray(updates) ? (updates as readonly AudienceTrackUpdate[]) : [updates as AudienceTrackUpdate];
    const checked = list.map((u, i) => this.#check(u, Array.isArray(updates) ? `updates[${i}]` : 'update'));
    for (const u of checked) {
      const key = String(u.trackId);
      let r = this.#tracks.get(key);
      const first = u.firstSeen ?? u.at;
      if (!r) {
        r = { trackId: u.trackId, firstSeen: first, lastSeen: u.at, ageBand: undefined, gender: undefined, dwellMs: 0, attentionMs: 0 };
        this.#tracks.set(key, r);
      }
      r.firstSeen = Math.min(r.firstSeen, first);
      r.lastSeen = Math.max(r.lastSeen, u.at);
      const band = u.ageBand ?? (u.age !== undefined ? ageBandOf(u.age) : undefined);
      if (band) r.ageBand = band;
      if (u.gender && (u.genderScore === undefined || u.genderScore >= this.options.minGenderScore)) r.gender = u.gender;
      r.dwellMs = Math.max(r.dwellMs, u.dwellMs ?? r.lastSeen - r.firstSeen);
      r.attentionMs = Math.max(r.attentionMs, u.attentionMs ?? 0);
      if (u.at > this.#clock) this.#clock = u.at;
    }
    this.expire(this.#clock);
  }

  #check(u: AudienceTrackUpdate, name: string): AudienceTrackUpdate {
    if (!is.isObject(u)) throw is.invalid('object', name, u);
    if (typeof u.trackId !== 'string' && typeof u.trackId !== 'number') throw is.invalid('string or number', `${name}.trackId`, u.trackId);
    is.number(u.at, `${name}.at`, 0);
    if (u.firstSeen !== undefined) is.number(u.firstSeen, `${name}.firstSeen`, 0, u.at);
    if (u.age !== undefined) is.number(u.age, `${name}.age`, 0, 130);
    if (u.ageBand !== undefined) is.oneOf(u.ageBand, `${name}.ageBand`, AGE_BANDS);
    if (u.gender !== undefined) is.oneOf(u.gender, `${name}.gender`, GENDERS);
    if (u.genderScore !== undefined) is.number(u.genderScore, `${name}.genderScore`, 0, 1);
    if (u.dwellMs !== undefined) is.number(u.dwellMs, `${name}.dwellMs`, 0);
    if (u.attentionMs !== undefined) is.number(u.attentionMs, `${name}.attentionMs`, 0);
    return u;
  }

  /** Drops records last seen more than `ttlMs` before `now`; returns how many. */
  expire(now: number): number {
    let n = 0;
    const limit = now - this.options.ttlMs;
    for (const [k, r] of this.#tracks) {
      if (r.lastSeen < limit) {
        this.#tracks.delete(k);
        n++;
      }
    }
    return n;
  }

  /**
   * The audience report over the last `window` ms before `at`.
   * @param query.window sliding window, ms, 1..ttlMs. Default 60000 (capped at ttlMs).
   * @param query.at report time, ms. Default: the latest update's timestamp.
   * @throws HMP_ERR_ARG_RANGE (window above ttlMs: those records are gone), HMP_ERR_OPTION_UNKNOWN
   */
  getAudience(query: { window?: number; at?: number } = {}): AudienceSnapshot {
    is.knownKeys(query as Record<string, unknown>, ['window', 'at'], 'query');
    const windowMs = query.window ?? Math.min(60_000, this.options.ttlMs);
    is.integer(windowMs, 'query.window', 1, this.options.ttlMs);
    const at = query.at ?? (Number.isFinite(this.#clock) ? this.#clock : 0);
    is.number(at, 'query.at', 0);
    const byAgeBand = zeroBands();
    const byGender: GenderCounts = { male: 0, female: 0, unknown: 0 };
    const current: (string | number)[] = [];
    let unique = 0;
    let dwell = 0;
    let attention = 0;
    const inWindow: TrackRecord[] = [];
    for (const r of this.#tracks.values()) {
      if (r.lastSeen < at - windowMs || r.firstSeen > at) continue;
      inWindow.push(r);
      unique++;
      if (r.ageBand) byAgeBand[r.ageBand]++;
      byGender[r.gender ?? 'unknown']++;
      dwell += r.dwellMs;
      attention += r.attentionMs;
      if (r.lastSeen >= at - this.options.currentGapMs) current.push(r.trackId);
    }
    // Ranking targets who is there now; with nobody there, the window's viewers.
    const basis = current.length > 0 ? inWindow.filter((r) => r.lastSeen >= at - this.options.currentGapMs) : inWindow;
    return {
      at,
      windowMs,
      current: current.length,
      unique,
      byAgeBand,
      byGender,
      currentTrackIds: current,
      dwell: { meanMs: unique ? dwell / unique : 0, totalMs: dwell },
      attention: { meanMs: unique ? attention / unique : 0, totalMs: attention },
      segments: segmentsOf(basis),
    };
  }

  /**
   * Segment weights of the given tracks (unknown ids are ignored: they may have expired).
   * @throws HMP_ERR_ARG_INVALID
   */
  segmentsOfTracks(trackIds: readonly (string | number)[]): { segments: Record<string, number>; found: number } {
    if (!Array.isArray(trackIds)) throw is.invalid('array of track ids', 'trackIds', trackIds);
    const recs: TrackRecord[] = [];
    for (const [i, id] of trackIds.entries()) {
      if (typeof id !== 'string' && typeof id !== 'number') throw createError('HMP_ERR_ARG_INVALID', 'string or number', `trackIds[${i}]`, describe(id));
      const r = this.#tracks.get(String(id));
      if (r) recs.push(r);
    }
    return { segments: segmentsOf(recs), found: recs.length };
  }
}

function segmentsOf(recs: readonly TrackRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (recs.length === 0) return out;
  for (const r of recs) {
    const k = segmentKey(r.ageBand, r.gender);
    out[k] = (out[k] ?? 0) + 1 / recs.length;
  }
  return out;
}
