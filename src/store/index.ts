/**
 * Storage for recommendation and members: pick a backend with {@link openStore}.
 */
import { PostgresStore, type PostgresStoreOptions } from './postgres.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
import type { Store } from './types.js';

export type { Store, StoreKind } from './types.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres.js';
export { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

/** Which store to open: an SQLite data directory (embedded default) or a PostgreSQL URL. */
export type StoreOptions = { sqlite: SqliteStoreOptions } | { postgres: PostgresStoreOptions };

/**
 * Opens and migrates a store.
 * @throws HMP_ERR_STORE_OPEN, HMP_ERR_STORE_MIGRATION, HMP_ERR_STORE_VERSION
 * @example const store = await openStore({ sqlite: { dir: './data' } }); // SqliteStore, schema version 1
 */
export function openStore(options: StoreOptions): Promise<Store> {
  return 'postgres' in options ? PostgresStore.open(options.postgres) : SqliteStore.open(options.sqlite);
}
