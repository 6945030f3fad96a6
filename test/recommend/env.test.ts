import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recommenderFromEnv } from '../../dist/src/recommend/index.js';

describe('recommender from the environment (hmp serve)', () => {
  it('is disabled without HMP_RECOMMEND_STORE, opens SQLite with members from sqlite:<dir>, and rejects bad settings', async () => {
    expect(await recommenderFromEnv({})).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'hmp-env-'));
    try {
      const got = await recommenderFromEnv({ HMP_RECOMMEND_STORE: `sqlite:${dir}`, HMP_MEMBER_KEY: randomBytes(32).toString('base64'), HMP_RECOMMEND_SEED: '9' });
      expect(got!.store.kind).toBe('sqlite');
      expect(got!.rec.members).toBeDefined();
      got!.rec.close();
      await got!.store.close();
      await expect(recommenderFromEnv({ HMP_RECOMMEND_STORE: 'mysql://x' })).rejects.toMatchObject({ code: 'HMP_ERR_CONFIG_INVALID', message: expect.stringContaining('HMP_RECOMMEND_STORE') });
      await expect(recommenderFromEnv({ HMP_RECOMMEND_STORE: `sqlite:${dir}`, HMP_RECOMMEND_SEED: '-1' })).rejects.toMatchObject({ code: 'HMP_ERR_CONFIG_INVALID', message: expect.stringContaining('HMP_RECOMMEND_SEED') });
      await expect(recommenderFromEnv({ HMP_RECOMMEND_STORE: `sqlite:${dir}`, HMP_MEMBER_KEY: 'short' })).rejects.toMatchObject({ code: 'HMP_ERR_RECOMMEND_MEMBER_KEY' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
