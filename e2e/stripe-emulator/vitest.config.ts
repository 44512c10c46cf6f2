import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    reporters: [
      'default',
      [
        'json',
        {
          outputFile: `../../.test-results/stripe-emulator${process.env.TEST_RESULTS_SUFFIX ?? ''}.json`,
        },
      ],
    ],
  },
});
