import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers.js';
import { HAS_ESPEAK } from './helpers.js';

const run = promisify(execFile);
const CLI = join(ROOT, 'dist', 'src', 'cli', 'index.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'voice', 'stop-en-16k.wav');

describe('hmp voice CLI', () => {
  it('--json prints one event per line with type and t (seconds), commands with id, score and action', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'voice', FIXTURE, '--json'], { cwd: ROOT });
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.type)).toEqual(['speechStart', 'command', 'speechEnd']);
    for (const e of events) expect(typeof e.t).toBe('number');
    expect(events[1]).toMatchObject({ phrase: 'stop_en', command: 'treadmill.stop', action: { type: 'treadmill', op: 'stop' } });
    expect(events[2]).toMatchObject({ forced: false, audioBytes: expect.any(Number) });
  });

  it('--live reads PCM16 from stdin (the same events as the file)', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseWav } = await import('../../../dist/src/tasks/voice/wav.js');
    const { pcm } = parseWav(readFileSync(FIXTURE));
    const p = run(process.execPath, [CLI, 'voice', '--live', '--rate', '16000', '--json'], { cwd: ROOT });
    p.child.stdin!.end(Buffer.from(pcm));
    const { stdout } = await p;
    expect(stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['speechStart', 'command', 'speechEnd']);
  });

  it('a non-WAV file exits 2 with the coded error', async () => {
    const err = await run(process.execPath, [CLI, 'voice', join(ROOT, 'package.json')], { cwd: ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain('HMP_ERR_VOICE_FORMAT');
  });

  it.skipIf(!HAS_ESPEAK)('voice train refuses an empty babble bed with a coded error before synthesising anything', async () => {
    const err = await run(process.execPath, [CLI, 'voice', 'train', '--babble-minutes', '0', '--out', join(ROOT, '.test-out', 'never')], { cwd: ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain('HMP_ERR_ARG_INVALID');
    expect((err as { stderr: string }).stderr).toContain('--babble-minutes');
  });
});
