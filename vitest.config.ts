import { defineConfig } from 'vitest/config';

/**
 * Files that start processes: the bundled bin (stdio, HTTP, several instances on Redis, `npx`, `npm start`), the
 * Inspector and conformance CLIs, chromium. Their cost is those processes' CPU, not waiting: `npm run test:fast`
 * leaves them out for the edit loop; `npm test` (and CI) runs everything.
 */
export const PROCESSES = [
  'app.server', 'browser.app', 'cli', 'conformance', 'e2e.http', 'e2e.stdio', 'gate.crash', 'hostile.secrets', 'hostile.spawned',
  'inspector', 'interop', 'launcher', 'pack', 'redis.crash', 'redis.instances', 'secrets', 'shutdown', 'start',
].map((f) => `test/${f}.test.ts`);

const common = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  // Measured on the 2 shared cores (in-process files): forks with isolation 84 s CPU, forks without 38 s,
  // threads without 33 s. Waits run on injected clocks now, so CPU is what the suite costs; no test relies on
  // a fresh module registry (module state is per object: store, clients, simulators, cursor codec). Forks, not
  // threads: a file that measures its own RSS (http.bounds) must not count other files' threads.
  pool: 'forks',
  isolate: false,
  // Spawned-bin suites still wait on their children: more workers than cores keep the cores busy.
  maxWorkers: 4,
} as const;

export default defineConfig({
  test: {
    ...common,
    // Once for the run (build, data directory, redis-server), so not in the projects, which would each run it again.
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { test: { ...common, name: 'in-process', include: ['test/**/*.test.ts'], exclude: PROCESSES } },
      { test: { ...common, name: 'processes', include: PROCESSES } },
    ],
  },
});
