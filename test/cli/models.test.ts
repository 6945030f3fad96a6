/** `hmp models list | convert | build --check` end to end through the CLI. */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { tinyModel } from '../convert/fixtures.js';

const CLI = join(ROOT, 'dist', 'src', 'cli', 'index.js');

async function hmp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('hmp models', () => {
  it('list prints every registry model; --json gives the manifest entries', async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'models', 'manifest.json'), 'utf8')) as { models: { name: string }[] };
    const text = await hmp('models', 'list');
    expect(text.code).toBe(0);
    for (const m of manifest.models) expect(text.stdout).toContain(m.name);
    expect(text.stdout).toContain(`${manifest.models.length} models`);
    const json = await hmp('models', 'list', '--json');
    expect((JSON.parse(json.stdout) as { name: string }[]).map((m) => m.name)).toEqual(manifest.models.map((m) => m.name));
  });

  it('convert writes an ONNX file, and reports an unsupported op by code, op and node', async () => {
    const ok = tinyModel();
    const out = join(ok.dir, 'tiny.onnx');
    const r = await hmp('models', 'convert', ok.json, out);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(r.stdout).toContain('x[N,2]');
    const bad = tinyModel({ extraOp: 'Erfinv' });
    const e = await hmp('models', 'convert', bad.json, join(bad.dir, 'x.onnx'));
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('HMP_ERR_CONVERT_OP_UNSUPPORTED');
    expect(e.stderr).toContain('Erfinv at node odd/node');
  });

  it('build --check fails with HMP_ERR_MODELS_BUILD_MISMATCH naming an altered file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hmp-check-'));
    cpSync(join(ROOT, 'models'), dir, { recursive: true });
    const f = join(dir, 'emotion.onnx');
    const b = readFileSync(f);
    b[100] ^= 0xff;
    writeFileSync(f, b);
    const r = await hmp('models', 'build', '--check', '--out', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HMP_ERR_MODELS_BUILD_MISMATCH');
    expect(r.stderr).toContain('emotion.onnx: differs');
    expect(r.stderr).not.toContain('faceres.onnx: differs');
  });
});
