/**
 * The embedded store: one SQLite database `hmp.db` in a data directory, through
 * better-sqlite3, in WAL mode (readers never block the writer, and a crash loses at most
 * the last transaction). better-sqlite3 is synchronous; statements here are short
 * (single-row or one transaction), so running them on the main thread is cheaper than a
 * round trip to a worker.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { createErrorWith, createError, HmpError } from '../errors.js';
import type { AuditEntry, CatalogItem, ItemStats, RecommendationRecord, StoredMember } from '../recommend/types.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { auditFromRow, closedError, memberFromRow, queryError, recommendationDoc, recommendationFromRow, type AuditRow, type MemberRow } from './rows.js';
import type { Store } from './types.js';

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions {
  /** Data directory (created if missing); the database is `<dir>/hmp.db`. */
  dir: string;
  /** Wait this long for a lock held by another process before failing, ms. Default 5000. */
  busyTimeoutMs?: number;
}

type Db = Database.Database;

/**
 * SQLite implementation of {@link Store}.
 * @example
 * const store = await SqliteStore.open({ dir: '/var/lib/hmp' });
 * await store.schemaVersion(); // 1
 * await store.close();
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  /** Absolute path of the database file. */
  readonly path: string;
  #db: Db | undefined;

  private constructor(db: Db, path: string) {
    this.#db = db;
    this.path = path;
  }

  /**
   * Opens (creating and migrating as needed) the database in `dir`.
   * @throws HMP_ERR_STORE_OPEN, HMP_ERR_STORE_MIGRATION, HMP_ERR_STORE_VERSION
   */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const dir = resolve(options.dir);
    const path = join(dir, 'hmp.db');
    let db: Db;
    try {
      mkdirSync(dir, { recursive: true });
      db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
      db.pragma('journal_mode = WAL');
      // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose
      // the last commits, which is acceptable for counts and a catalog that can be re-imported.
      db.pragma('synchronous = NORMAL');
    } catch (err) {
      throw createErrorWith('HMP_ERR_STORE_OPEN', { cause: err }, 'sqlite', path, (err as Error).message);
    }
    try {
      migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteStore(db, path);
  }

  #run<T>(op: string, fn: (db: Db) => T): Promise<T> {
    const db = this.#db;
    if (!db) return Promise.reject(closedError('sqlite'));
    try {
      return Promise.resolve(fn(db));
    } catch (err) {
      return Promise.reject(queryError('sqlite', op, err));
    }
  }

  schemaVersion(): Promise<number> {
    return this.#run('schemaVersion', (db) => currentVersion(db));
  }

  putItem(item: CatalogItem, now: number): Promise<void> {
    return this.putItems([item], now);
  }

  putItems(items: readonly CatalogItem[], now: number): Promise<void> {
    return this.#run('putItems', (db) => {
      const st = db.prepare('INSERT INTO catalog_items (id, doc, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at');
      db.transaction(() => {
        for (const it of items) st.run(it.id, JSON.stringify(it), now);
      })();
    });
  }

  getItem(id: string): Promise<CatalogItem | undefined> {
    return this.#run('getItem', (db) => {
      const r = db.prepare('SELECT doc FROM catalog_items WHERE id = ?').get(id) as { doc: string } | undefined;
      return r ? (JSON.parse(r.doc) as CatalogItem) : undefined;
    });
  }

  listItems(): Promise<CatalogItem[]> {
    return this.#run('listItems', (db) => (db.prepare('SELECT doc FROM catalog_items ORDER BY id').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as CatalogItem));
  }

  deleteItem(id: string): Promise<boolean> {
    return this.#run('deleteItem', (db) =>
      db.transaction(() => {
        db.prepare('DELETE FROM item_stats WHERE item_id = ?').run(id);
        return db.prepare('DELETE FROM catalog_items WHERE id = ?').run(id).changes > 0;
      })(),
    );
  }

  addStats(deltas: readonly ItemStats[]): Promise<void> {
    return this.#run('addStats', (db) => {
      const st = db.prepare(
        `INSERT INTO item_stats (item_id, segment, impressions, clicks, conversions) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (item_id, segment) DO UPDATE SET impressions = impressions + excluded.impressions,
           clicks = clicks + excluded.clicks, conversions = conversions + excluded.conversions`,
      );
      db.transaction(() => {
        for (const d of deltas) st.run(d.itemId, d.segment, d.impressions, d.clicks, d.conversions);
      })();
    });
  }

  getStats(): Promise<ItemStats[]> {
    return this.#run('getStats', (db) =>
      db.prepare('SELECT item_id AS itemId, segment, impressions, clicks, conversions FROM item_stats ORDER BY item_id, segment').all() as ItemStats[],
    );
  }

  putRecommendation(rec: RecommendationRecord): Promise<void> {
    return this.#run('putRecommendation', (db) => {
      db.prepare('INSERT INTO recommendations (id, at, member_id, doc) VALUES (?, ?, ?, ?)').run(rec.id, rec.at, rec.memberId ?? null, recommendationDoc(rec));
    });
  }

  getRecommendation(id: string): Promise<RecommendationRecord | undefined> {
    return this.#run('getRecommendation', (db) => {
      const r = db.prepare('SELECT id, at, doc FROM recommendations WHERE id = ?').get(id) as { id: string; at: number; doc: string } | undefined;
      return r ? recommendationFromRow(r) : undefined;
    });
  }

  pruneRecommendations(before: number): Promise<number> {
    return this.#run('pruneRecommendations', (db) => db.prepare('DELETE FROM recommendations WHERE at < ?').run(before).changes);
  }

  insertMember(m: StoredMember): Promise<boolean> {
    return this.#run('insertMember', (db) => {
      const r = db
        .prepare('INSERT INTO members (member_id, descriptors, dim, count, tags, consent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (member_id) DO NOTHING')
        .run(m.memberId, Buffer.from(m.descriptorsEnc), m.dim, m.count, JSON.stringify(m.tags), JSON.stringify(m.consent), m.createdAt);
      return r.changes > 0;
    });
  }

  getMember(memberId: string): Promise<StoredMember | undefined> {
    return this.#run('getMember', (db) => {
      const r = db.prepare('SELECT * FROM members WHERE member_id = ?').get(memberId) as MemberRow | undefined;
      return r ? memberFromRow(r) : undefined;
    });
  }

  listMembers(): Promise<StoredMember[]> {
    return this.#run('listMembers', (db) => (db.prepare('SELECT * FROM members ORDER BY member_id').all() as MemberRow[]).map(memberFromRow));
  }

  deleteMember(memberId: string): Promise<boolean> {
    return this.#run('deleteMember', (db) =>
      db.transaction(() => {
        db.prepare('DELETE FROM audit_log WHERE member_id = ?').run(memberId);
        db.prepare('DELETE FROM recommendations WHERE member_id = ?').run(memberId);
        return db.prepare('DELETE FROM members WHERE member_id = ?').run(memberId).changes > 0;
      })(),
    );
  }

  appendAudit(e: AuditEntry): Promise<void> {
    return this.#run('appendAudit', (db) => {
      db.prepare('INSERT INTO audit_log (at, event, member_id, score, actor) VALUES (?, ?, ?, ?, ?)').run(e.at, e.event, e.memberId, e.score ?? null, e.actor ?? null);
    });
  }

  listAudit(query: { memberId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    return this.#run('listAudit', (db) => {
      const limit = query.limit ?? 1000;
      const rows = (
        query.memberId === undefined
          ? db.prepare('SELECT at, event, member_id, score, actor FROM audit_log ORDER BY id DESC LIMIT ?').all(limit)
          : db.prepare('SELECT at, event, member_id, score, actor FROM audit_log WHERE member_id = ? ORDER BY id DESC LIMIT ?').all(query.memberId, limit)
      ) as AuditRow[];
      return rows.map(auditFromRow);
    });
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    db?.close();
  }
}

