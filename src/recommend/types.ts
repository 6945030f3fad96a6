/**
 * Shapes shared by audience analytics, the catalog, the bandit, members and storage.
 */

/** Age bands of the audience report (inclusive years). */
export const AGE_BANDS = Object.freeze(['0-12', '13-17', '18-29', '30-44', '45-59', '60+'] as const);
/** One of {@link AGE_BANDS}. */
export type AgeBand = (typeof AGE_BANDS)[number];

/** Genders the face pipeline reports. */
export const GENDERS = Object.freeze(['male', 'female'] as const);
export type Gender = (typeof GENDERS)[number];

/**
 * Maps an estimated age in years to its band.
 * @example ageBandOf(31.6) // '30-44'
 */
export function ageBandOf(age: number): AgeBand {
  if (age < 13) return '0-12';
  if (age < 18) return '13-17';
  if (age < 30) return '18-29';
  if (age < 45) return '30-44';
  if (age < 60) return '45-59';
  return '60+';
}

/**
 * What audience analytics needs from one face track at one moment (never an image).
 * The face tracker's records are adapted to this shape by `fromFaceTrack` (src/recommend/audience.ts).
 */
export interface AudienceTrackUpdate {
  /** Stable id of the person's track within one camera stream. */
  trackId: string | number;
  /** Timestamp of the frame this update describes, ms (epoch or stream clock; one clock per Audience). */
  at: number;
  /** When the track started, ms (default: the first `at` seen for it). */
  firstSeen?: number;
  /** Estimated age in years. One of `age` / `ageBand` is needed for the age counts. */
  age?: number;
  /** Age band, when the tracker reports one directly. */
  ageBand?: AgeBand;
  /** Estimated gender; omitted or undefined when unknown. */
  gender?: Gender;
  /** Gender confidence 0..1 (a gender below `minGenderScore` counts as unknown). */
  genderScore?: number;
  /** Total time the track has been visible, ms (cumulative). Default: `at - firstSeen`. */
  dwellMs?: number;
  /** Total time the person looked at the screen, ms (cumulative). Default 0. */
  attentionMs?: number;
  /** L2-normalised face descriptor, when the tracker computed one (used to identify members). */
  descriptor?: Float32Array;
}

/** Counts of viewers by age band (every band present, zeros included). */
export type AgeBandCounts = Record<AgeBand, number>;
/** Counts of viewers by gender (`unknown`: no confident estimate). */
export type GenderCounts = Record<Gender | 'unknown', number>;

/** The audience report of `getAudience({window})`. */
export interface AudienceSnapshot {
  /** Report time, ms. */
  at: number;
  /** Length of the sliding window, ms. */
  windowMs: number;
  /** Tracks seen within `currentGapMs` of `at` (people in front of the screen now). */
  current: number;
  /** Distinct tracks seen in the window. */
  unique: number;
  /** Distinct tracks in the window by age band. */
  byAgeBand: AgeBandCounts;
  /** Distinct tracks in the window by gender. */
  byGender: GenderCounts;
  /** Track ids currently in front of the screen. */
  currentTrackIds: (string | number)[];
  /** Mean and total dwell of the window's tracks, ms. */
  dwell: { meanMs: number; totalMs: number };
  /** Mean and total attention of the window's tracks, ms. */
  attention: { meanMs: number; totalMs: number };
  /** Segment weights (fractions summing to 1 over `ageBand|gender` keys) the ranker uses; `{}` when nobody is there. */
  segments: Record<string, number>;
}

/** Kinds of catalog entries. */
export const ITEM_KINDS = Object.freeze(['miniProgram', 'page', 'product', 'coupon'] as const);
export type ItemKind = (typeof ITEM_KINDS)[number];

/** Who and when an item may be shown to; an absent field means "any". */
export interface Targeting {
  ageBands?: AgeBand[];
  genders?: Gender[];
  /** Local hours `[from, to)` 0..24; `from > to` wraps past midnight (e.g. `[22, 6]`). */
  hours?: [number, number][];
  /** Store categories of the screen's location (e.g. `"grocery"`). */
  storeCategories?: string[];
  /** Brands of the screen's location. */
  brands?: string[];
  /** Member customer groups (only identified members match). */
  customerGroups?: string[];
}

/** One catalog item: a mini-program, a page inside one, a product or a coupon. */
export interface CatalogItem {
  /** Unique id, 1..64 characters `[A-Za-z0-9_.:-]`. */
  id: string;
  kind: ItemKind;
  title: string;
  /** Mini-program AppID (`wx` + 16 hex). */
  appId: string;
  /** Page path inside the mini-program, with query (e.g. `pages/item/index?sku=42`). */
  path?: string;
  targeting?: Targeting;
  /** Business weight multiplying the estimated rate, 0..100. Default 1. */
  weight?: number;
  /** Campaign window, ms epoch; outside it the item is not shown. */
  startAt?: number;
  endAt?: number;
  /** `false` hides the item without deleting its statistics. Default true. */
  active?: boolean;
}

/** Feedback event kinds, in funnel order. */
export const FEEDBACK_EVENTS = Object.freeze(['impression', 'click', 'conversion'] as const);
export type FeedbackEvent = (typeof FEEDBACK_EVENTS)[number];

/** Learned counts of one item for one segment (impressions may be fractional: shares of a group). */
export interface ItemStats {
  itemId: string;
  segment: string;
  impressions: number;
  clicks: number;
  conversions: number;
}

/** What the store keeps of a served recommendation so feedback can be attributed. */
export interface RecommendationRecord {
  id: string;
  at: number;
  /** Segment weights of the audience it was served to. */
  segments: Record<string, number>;
  itemIds: string[];
  memberId?: string;
}

/** Consent record captured at enrolment. */
export interface ConsentRecord {
  /** Must be true: enrolment without consent is refused. */
  granted: true;
  /** Version or hash of the consent text shown. */
  textVersion: string;
  /** When consent was given, ms epoch. */
  at: number;
  /** Where it was given (e.g. `"screen-12 kiosk"`, `"mini-program"`). */
  channel?: string;
}

/** Portrait tags of a member (used for targeting and segments). */
export interface MemberTags {
  ageBand?: AgeBand;
  gender?: Gender;
  customerGroups?: string[];
  /** Free-form labels for the client (e.g. `"vip"`). */
  labels?: string[];
}

/** A member row as stored: descriptors only as ciphertext. */
export interface StoredMember {
  memberId: string;
  /** AES-256-GCM: 12-byte IV ‖ ciphertext ‖ 16-byte tag, of all descriptors as f32 little-endian. */
  descriptorsEnc: Uint8Array;
  /** Descriptor length and count (not secret: needed to size the index). */
  dim: number;
  count: number;
  tags: MemberTags;
  consent: ConsentRecord;
  createdAt: number;
}

/** One audit log entry. */
export interface AuditEntry {
  at: number;
  event: 'identify' | 'register' | 'delete';
  /** Matched/affected member, or null (identify without a match). */
  memberId: string | null;
  /** Best similarity score (identify). */
  score?: number;
  /** Who asked (device or API client id). */
  actor?: string;
}
