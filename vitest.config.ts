import { defineConfig } from 'vitest/config';

/**
 * Files that start processes: the bundled bin (stdio, HTTP, several instances on Redis, `npx`, `npm start`), the
 * Inspector and conformance CLIs, chromium. Their cost is those processes' CPU, not waiting: `npm run test:fast`
 * leaves them out for the edit loop; `npm test` (and CI) runs everything, in one pool so the in-process files fill
 * the cores while these wait on their children. Two projects (threads for the in-process files, forks for these)
 * do run side by side, but each runs the global setup and keeps its own workers: 63 s wall and 114 s CPU in one run
 * on 2026-12-03, where one pool took 53-62 s and 100-113 s.
 */
export const PROCESSES = [
  'browser.app', 'redis.instances', 'launcher', 'interop', 'redis.crash', 'hostile.spawned', 'cli', 'e2e.http', 'e2e.stdio',
  'conformance', 'inspector', 'secrets', 'shutdown', 'start', 'pack', 'gate.crash', 'hostile.secrets', 'app.server',
].map((f) => `test/${f}.test.ts`);


export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Measured on the 2 shared cores (in-process files): forks with isolation 84 s CPU, forks without 38 s,
    // threads without 33 s. Waits run on injected clocks now, so CPU is what the suite costs; no test relies on
    // a fresh module registry (module state is per object: store, clients, simulators, cursor codec). Forks, not
    // threads: a file that measures its own RSS (http.bounds) must not count other files' threads.
    pool: 'forks',
    isolate: false,
    // Spawned-bin suites and deadline tests still wait (on children, on a call's real deadline): more workers than
    // cores keep the cores busy. Side by side on the 2 cores (2026-12-03, two runs each): 4 workers 49.5/47.2 s wall,
    // 6 workers 41.7/43.8 s, 8 workers 40.1/41.7 s; each worker adds its own imports (CPU 66 s at 4, 71-75 s at 6-8).
    maxWorkers: 6,
    include: ['test/**/*.test.ts'],
    // npm run test:fast: the in-process files only.
    exclude: process.env.TEST_FAST ? PROCESSES : [],
    globalSetup: ['test/global-setup.ts'],
  },
});
