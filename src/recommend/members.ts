/**
 * Opt-in members: face descriptors (never images) enrolled with a consent record, encrypted
 * at rest with AES-256-GCM, searched 1:N with the WASM SIMD kernel; every identification is
 * audit-logged, and deletion erases the member's descriptors, tags, consent record,
 * recommendations and audit entries.
 *
 * Decrypted descriptors live only in the search index's WASM memory; the store holds
 * ciphertext bound to the member id (GCM additional data), so a row copied onto another
 * member id fails to decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createError, createErrorWith, describe } from '../errors.js';
import * as is from '../is.js';
import { DescriptorIndex, type SearchPrecision } from '../runtime/search-kernels.js';
import { FACE_DESCRIPTOR_THRESHOLD } from '../tasks/face/descriptor.js';
import type { Store } from '../store/types.js';
import { AGE_BANDS, GENDERS, type ConsentRecord, type MemberTags, type StoredMember } from './types.js';

/**
 * Default cosine-similarity threshold for a match: the faces work's documented distance
 * threshold for its descriptor (`FACE_DESCRIPTOR_THRESHOLD`, Euclidean between unit vectors,
 * measured in docs/faces.md) converted with d² = 2 − 2·cos. The kernels rank by inner
 * product, so the threshold is applied as a similarity.
 */
export const DEFAULT_MATCH_THRESHOLD = 1 - (FACE_DESCRIPTOR_THRESHOLD * FACE_DESCRIPTOR_THRESHOLD) / 2;
/** Descriptor length of face-api's recognition net, the candidate descriptor. */
export const DEFAULT_DESCRIPTOR_DIM = 128;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const MEMBER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Options of {@link Members.open}. */
export interface MembersOptions {
  store: Store;
  /** 32-byte key: Buffer, or 64 hex digits / base64 text. Default: env `HMP_MEMBER_KEY`. */
  key?: Uint8Array | string;
  /** Descriptor length. Default 128. */
  dim?: number;
  /** Cosine similarity a match needs. Default {@link DEFAULT_MATCH_THRESHOLD}. */
  threshold?: number;
  /** Search index precision. Default 'i8'. */
  precision?: SearchPrecision;
  /** Clock, ms. Default Date.now. */
  now?: () => number;
}

/** Input of {@link Members.register}. */
export interface RegisterMemberInput {
  /** Default: a random UUID. */
  memberId?: string;
  /** One or more L2-normalised descriptors (several views improve recall). */
  descriptors: (Float32Array | readonly number[])[];
  tags?: MemberTags;
  consent: ConsentRecord;
  /** Who enrolled (for the audit log). */
  actor?: string;
}

/** A positive identification. */
export interface MemberMatch {
  memberId: string;
  /** Cosine similarity of the best enrolled descriptor. */
  score: number;
  tags: MemberTags;
}

/**
 * Parses a 32-byte key from bytes, 64 hex digits or base64.
 * @throws HMP_ERR_RECOMMEND_MEMBER_KEY
 */
export function parseMemberKey(key: Uint8Array | string | undefined): Buffer {
  if (key === undefined) throw createError('HMP_ERR_RECOMMEND_MEMBER_KEY', 'HMP_MEMBER_KEY', 'not set; generate one with: openssl rand -hex 32');
  let buf: Buffer;
  if (typeof key === 'string') {
    const s = key.trim();
    buf = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  } else {
    buf = Buffer.from(key);
  }
  if (buf.length !== 32) throw createError('HMP_ERR_RECOMMEND_MEMBER_KEY', typeof key === 'string' ? 'text' : 'bytes', `decodes to ${buf.length} bytes, expected 32 (64 hex digits or base64)`);
  return buf;
}

function aad(memberId: string, dim: number, count: number): Buffer {
  return Buffer.from(`hmp-member:v1:${memberId}:${dim}:${count}`, 'utf8');
}

/** @internal AES-256-GCM of the concatenated descriptors: IV ‖ ciphertext ‖ tag. */
export function encryptDescriptors(key: Buffer, memberId: string, dim: number, flat: Float32Array): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad(memberId, dim, flat.length / dim));
  const body = Buffer.concat([c.update(Buffer.from(flat.buffer, flat.byteOffset, flat.byteLength)), c.final()]);
  return new Uint8Array(Buffer.concat([iv, body, c.getAuthTag()]));
}

