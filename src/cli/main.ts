/**
 * The `hmp` command line: the command table and dispatcher. Commands register in {@link COMMANDS};
 * `index.ts` is the executable entry.
 * @internal
 */
import type { Command } from './command.js';
import { info } from './commands/info.js';
import { serve } from './commands/serve.js';
import { catalogImport, recommendSimulate } from './commands/recommend.js';
import { scan } from './commands/scan.js';
import { evalBarcode } from './commands/eval-barcode.js';
import { modelsBuild, modelsConvert, modelsList } from './commands/models.js';
import { scene, sceneTrain, evalScene } from './commands/scene.js';
import { faces, evalFaces } from './commands/faces.js';
import { voice, voiceTrain, voiceSynth, evalVoice } from './commands/voice.js';
import { HmpError } from '../errors.js';

/** Every CLI command; capabilities add theirs here. */
export const COMMANDS: Command[] = [serve, info, scan, evalBarcode, modelsBuild, modelsList, modelsConvert, scene, sceneTrain, evalScene, faces, evalFaces, voice, voiceTrain, voiceSynth, evalVoice, recommendSimulate, catalogImport];

function usage(): string {
  const lines = COMMANDS.map((c) => `  hmp ${c.name.join(' ').padEnd(20)} ${c.summary}`);
  return `hmp — perception engine for hardware mini-program devices

Usage: hmp <command> [options]

Commands:
${lines.join('\n')}

Run 'hmp <command> --help' for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(usage() + '\n');
    return argv.length === 0 ? 1 : 0;
  }
  // Longest match on command words, so `models convert` wins over `models`.
  const matches = COMMANDS.filter((c) => c.name.every((w, i) => argv[i] === w)).sort((a, b) => b.name.length - a.name.length);
  const cmd = matches[0];
  if (!cmd) {
    process.stderr.write(`hmp: unknown command '${argv[0]}'\n\n${usage()}\n`);
    return 2;
  }
  const rest = argv.slice(cmd.name.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.help + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof HmpError) process.stderr.write(`hmp ${cmd.name.join(' ')}: ${err.code}: ${err.message}\n`);
    else if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`hmp ${cmd.name.join(' ')}: ${err.message}\n\n${cmd.help}\n`);
    else process.stderr.write(`hmp ${cmd.name.join(' ')}: ${(err as Error)?.stack ?? String(err)}\n`);
    return 2;
  }
}

