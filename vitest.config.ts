import { defineConfig } from 'vitest/config';

// Tests import the compiled output (dist/) because the engine's worker threads load plain
// JavaScript; `npm test` builds first.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: run test files one at a time so pools and benchmarks inside tests do not fight.
    fileParallelism: false,
    // The JSON report is what .ci/run counts ('N passed, N failed').
    reporters: ['default', ['json', { outputFile: '.test-out/vitest.json' }]],
  },
});