/** @internal Inverse of {@link encryptDescriptors}. @throws HMP_ERR_RECOMMEND_DECRYPT */
export function decryptDescriptors(key: Buffer, m: StoredMember): Float32Array {
  const blob = Buffer.from(m.descriptorsEnc);
  try {
    if (blob.length !== IV_BYTES + TAG_BYTES + m.dim * m.count * 4) throw new Error(`ciphertext is ${blob.length} bytes, expected ${IV_BYTES + TAG_BYTES + m.dim * m.count * 4}`);
    const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_BYTES));
    d.setAAD(aad(m.memberId, m.dim, m.count));
    d.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
    const plain = Buffer.concat([d.update(blob.subarray(IV_BYTES, blob.length - TAG_BYTES)), d.final()]);
    // Copy into a fresh, aligned buffer (Buffer pools may be unaligned for Float32Array).
    const out = new Float32Array(m.dim * m.count);
    new Uint8Array(out.buffer).set(plain);
    plain.fill(0);
    return out;
  } catch (err) {
    throw createErrorWith('HMP_ERR_RECOMMEND_DECRYPT', { cause: err }, m.memberId, (err as Error).message);
  }
}

function checkTags(v: unknown, name: string): MemberTags {
  if (v === undefined) return {};
  if (!is.isObject(v)) throw is.invalid('object', name, v);
  is.knownKeys(v, ['ageBand', 'gender', 'customerGroups', 'labels'], name);
  const t: MemberTags = {};
  if (v.ageBand !== undefined) t.ageBand = is.oneOf(v.ageBand, `${name}.ageBand`, AGE_BANDS);
  if (v.gender !== undefined) t.gender = is.oneOf(v.gender, `${name}.gender`, GENDERS);
  for (const k of ['customerGroups', 'labels'] as const) {
    if (v[k] === undefined) continue;
    const a = v[k];
    if (!Array.isArray(a) || a.length > 64 || !a.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 64)) {
      throw is.invalid('array of up to 64 strings of 1..64 characters', `${name}.${k}`, a);
    }
    t[k] = [...(a as string[])];
  }
  return t;
}

function checkConsent(v: unknown): ConsentRecord {
  if (!is.isObject(v) || v.granted !== true) throw createError('HMP_ERR_RECOMMEND_CONSENT_REQUIRED', `consent.granted must be true, received ${describe(is.isObject(v) ? v.granted : v)}`);
  is.knownKeys(v, ['granted', 'textVersion', 'at', 'channel'], 'consent');
  if (typeof v.textVersion !== 'string' || v.textVersion.length === 0 || v.textVersion.length > 200) {
    throw createError('HMP_ERR_RECOMMEND_CONSENT_REQUIRED', `consent.textVersion must name the consent text shown, received ${describe(v.textVersion)}`);
  }
  is.integer(v.at, 'consent.at', 0, Number.MAX_SAFE_INTEGER);
  const c: ConsentRecord = { granted: true, textVersion: v.textVersion, at: v.at as number };
  if (v.channel !== undefined) c.channel = is.string(v.channel, 'consent.channel');
  return c;
}

/**
 * The member registry: enrolment, 1:N identification and erasure.
 * @example
 * const members = await Members.open({ store, key: process.env.HMP_MEMBER_KEY });
 * await members.register({ memberId: 'm1', descriptors: [d], consent: { granted: true, textVersion: 'v3', at: Date.now() } });
 * await members.identify(probe); // { memberId: 'm1', score: 0.97, tags: {} } or null
 */
export class Members {
  readonly dim: number;
  readonly threshold: number;
  #store: Store;
  #key: Buffer;
  #index: DescriptorIndex;
  #rowOwner: string[] = [];
  #rowsOf = new Map<string, number[]>();
  #tags = new Map<string, MemberTags>();
  #now: () => number;

  private constructor(store: Store, key: Buffer, index: DescriptorIndex, threshold: number, now: () => number) {
    this.#store = store;
    this.#key = key;
    this.#index = index;
    this.dim = index.dim;
    this.threshold = threshold;
    this.#now = now;
  }

