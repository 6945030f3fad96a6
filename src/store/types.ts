/**
 * The storage interface behind the catalog, learned statistics, served recommendations,
 * members and the audit log. Two implementations pass the same test suite
 * (test/store): SQLite (`./sqlite.ts`, the embedded default: one file in a data directory)
 * and PostgreSQL (`./postgres.ts`, shared by a fleet of screens).
 *
 * Every method is async (PostgreSQL is), validates nothing (callers in src/recommend
 * validate at the boundary) and fails with HMP_ERR_STORE_QUERY (retryable) or
 * HMP_ERR_STORE_CLOSED.
 */
import type { AuditEntry, CatalogItem, ItemStats, RecommendationRecord, StoredMember } from '../recommend/types.js';

/** Which backend a store is. */
export type StoreKind = 'sqlite' | 'postgres';

export interface Store {
  readonly kind: StoreKind;
  /** Schema version after migrations (the highest in `./migrations.ts` at open time). */
  schemaVersion(): Promise<number>;

  /** Inserts or replaces a catalog item. */
  putItem(item: CatalogItem, now: number): Promise<void>;
  /** Inserts or replaces many items in one transaction (catalog import). */
  putItems(items: readonly CatalogItem[], now: number): Promise<void>;
  getItem(id: string): Promise<CatalogItem | undefined>;
  /** Every item, ordered by id. */
  listItems(): Promise<CatalogItem[]>;
  /** Deletes an item and its learned statistics; false if there was none. */
  deleteItem(id: string): Promise<boolean>;

  /** Adds counts atomically (concurrent screens may add to the same row). */
  addStats(deltas: readonly ItemStats[]): Promise<void>;
  /** Every statistics row, ordered by item id then segment. */
  getStats(): Promise<ItemStats[]>;

  putRecommendation(rec: RecommendationRecord): Promise<void>;
  getRecommendation(id: string): Promise<RecommendationRecord | undefined>;
  /** Deletes recommendation records served before `before` (ms); returns how many. */
  pruneRecommendations(before: number): Promise<number>;

  /** Inserts a member; false (and no change) if the id exists. */
  insertMember(member: StoredMember): Promise<boolean>;
  getMember(memberId: string): Promise<StoredMember | undefined>;
  /** Every member, ordered by id. */
  listMembers(): Promise<StoredMember[]>;
  /**
   * Erases a member: descriptors, tags, consent record, and the audit entries naming it, in
   * one transaction. Returns false if there was no such member.
   */
  deleteMember(memberId: string): Promise<boolean>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(query?: { memberId?: string; limit?: number }): Promise<AuditEntry[]>;

  /** Closes connections; later calls fail with HMP_ERR_STORE_CLOSED. Idempotent. */
  close(): Promise<void>;
}