function currentVersion(db: Db): number {
  const r = db.prepare('SELECT MAX(version) AS v FROM hmp_migrations').get() as { v: number | null };
  return r.v ?? 0;
}

/** Applies pending migrations, each in its own transaction (BEGIN IMMEDIATE: one migrator at a time). */
function migrate(db: Db): void {
  try {
    db.exec('CREATE TABLE IF NOT EXISTS hmp_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  } catch (err) {
    throw createErrorWith('HMP_ERR_STORE_MIGRATION', { cause: err }, 0, 'sqlite', (err as Error).message);
  }
  const have = currentVersion(db);
  if (have > SCHEMA_VERSION) throw createError('HMP_ERR_STORE_VERSION', 'sqlite', have, SCHEMA_VERSION);
  for (const m of MIGRATIONS) {
    try {
      db.transaction(() => {
        // Re-read inside the write lock: another process may have migrated meanwhile.
        if (currentVersion(db) >= m.version) return;
        for (const sql of m.sqlite) db.exec(sql);
        db.prepare('INSERT INTO hmp_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      }).immediate();
    } catch (err) {
      if (err instanceof HmpError) throw err;
      throw createErrorWith('HMP_ERR_STORE_MIGRATION', { cause: err }, m.version, 'sqlite', (err as Error).message);
    }
  }
}
