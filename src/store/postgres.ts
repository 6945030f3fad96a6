/**
 * The fleet store: PostgreSQL through `pg`, so screens share the catalog, the learned
 * statistics (each screen adds its counts atomically with `ON CONFLICT ... DO UPDATE`),
 * members and the audit log. Migrations run under a transaction-scoped advisory lock, so
 * screens starting together migrate once.
 */
import pg from 'pg';
import { createError, createErrorWith, HmpError } from '../errors.js';
import type { AuditEntry, CatalogItem, ItemStats, RecommendationRecord, StoredMember } from '../recommend/types.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { auditFromRow, closedError, memberFromRow, queryError, recommendationDoc, recommendationFromRow, type AuditRow, type MemberRow } from './rows.js';
import type { Store } from './types.js';

/** Options of {@link PostgresStore.open}. */
export interface PostgresStoreOptions {
  /** Connection string, e.g. `postgres://hmp@127.0.0.1:5432/hmp`. */
  url: string;
  /** Schema holding hmp's tables (created if missing). Default `hmp`. */
  schema?: string;
  /** Pool size. Default 4. */
  maxConnections?: number;
  /** Connect timeout, ms. Default 5000. */
  connectTimeoutMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Advisory lock key of the migrator ("hmp" in ASCII). */
const MIGRATION_LOCK = 0x686d70;

/** Hides the password of a connection string in messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * PostgreSQL implementation of {@link Store}.
 * @example
 * const store = await PostgresStore.open({ url: process.env.HMP_PG_URL! });
 * await store.schemaVersion(); // 1
 * await store.close();
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  /** The schema holding the tables. */
  readonly schema: string;
  #pool: pg.Pool | undefined;

