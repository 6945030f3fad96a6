import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const run = promisify(execFile);
const CLI = join(ROOT, 'dist', 'src', 'cli', 'index.js');

async function hmp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('hmp CLI', () => {
  it('--help lists the commands', async () => {
    const r = await hmp('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hmp serve');
    expect(r.stdout).toContain('hmp info');
  });

  it('every command has usage text, and --help prints it without running the command', async () => {
    const { COMMANDS } = await import('../../dist/src/cli/main.js');
    expect(COMMANDS.length).toBeGreaterThanOrEqual(2);
    const names = new Set<string>();
    for (const c of COMMANDS) {
      const name = c.name.join(' ');
      expect(names.has(name), name).toBe(false);
      names.add(name);
      expect(c.help, name).toMatch(new RegExp(`^Usage: hmp ${name}`));
      expect(c.summary.length, name).toBeGreaterThan(5);
    }
    const r = await hmp('serve', '--help'); // would listen on a port if --help were not honoured
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: hmp serve/);
  });

  it('info --json reports versions, cores and the WASM kernels', async () => {
    const r = await hmp('info', '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.node).toBe(process.versions.node);
    expect(info.onnxruntime).toMatch(/^1\.\d+/);
    expect(info.cores).toBeGreaterThan(0);
    expect(Array.isArray(info.models)).toBe(true);
    expect(info.wasm.available).toBe(true);
  });

  it('an unknown command exits 2 with usage on stderr', async () => {
    const r = await hmp('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('an unknown flag exits 2 naming it', async () => {
    const r = await hmp('info', '--frob');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--frob');
  });
});
