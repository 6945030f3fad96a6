#!/usr/bin/env node
/**
 * The `hmp` executable. Commands are registered in `main.ts`.
 * @internal
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
