import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SCHEMA_VERSION, SqliteStore, PostgresStore } from '../../dist/src/store/index.js';
import { backends, PG_URL } from './backends.js';

for (const b of backends()) {
  describe.skipIf(b.skip)(`store migrations: ${b.title}`, () => {
    afterAll(() => b.cleanup());

    it('migrates a new store to the current version once; reopening applies nothing', async () => {
      const s = await b.open();
      expect(await s.schemaVersion()).toBe(SCHEMA_VERSION);
      await s.close();
      const s2 = await b.reopen();
      try {
        expect(await s2.schemaVersion()).toBe(SCHEMA_VERSION);
      } finally {
        await s2.close();
      }
    });

    it('refuses a store migrated by a newer hmp with HMP_ERR_STORE_VERSION', async () => {
      const s = await b.open();
      const path = s instanceof SqliteStore ? s.path : undefined;
      const schema = s instanceof PostgresStore ? s.schema : undefined;
      await s.close();
      if (path) {
        const db = new Database(path);
        db.prepare('INSERT INTO hmp_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', 0);
        db.close();
      } else {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`INSERT INTO ${schema}.hmp_migrations (version, name, applied_at) VALUES ($1, 'future', 0)`, [SCHEMA_VERSION + 1]);
        await c.end();
      }
      await expect(b.reopen()).rejects.toMatchObject({ code: 'HMP_ERR_STORE_VERSION' });
    });
  });
}

describe('store migrations: backend specifics', () => {
  it('sqlite runs in WAL mode', async () => {
    const [sq] = backends();
    const s = (await sq!.open()) as InstanceType<typeof SqliteStore>;
    await s.close();
    const db = new Database(s.path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await sq!.cleanup();
  });

  it.skipIf(!PG_URL)('postgres: screens opening a new schema together migrate it exactly once', async () => {
    const schema = `hmp_tmig_${process.pid}_${Date.now().toString(36)}`;
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open({ url: PG_URL!, schema })));
    try {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      const r = await c.query(`SELECT count(*)::int AS n FROM ${schema}.hmp_migrations`);
      expect(r.rows[0].n).toBe(SCHEMA_VERSION);
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('reports an unreachable PostgreSQL server as HMP_ERR_STORE_OPEN without the password', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const err = await PostgresStore.open({ url: 'postgres://u:secret@127.0.0.1:1/x', connectTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HMP_ERR_STORE_OPEN' });
    expect((err as Error).message).not.toContain('secret');
  });

  it('rejects an unsafe schema name naming the parameter', async () => {
    await expect(PostgresStore.open({ url: 'postgres://127.0.0.1:1/x', schema: 'a; DROP TABLE x' })).rejects.toMatchObject({ code: 'HMP_ERR_ARG_INVALID', message: expect.stringContaining('schema') });
  });
});
