// Regenerates the error table in README.md between the ERRORS markers from src/errors.ts
// (compiled): node scripts/readme-errors.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_CODES } from '../dist/src/errors.js';

const rows = Object.entries(ERROR_CODES).map(([code, s]) => `| \`${code}\` | ${s.status} | ${s.retryable ? 'yes' : 'no'} | ${s.doc.replace(/\|/g, '\\|')} |`);
const table = ['| code | HTTP | retryable | when |', '| --- | --- | --- | --- |', ...rows].join('\n');
const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const re = /(<!-- ERRORS:BEGIN -->)[\s\S]*?(<!-- ERRORS:END -->)/;
if (!re.test(readme)) throw new Error('README.md has no ERRORS markers');
writeFileSync(file, readme.replace(re, `$1\n${table}\n$2`));
console.log(`README.md: ${rows.length} error codes`);
