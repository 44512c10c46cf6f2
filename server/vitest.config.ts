import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: two files at a time, each with its own database and queue prefix.
    maxWorkers: 2,
    // The JSON report lets scripts/test.sh print one closing line with the totals.
    reporters: [
      'default',
      [
        'json',
        { outputFile: `../.test-results/server${process.env.TEST_RESULTS_SUFFIX ?? ''}.json` },
      ],
    ],
  },
});
