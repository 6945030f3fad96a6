/**
 * Schema migrations, applied in order at open time and recorded in `hmp_migrations`.
 * Append new versions; never edit a published one (a fleet may have applied it).
 * Each version has one statement list per backend because the types differ (BLOB/BYTEA,
 * REAL/DOUBLE PRECISION, autoincrement); the tables and columns are the same.
 * @internal
 */

export interface Migration {
  version: number;
  name: string;
  sqlite: string[];
  postgres: string[];
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'catalog, stats, recommendations, members, audit',
    sqlite: [
      `CREATE TABLE catalog_items (id TEXT PRIMARY KEY, doc TEXT NOT NULL, updated_at INTEGER NOT NULL)`,
      `CREATE TABLE item_stats (item_id TEXT NOT NULL, segment TEXT NOT NULL, impressions REAL NOT NULL DEFAULT 0,
         clicks REAL NOT NULL DEFAULT 0, conversions REAL NOT NULL DEFAULT 0, PRIMARY KEY (item_id, segment))`,
      `CREATE TABLE recommendations (id TEXT PRIMARY KEY, at INTEGER NOT NULL, member_id TEXT, doc TEXT NOT NULL)`,
      `CREATE INDEX recommendations_at ON recommendations (at)`,
      `CREATE INDEX recommendations_member ON recommendations (member_id)`,
      `CREATE TABLE members (member_id TEXT PRIMARY KEY, descriptors BLOB NOT NULL, dim INTEGER NOT NULL, count INTEGER NOT NULL,
         tags TEXT NOT NULL, consent TEXT NOT NULL, created_at INTEGER NOT NULL)`,
      `CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, event TEXT NOT NULL, member_id TEXT,
         score REAL, actor TEXT)`,
      `CREATE INDEX audit_log_member ON audit_log (member_id)`,
    ],
    postgres: [
      `CREATE TABLE catalog_items (id TEXT PRIMARY KEY, doc TEXT NOT NULL, updated_at BIGINT NOT NULL)`,
      `CREATE TABLE item_stats (item_id TEXT NOT NULL, segment TEXT NOT NULL, impressions DOUBLE PRECISION NOT NULL DEFAULT 0,
         clicks DOUBLE PRECISION NOT NULL DEFAULT 0, conversions DOUBLE PRECISION NOT NULL DEFAULT 0, PRIMARY KEY (item_id, segment))`,
      `CREATE TABLE recommendations (id TEXT PRIMARY KEY, at BIGINT NOT NULL, member_id TEXT, doc TEXT NOT NULL)`,
      `CREATE INDEX recommendations_at ON recommendations (at)`,
      `CREATE INDEX recommendations_member ON recommendations (member_id)`,
      `CREATE TABLE members (member_id TEXT PRIMARY KEY, descriptors BYTEA NOT NULL, dim INTEGER NOT NULL, count INTEGER NOT NULL,
         tags TEXT NOT NULL, consent TEXT NOT NULL, created_at BIGINT NOT NULL)`,
      `CREATE TABLE audit_log (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, event TEXT NOT NULL, member_id TEXT,
         score DOUBLE PRECISION, actor TEXT)`,
      `CREATE INDEX audit_log_member ON audit_log (member_id)`,
    ],
  },
]);

/** The schema version this hmp writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
