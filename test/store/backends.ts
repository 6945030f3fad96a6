/**
 * The two storage backends every store test runs against. SQLite always runs (a temporary
 * data directory); PostgreSQL runs when HMP_TEST_PG_URL names a server (CI starts one with
 * scripts/pg-test-server.sh) and is skipped with a message otherwise. Each PostgreSQL store
 * gets its own schema, dropped afterwards, so test files never see each other's rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresStore, SqliteStore, type Store } from '../../dist/src/store/index.js';

export const PG_URL = process.env.HMP_TEST_PG_URL;
export const PG_SKIP = 'PostgreSQL half skipped: HMP_TEST_PG_URL is not set (start a server with: eval "$(bash scripts/pg-test-server.sh start)")';

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Describe title; names the skip reason when skipped. */
  title: string;
  skip: boolean;
  /** Opens a fresh, empty store (a new directory or schema each call). */
  open(): Promise<Store>;
  /** Reopens the most recent store's location (same directory or schema). */
  reopen(): Promise<Store>;
  /** Deletes everything the backend created. */
  cleanup(): Promise<void>;
}

let counter = 0;

function sqlite(): Backend {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    title: 'sqlite',
    skip: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'hmp-store-'));
      dirs.push(dir);
      return SqliteStore.open({ dir });
    },
    async reopen() {
      return SqliteStore.open({ dir: dirs[dirs.length - 1]! });
    },
    async cleanup() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

function postgres(): Backend {
  const schemas: string[] = [];
  return {
    name: 'postgres',
    title: PG_URL ? 'postgres' : `postgres (${PG_SKIP})`,
    skip: !PG_URL,
    async open() {
      const schema = `hmp_t${process.pid}_${Date.now().toString(36)}_${counter++}`;
      schemas.push(schema);
      return PostgresStore.open({ url: PG_URL!, schema });
    },
    async reopen() {
      return PostgresStore.open({ url: PG_URL!, schema: schemas[schemas.length - 1]! });
    },
    async cleanup() {
      if (!PG_URL || schemas.length === 0) return;
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        for (const s of schemas.splice(0)) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Both backends, SQLite first. */
export function backends(): Backend[] {
  // The reporter hides skipped suites' titles, so say it where it is seen.
  if (!PG_URL) console.warn(PG_SKIP);
  return [sqlite(), postgres()];
}