  private constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.schema = schema;
  }

  /**
   * Connects, creates the schema if needed and applies pending migrations.
   * @throws HMP_ERR_ARG_INVALID (schema name), HMP_ERR_STORE_OPEN, HMP_ERR_STORE_MIGRATION, HMP_ERR_STORE_VERSION
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = options.schema ?? 'hmp';
    if (!SCHEMA_NAME.test(schema)) throw createError('HMP_ERR_ARG_INVALID', 'lower-case SQL identifier', 'schema', JSON.stringify(schema));
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      // Every connection resolves table names in hmp's schema only.
      options: `-c search_path=${schema}`,
    });
    // An idle client losing its connection emits 'error' on the pool; without a listener
    // that would crash the process. The next query reconnects and reports the failure.
    pool.on('error', () => {});
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      await pool.end().catch(() => {});
      throw createErrorWith('HMP_ERR_STORE_OPEN', { cause: err }, 'postgres', redact(options.url), (err as Error).message);
    }
    try {
      await migrate(client, schema);
    } catch (err) {
      client.release();
      await pool.end().catch(() => {});
      throw err;
    }
    client.release();
    return new PostgresStore(pool, schema);
  }

  async #q<R extends pg.QueryResultRow>(op: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    const pool = this.#pool;
    if (!pool) throw closedError('postgres');
    try {
      return await pool.query<R>(sql, params);
    } catch (err) {
      throw queryError('postgres', op, err);
    }
  }

  async #tx<T>(op: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const pool = this.#pool;
    if (!pool) throw closedError('postgres');
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw queryError('postgres', op, err);
    }
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw queryError('postgres', op, err);
    } finally {
      client.release();
    }
  }

  async schemaVersion(): Promise<number> {
    const r = await this.#q<{ v: number | null }>('schemaVersion', 'SELECT MAX(version) AS v FROM hmp_migrations');
    return Number(r.rows[0]?.v ?? 0);
  }

  putItem(item: CatalogItem, now: number): Promise<void> {
    return this.putItems([item], now);
  }

  async putItems(items: readonly CatalogItem[], now: number): Promise<void> {
    await this.#tx('putItems', async (c) => {
      for (const it of items) {
        await c.query('INSERT INTO catalog_items (id, doc, updated_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at', [
          it.id,
          JSON.stringify(it),
          now,
        ]);
      }
    });
  }

  async getItem(id: string): Promise<CatalogItem | undefined> {
    const r = await this.#q<{ doc: string }>('getItem', 'SELECT doc FROM catalog_items WHERE id = $1', [id]);
    return r.rows[0] ? (JSON.parse(r.rows[0].doc) as CatalogItem) : undefined;
  }

  async listItems(): Promise<CatalogItem[]> {
    // COLLATE "C": byte order, the same order SQLite's BINARY collation gives.
    const r = await this.#q<{ doc: string }>('listItems', 'SELECT doc FROM catalog_items ORDER BY id COLLATE "C"');
    return r.rows.map((x) => JSON.parse(x.doc) as CatalogItem);
  }

  deleteItem(id: string): Promise<boolean> {
    return this.#tx('deleteItem', async (c) => {
      await c.query('DELETE FROM item_stats WHERE item_id = $1', [id]);
      return ((await c.query('DELETE FROM catalog_items WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
  }

  async addStats(deltas: readonly ItemStats[]): Promise<void> {
    if (deltas.length === 0) return;
    await this.#tx('addStats', async (c) => {
      for (const d of deltas) {
        await c.query(
          `INSERT INTO item_stats (item_id, segment, impressions, clicks, conversions) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (item_id, segment) DO UPDATE SET impressions = item_stats.impressions + excluded.impressions,
             clicks = item_stats.clicks + excluded.clicks, conversions = item_stats.conversions + excluded.conversions`,
          [d.itemId, d.segment, d.impressions, d.clicks, d.conversions],
        );
      }
    });
  }

  async getStats(): Promise<ItemStats[]> {
    const r = await this.#q<ItemStats>(
      'getStats',
      'SELECT item_id AS "itemId", segment, impressions, clicks, conversions FROM item_stats ORDER BY item_id COLLATE "C", segment COLLATE "C"',
    );
    return r.rows.map((x) => ({ itemId: x.itemId, segment: x.segment, impressions: Number(x.impressions), clicks: Number(x.clicks), conversions: Number(x.conversions) }));
  }

  async putRecommendation(rec: RecommendationRecord): Promise<void> {
    await this.#q('putRecommendation', 'INSERT INTO recommendations (id, at, member_id, doc) VALUES ($1, $2, $3, $4)', [rec.id, rec.at, rec.memberId ?? null, recommendationDoc(rec)]);
  }

  async getRecommendation(id: string): Promise<RecommendationRecord | undefined> {
    const r = await this.#q<{ id: string; at: string; doc: string }>('getRecommendation', 'SELECT id, at, doc FROM recommendations WHERE id = $1', [id]);
    return r.rows[0] ? recommendationFromRow(r.rows[0]) : undefined;
  }

  async pruneRecommendations(before: number): Promise<number> {
    return (await this.#q('pruneRecommendations', 'DELETE FROM recommendations WHERE at < $1', [before])).rowCount ?? 0;
  }

  async insertMember(m: StoredMember): Promise<boolean> {
    const r = await this.#q(
      'insertMember',
      'INSERT INTO members (member_id, descriptors, dim, count, tags, consent, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (member_id) DO NOTHING',
      [m.memberId, Buffer.from(m.descriptorsEnc), m.dim, m.count, JSON.stringify(m.tags), JSON.stringify(m.consent), m.createdAt],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async getMember(memberId: string): Promise<StoredMember | undefined> {
    const r = await this.#q<MemberRow>('getMember', 'SELECT * FROM members WHERE member_id = $1', [memberId]);
    return r.rows[0] ? memberFromRow(r.rows[0]) : undefined;
  }

  async listMembers(): Promise<StoredMember[]> {
    const r = await this.#q<MemberRow>('listMembers', 'SELECT * FROM members ORDER BY member_id COLLATE "C"');
    return r.rows.map(memberFromRow);
  }

  deleteMember(memberId: string): Promise<boolean> {
    return this.#tx('deleteMember', async (c) => {
      await c.query('DELETE FROM audit_log WHERE member_id = $1', [memberId]);
      await c.query('DELETE FROM recommendations WHERE member_id = $1', [memberId]);
      return ((await c.query('DELETE FROM members WHERE member_id = $1', [memberId])).rowCount ?? 0) > 0;
    });
  }

  async appendAudit(e: AuditEntry): Promise<void> {
    await this.#q('appendAudit', 'INSERT INTO audit_log (at, event, member_id, score, actor) VALUES ($1, $2, $3, $4, $5)', [e.at, e.event, e.memberId, e.score ?? null, e.actor ?? null]);
  }

  async listAudit(query: { memberId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = query.limit ?? 1000;
    const r =
      query.memberId === undefined
        ? await this.#q<AuditRow>('listAudit', 'SELECT at, event, member_id, score, actor FROM audit_log ORDER BY id DESC LIMIT $1', [limit])
        : await this.#q<AuditRow>('listAudit', 'SELECT at, event, member_id, score, actor FROM audit_log WHERE member_id = $1 ORDER BY id DESC LIMIT $2', [query.memberId, limit]);
    return r.rows.map(auditFromRow);
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }
}

async function migrate(c: pg.PoolClient, schema: string): Promise<void> {
  let version = 0;
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await c.query('CREATE TABLE IF NOT EXISTS hmp_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const have = Number((await c.query<{ v: number | null }>('SELECT MAX(version) AS v FROM hmp_migrations')).rows[0]?.v ?? 0);
    if (have > SCHEMA_VERSION) throw createError('HMP_ERR_STORE_VERSION', 'postgres', have, SCHEMA_VERSION);
    for (const m of MIGRATIONS) {
      if (m.version <= have) continue;
      version = m.version;
      for (const sql of m.postgres) await c.query(sql);
      await c.query('INSERT INTO hmp_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
    }
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    if (err instanceof HmpError) throw err;
    throw createErrorWith('HMP_ERR_STORE_MIGRATION', { cause: err }, version, 'postgres', (err as Error).message);
  }
}
