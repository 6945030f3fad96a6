/**
 * CLI command shape: each command lives in `src/cli/commands/<name>.ts` and is listed in
 * `src/cli/index.ts`.
 * @internal
 */
export interface Command {
  /** Words that select the command, e.g. `['models', 'convert']`. */
  name: string[];
  /** One line for `hmp --help`. */
  summary: string;
  /** Full help text printed by `hmp <command> --help`. */
  help: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}
