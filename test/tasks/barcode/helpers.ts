/** Shared paths for the barcode tests. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const evalDir = join(repoRoot, '..', 'shared', 'eval', 'barcode');
export const zxingDir = join(evalDir, 'zxing');
export const hasEval = existsSync(join(evalDir, 'zxing_testspec', 'expectations.json'));
export const skipMsg = `needs ZXing's black-box suite at ${evalDir} (CI has it; a clone does not)`;
