/**
 * Opens the recommendation service from the environment, for `hmp serve`:
 *
 * - `HMP_RECOMMEND_STORE`: `sqlite:<data dir>` or a `postgres://` / `postgresql://` URL;
 *   unset disables the recommendation JSAPIs.
 * - `HMP_MEMBER_KEY`: 32-byte key (64 hex digits or base64); unset disables members.
 * - `HMP_RECOMMEND_SEED`, `HMP_STORE_CATEGORY`, `HMP_BRAND`: optional.
 */
import { createError } from '../errors.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { Recommender } from './service.js';

/**
 * @returns the service and its store (close both at shutdown), or undefined when
 *   `HMP_RECOMMEND_STORE` is unset
 * @throws HMP_ERR_CONFIG_INVALID, HMP_ERR_STORE_*, HMP_ERR_RECOMMEND_MEMBER_KEY
 * @example HMP_RECOMMEND_STORE=sqlite:/var/lib/hmp → { rec: Recommender, store: SqliteStore }
 */
export async function recommenderFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<{ rec: Recommender; store: Store } | undefined> {
  const spec = env.HMP_RECOMMEND_STORE;
  if (!spec) return undefined;
  let store: Store;
  if (spec.startsWith('sqlite:')) store = await openStore({ sqlite: { dir: spec.slice('sqlite:'.length) } });
  else if (/^postgres(ql)?:\/\//.test(spec)) store = await openStore({ postgres: { url: spec } });
  else throw createError('HMP_ERR_CONFIG_INVALID', 'HMP_RECOMMEND_STORE', 'expected sqlite:<dir> or a postgres:// URL');
  const seed = env.HMP_RECOMMEND_SEED === undefined ? undefined : Number(env.HMP_RECOMMEND_SEED);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) {
    await store.close();
    throw createError('HMP_ERR_CONFIG_INVALID', 'HMP_RECOMMEND_SEED', 'expected an integer 0..2^32-1');
  }
  try {
    const context: { storeCategory?: string; brand?: string } = {};
    if (env.HMP_STORE_CATEGORY) context.storeCategory = env.HMP_STORE_CATEGORY;
    if (env.HMP_BRAND) context.brand = env.HMP_BRAND;
    const rec = await Recommender.create({
      store,
      context,
      ...(seed !== undefined ? { seed } : {}),
      ...(env.HMP_MEMBER_KEY ? { members: { key: env.HMP_MEMBER_KEY } } : {}),
    });
    return { rec, store };
  } catch (err) {
    await store.close();
    throw err;
  }
}
