import { defineConfig } from 'vitest/config';

/** `npm run bench:hostile`: the issue 11 figures at default limits, too slow for the suite. */
export default defineConfig({ test: { include: ['bench/hostile.figures.ts'], testTimeout: 600_000, pool: 'forks', fileParallelism: false } });