  /**
   * Loads and decrypts every enrolled member into a new search index.
   * @throws HMP_ERR_RECOMMEND_MEMBER_KEY, HMP_ERR_RECOMMEND_DECRYPT, HMP_ERR_STORE_*, HMP_ERR_WASM_LOAD
   */
  static async open(options: MembersOptions): Promise<Members> {
    is.knownKeys(options as unknown as Record<string, unknown>, ['store', 'key', 'dim', 'threshold', 'precision', 'now']);
    const key = parseMemberKey(options.key ?? process.env.HMP_MEMBER_KEY);
    const dim = is.integer(options.dim ?? DEFAULT_DESCRIPTOR_DIM, 'options.dim', 16, 4096);
    const threshold = is.number(options.threshold ?? DEFAULT_MATCH_THRESHOLD, 'options.threshold', -1, 1);
    const index = await DescriptorIndex.create({ dim, precision: options.precision ?? 'i8' });
    const m = new Members(options.store, key, index, threshold, options.now ?? Date.now);
    try {
      await m.reload();
    } catch (err) {
      index.dispose();
      throw err;
    }
    return m;
  }

  /** Enrolled member count. */
  get size(): number {
    return this.#tags.size;
  }

  /** Enrolled descriptor count (rows in the index). */
  get descriptorCount(): number {
    return this.#index.size;
  }

  /**
   * Rebuilds the index from the store (picks up members other screens enrolled or deleted).
   * @throws HMP_ERR_RECOMMEND_DECRYPT, HMP_ERR_STORE_*
   */
  async reload(): Promise<void> {
    const members = await this.#store.listMembers();
    this.#index.clear();
    this.#rowOwner = [];
    this.#rowsOf.clear();
    this.#tags.clear();
    for (const m of members) {
      if (m.dim !== this.dim) continue; // enrolled with another descriptor model: not comparable
      this.#addRows(m.memberId, decryptDescriptors(this.#key, m), m.tags);
    }
  }

