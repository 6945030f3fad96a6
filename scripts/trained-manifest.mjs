// Writes models/trained.json: the manifest of the model files hmp trains itself (not converted
// from a package), with sha256, the command that reproduces them, and the data they come from.
//   node scripts/trained-manifest.mjs          # rewrite
//   node scripts/trained-manifest.mjs --check  # exit 1 if a listed file's sha256 differs
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const ENTRIES = [
  {
    name: 'scene-v1',
    task: 'scene',
    files: ['scene/scene-v1.json'],
    producedBy: 'hmp scene train (check: hmp scene train --check)',
    trainingData: 'Roboflow "fire-wrpgm" v8 export via Abonia1/YOLOv8-Fire-and-Smoke-Detection @ f2c67efa (../shared/eval/scene/cctv-fire-smoke), split by source_group (recorded in the file)',
    dataLicence: 'CC BY 4.0',
    licence: 'Apache-2.0 (hmp)',
  },
  {
    name: 'voice-default',
    task: 'voice',
    files: ['voice/default/head.onnx', 'voice/default/profile.json'],
    producedBy: 'hmp voice train (see models/voice/default/profile.json for the exact command and seed)',
    trainingData: 'speech synthesised with espeak-ng (Debian) from the profile phrases, mixed with synthetic noise; features from openWakeWord melspectrogram + embedding (Apache-2.0)',
    dataLicence: 'synthetic (espeak-ng output)',
    licence: 'Apache-2.0 (hmp)',
  },
];

const sha = (p) => createHash('sha256').update(readFileSync(p)).digest('hex');
const models = ENTRIES.map((e) => ({
  ...e,
  files: e.files.map((f) => ({ file: f, bytes: statSync(join(root, 'models', f)).size, sha256: sha(join(root, 'models', f)) })),
}));
const out = JSON.stringify({ version: 1, models }, null, 2) + '\n';
const target = join(root, 'models', 'trained.json');
if (process.argv.includes('--check')) {
  const cur = readFileSync(target, 'utf8');
  if (cur !== out) {
    console.error('models/trained.json does not match the trained files; run: node scripts/trained-manifest.mjs');
    process.exit(1);
  }
  console.log('models/trained.json matches the trained files');
} else {
  writeFileSync(target, out);
  console.log(`models/trained.json: ${models.length} entries`);
}
