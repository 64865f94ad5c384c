import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most suites wait on vendors' documented pacing (real time, little CPU): more workers than cores pay off.
    maxWorkers: 4,
    globalSetup: ['test/global-setup.ts'],
  },
});