  #addRows(memberId: string, flat: Float32Array, tags: MemberTags): void {
    const first = this.#index.add(flat);
    const rows: number[] = [];
    for (let i = 0; i < flat.length / this.dim; i++) {
      this.#rowOwner[first + i] = memberId;
      rows.push(first + i);
    }
    this.#rowsOf.set(memberId, rows);
    this.#tags.set(memberId, tags);
    flat.fill(0);
  }

  #descriptor(v: unknown, name: string): Float32Array {
    let d: Float32Array;
    if (v instanceof Float32Array) d = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) d = Float32Array.from(v as number[]);
    else throw createError('HMP_ERR_RECOMMEND_DESCRIPTOR', `Float32Array or number[] of ${this.dim}`, name, describe(v));
    if (d.length !== this.dim) throw createError('HMP_ERR_RECOMMEND_DESCRIPTOR', `${this.dim} numbers`, name, `${d.length} numbers`);
    let n = 0;
    for (const x of d) {
      if (!Number.isFinite(x)) throw createError('HMP_ERR_RECOMMEND_DESCRIPTOR', 'finite numbers', name, describe(x));
      n += x * x;
    }
    // The kernels score by inner product, which is cosine only for unit vectors.
    if (Math.abs(Math.sqrt(n) - 1) > 0.01) throw createError('HMP_ERR_RECOMMEND_DESCRIPTOR', 'an L2-normalised vector (norm 1 ± 0.01)', name, `norm ${Math.sqrt(n).toFixed(4)}`);
    return d;
  }

  /**
   * Enrols a member with consent. Descriptors are encrypted before they reach the store.
   * @throws HMP_ERR_RECOMMEND_CONSENT_REQUIRED, HMP_ERR_RECOMMEND_DESCRIPTOR, HMP_ERR_RECOMMEND_MEMBER_EXISTS,
   *   HMP_ERR_ARG_INVALID, HMP_ERR_OPTION_UNKNOWN, HMP_ERR_STORE_*
   */
  async register(input: RegisterMemberInput): Promise<{ memberId: string; descriptors: number }> {
    if (!is.isObject(input)) throw is.invalid('object', 'input', input);
    is.knownKeys(input as unknown as Record<string, unknown>, ['memberId', 'descriptors', 'tags', 'consent', 'actor'], 'input');
    const consent = checkConsent(input.consent);
    const memberId = input.memberId ?? randomUUID();
    if (typeof memberId !== 'string' || !MEMBER_ID.test(memberId)) throw is.invalid('string matching [A-Za-z0-9_.:-]{1,64}', 'memberId', memberId);
    if (!Array.isArray(input.descriptors) || input.descriptors.length === 0 || input.descriptors.length > 32) {
      throw is.invalid('array of 1..32 descriptors', 'descriptors', input.descriptors);
    }
    const tags = checkTags(input.tags, 'tags');
    const flat = new Float32Array(this.dim * input.descriptors.length);
    input.descriptors.forEach((d, i) => flat.set(this.#descriptor(d, `descriptors[${i}]`), i * this.dim));
    const at = this.#now();
    const stored: StoredMember = {
      memberId,
      descriptorsEnc: encryptDescriptors(this.#key, memberId, this.dim, flat),
      dim: this.dim,
      count: input.descriptors.length,
      tags,
      consent,
      createdAt: at,
    };
    if (!(await this.#store.insertMember(stored))) throw createError('HMP_ERR_RECOMMEND_MEMBER_EXISTS', memberId);
    await this.#store.appendAudit({ at, event: 'register', memberId, ...(input.actor ? { actor: input.actor } : {}) });
    if (this.#tags.has(memberId)) this.#removeRows(memberId);
    this.#addRows(memberId, flat, tags);
    return { memberId, descriptors: stored.count };
  }

  /**
   * 1:N identification. Returns the best member at or above the threshold, or null. Every
   * call is audit-logged (with the best score, matched or not).
   * @throws HMP_ERR_RECOMMEND_DESCRIPTOR, HMP_ERR_ARG_RANGE (threshold), HMP_ERR_STORE_*
   */
  async identify(descriptor: Float32Array | readonly number[], options: { threshold?: number; actor?: string } = {}): Promise<MemberMatch | null> {
    is.knownKeys(options as Record<string, unknown>, ['threshold', 'actor']);
    const d = this.#descriptor(descriptor, 'descriptor');
    const threshold = is.number(options.threshold ?? this.threshold, 'options.threshold', -1, 1);
    const [hit] = this.#index.search(d, 1);
    const matched = hit !== undefined && hit.score >= threshold ? this.#rowOwner[hit.index]! : null;
    await this.#store.appendAudit({
      at: this.#now(),
      event: 'identify',
      memberId: matched,
      ...(hit ? { score: hit.score } : {}),
      ...(options.actor ? { actor: options.actor } : {}),
    });
    return matched === null ? null : { memberId: matched, score: hit!.score, tags: this.#tags.get(matched) ?? {} };
  }

  /** Portrait tags of an enrolled member, or undefined. */
  tagsOf(memberId: string): MemberTags | undefined {
    return this.#tags.get(memberId);
  }

  #removeRows(memberId: string): void {
    // Highest rows first, so a swap never moves one of this member's own rows.
    const rows = [...(this.#rowsOf.get(memberId) ?? [])].sort((a, b) => b - a);
    for (const row of rows) {
      const moved = this.#index.removeSwap(row);
      const last = this.#rowOwner.pop()!;
      if (moved >= 0) {
        this.#rowOwner[row] = last;
        const r = this.#rowsOf.get(last)!;
        r[r.indexOf(moved)] = row;
      }
    }
    this.#rowsOf.delete(memberId);
    this.#tags.delete(memberId);
  }

  /**
   * Erases a member everywhere (store and index). The audit log keeps one `delete` entry
   * with the member id and no personal data, as proof the erasure happened.
   * @throws HMP_ERR_RECOMMEND_MEMBER_UNKNOWN, HMP_ERR_STORE_*
   */
  async delete(memberId: string, options: { actor?: string } = {}): Promise<void> {
    is.string(memberId, 'memberId');
    if (!(await this.#store.deleteMember(memberId))) throw createError('HMP_ERR_RECOMMEND_MEMBER_UNKNOWN', memberId);
    if (this.#tags.has(memberId)) this.#removeRows(memberId);
    await this.#store.appendAudit({ at: this.#now(), event: 'delete', memberId, ...(options.actor ? { actor: options.actor } : {}) });
  }

  /** Releases the search index (its WASM memory) and wipes the key copy. Idempotent. */
  close(): void {
    this.#index.dispose();
    this.#key.fill(0);
  }
}
