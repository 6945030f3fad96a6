/**
 * Row ↔ object mapping shared by both backends, so they cannot drift apart.
 * @internal
 */
import { createError, createErrorWith, HmpError } from '../errors.js';
import type { AuditEntry, RecommendationRecord, StoredMember } from '../recommend/types.js';
import type { StoreKind } from './types.js';

export interface MemberRow {
  member_id: string;
  descriptors: Uint8Array;
  dim: number | string;
  count: number | string;
  tags: string;
  consent: string;
  created_at: number | string;
}

export function memberFromRow(r: MemberRow): StoredMember {
  return {
    memberId: r.member_id,
    descriptorsEnc: new Uint8Array(r.descriptors.buffer, r.descriptors.byteOffset, r.descriptors.byteLength),
    dim: Number(r.dim),
    count: Number(r.count),
    tags: JSON.parse(r.tags) as StoredMember['tags'],
    consent: JSON.parse(r.consent) as StoredMember['consent'],
    createdAt: Number(r.created_at),
  };
}

export interface AuditRow {
  at: number | string;
  event: string;
  member_id: string | null;
  score: number | null;
  actor: string | null;
}

export function auditFromRow(r: AuditRow): AuditEntry {
  const e: AuditEntry = { at: Number(r.at), event: r.event as AuditEntry['event'], memberId: r.member_id };
  if (r.score !== null) e.score = Number(r.score);
  if (r.actor !== null) e.actor = r.actor;
  return e;
}

export function recommendationFromRow(r: { id: string; at: number | string; doc: string }): RecommendationRecord {
  const doc = JSON.parse(r.doc) as Omit<RecommendationRecord, 'id' | 'at'>;
  return { id: r.id, at: Number(r.at), ...doc };
}

export function recommendationDoc(rec: RecommendationRecord): string {
  const { id: _id, at: _at, ...doc } = rec;
  return JSON.stringify(doc);
}

/** Maps a driver error to HMP_ERR_STORE_QUERY (retryable), keeping hmp errors as they are. */
export function queryError(kind: StoreKind, op: string, err: unknown): HmpError {
  if (err instanceof HmpError) return err;
  return createErrorWith('HMP_ERR_STORE_QUERY', { cause: err }, kind, op, (err as Error)?.message ?? String(err));
}

export function closedError(kind: StoreKind): HmpError {
  return createError('HMP_ERR_STORE_CLOSED', kind);
}
