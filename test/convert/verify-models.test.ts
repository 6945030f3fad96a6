/** At startup the engine verifies model files against the manifest and fails with coded errors. */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../dist/src/index.js';
import { verifyModels, loadManifest } from '../../dist/src/runtime/models.js';
import { ROOT } from '../helpers.js';

/** A models dir holding one real model (liveness) and its manifest entry. */
function modelsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-models-'));
  const all = loadManifest(join(ROOT, 'models'));
  const entry = all.models.find((m) => m.name === 'liveness')!;
  copyFileSync(join(ROOT, 'models', entry.file), join(dir, entry.file));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: all.version, models: [entry] }));
  return dir;
}

describe('model verification', () => {
  it('passes on intact files', async () => {
    const list = await verifyModels(modelsDir());
    expect(list.map((m) => m.name)).toEqual(['liveness']);
  });

  it('an altered file fails with HMP_ERR_MODEL_CHECKSUM naming the model', async () => {
    const dir = modelsDir();
    const f = join(dir, 'liveness.onnx');
    const b = readFileSync(f);
    b[b.length - 1] ^= 1;
    writeFileSync(f, b);
    await expect(verifyModels(dir)).rejects.toMatchObject({ code: 'HMP_ERR_MODEL_CHECKSUM', message: expect.stringContaining('liveness') });
    await expect(Engine.create({ poolSize: 1, modelsDir: dir })).rejects.toMatchObject({ code: 'HMP_ERR_MODEL_CHECKSUM' });
  });

  it('a missing file fails with HMP_ERR_MODEL_MISSING naming the model and path', async () => {
    const dir = modelsDir();
    rmSync(join(dir, 'liveness.onnx'));
    await expect(Engine.create({ poolSize: 1, modelsDir: dir })).rejects.toMatchObject({ code: 'HMP_ERR_MODEL_MISSING', message: expect.stringContaining(join(dir, 'liveness.onnx')) });
  });

  it('the committed models/ directory verifies', async () => {
    const list = await verifyModels(join(ROOT, 'models'));
    expect(list.length).toBeGreaterThanOrEqual(17);
  });
});
