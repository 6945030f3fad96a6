import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasEspeak, synthScene } from '../../../dist/src/tasks/voice/synth.js';
import { encodeWav } from '../../../dist/src/tasks/voice/wav.js';

/** espeak-ng is a Debian package (apt-get install -y espeak-ng); tests that synthesise skip without it. */
export const HAS_ESPEAK = await hasEspeak();
export const ESPEAK_SKIP = 'espeak-ng is not installed (apt-get install -y espeak-ng): skipping tests that synthesise their WAVs';

let sox = true;
try { execFileSync('sox', ['--version'], { stdio: 'ignore' }); } catch { sox = false; }
export const HAS_SOX = sox;

/** A WAV scene made by the repo's synthesis script (same code as `hmp voice synth`). */
export async function scene(items: { at: number; text: string }[], voice: string, variant: string, length?: number) {
  const s = await synthScene(items, { voice, variant, speed: 160, pitch: 50 }, { length, noiseDb: -70, seed: 1 });
  return { wav: encodeWav(s.samples, 16000), samples: s.samples, placements: s.placements };
}

/** The same WAV at another rate, resampled by sox (Debian package sox). */
export function soxRate(wav: Uint8Array, rate: number): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-voice-'));
  writeFileSync(join(dir, 'a.wav'), wav);
  execFileSync('sox', [join(dir, 'a.wav'), '-r', String(rate), join(dir, 'b.wav')]);
  return readFileSync(join(dir, 'b.wav'));
}
