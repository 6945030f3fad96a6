import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVAL } from '../../helpers.js';

export const FACES = join(EVAL, 'faces');
export const UTK = join(FACES, 'utkface-200');
export const WIDER = join(FACES, 'wider-val-416');

/** One UTKFace crop per age bin and gender (the first listed), as labelled. */
export function utkSample(): { file: string; age: number; gender: 'male' | 'female' }[] {
  const rows = readFileSync(join(UTK, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
  const seen = new Set<string>();
  const out: { file: string; age: number; gender: 'male' | 'female' }[] = [];
  for (const [file, age, gender] of rows) {
    const bin = `${Math.min(8, Math.floor(Number(age) / 10))}-${gender}`;
    if (seen.has(bin)) continue;
    seen.add(bin);
    out.push({ file: join(UTK, 'images', file), age: Number(age), gender: gender as 'male' | 'female' });
  }
  return out;
}
