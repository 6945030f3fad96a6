/**
 * `hmp recommend simulate` and `hmp catalog import`.
 * @internal
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { createError } from '../../errors.js';
import { recommenderFromEnv } from '../../recommend/env.js';
import { simulate } from '../../recommend/simulate.js';

export const recommendSimulate: Command = {
  name: ['recommend', 'simulate'],
  summary: 'Bandit simulation: click-through lift over random and targeting-only',
  help: `Usage: hmp recommend simulate [--impressions N] [--seed S] [--json]

Replays one stream of simulated viewers with hidden per-segment preferences against four
policies (random, targeting only, the bandit, the oracle) and prints their click-through rates
and the bandit's lift. Deterministic for a seed (see docs/recommend.md).

Options:
  --impressions N   impressions per policy (default 20000)
  --seed S          seed of the world, the viewers and the bandit (default 42)
  --json            print the result as JSON
  -h, --help        show this help`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { impressions: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
    const impressions = values.impressions === undefined ? 20000 : Number(values.impressions);
    if (!Number.isInteger(impressions) || impressions < 100 || impressions > 10_000_000) throw createError('HMP_ERR_ARG_RANGE', 'integer between 100 and 10000000', '--impressions', values.impressions);
    const seed = values.seed === undefined ? 42 : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 31) throw createError('HMP_ERR_ARG_RANGE', 'integer between 0 and 2^31-1', '--seed', values.seed);
    const r = await simulate({ impressions, seed });
    if (values.json) {
      process.stdout.write(JSON.stringify(r) + '\n');
      return 0;
    }
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    for (const [name, p] of [['random', r.random], ['targeting only', r.targeting], ['bandit', r.bandit], ['oracle', r.oracle]] as const) {
      process.stdout.write(`${name.padEnd(16)} CTR ${pct(p.ctr).padStart(7)}  last quarter ${pct(p.ctrLastQuarter).padStart(7)}  clicks ${p.clicks}\n`);
    }
    process.stdout.write(`lift: ${r.liftOverRandom.toFixed(2)}x over random, ${r.liftOverTargeting.toFixed(2)}x over targeting-only (seed ${seed}, ${impressions} impressions)\n`);
    return 0;
  },
};

export const catalogImport: Command = {
  name: ['catalog', 'import'],
  summary: 'Import a catalog JSON file into the recommendation store',
  help: `Usage: hmp catalog import <file.json> [--store sqlite:<dir>|postgres://...]

Validates the file ({"version": 1, "items": [...]}, schema in docs/recommend.md) and writes all
items or none. The store defaults to HMP_RECOMMEND_STORE.

Options:
  --store S    sqlite:<data dir> or a postgres:// URL (default: $HMP_RECOMMEND_STORE)
  -h, --help   show this help`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { store: { type: 'string' } }, strict: true });
    if (positionals.length !== 1) throw createError('HMP_ERR_ARG_INVALID', 'one catalog file', 'file', positionals.length ? positionals.join(' ') : 'nothing');
    const spec = values.store ?? process.env.HMP_RECOMMEND_STORE;
    if (!spec) throw createError('HMP_ERR_ARG_INVALID', 'sqlite:<dir> or a postgres:// URL', '--store', 'nothing (and HMP_RECOMMEND_STORE is unset)');
    const text = await readFile(positionals[0]!, 'utf8').catch((err: Error) => {
      throw createError('HMP_ERR_ARG_INVALID', 'a readable file', 'file', `${positionals[0]} (${err.message})`);
    });
    // Members are not needed to import a catalog, so the key is left out on purpose.
    const opened = (await recommenderFromEnv({ HMP_RECOMMEND_STORE: spec }))!;
    try {
      const n = await opened.rec.importCatalog(text);
      process.stdout.write(`imported ${n} items into ${opened.store.kind}\n`);
      return 0;
    } finally {
      opened.rec.close();
      await opened.store.close();
    }
  },
};
