import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Measured on the 2 shared cores (in-process files): forks with isolation 84 s CPU, forks without 38 s,
    // threads without 33 s. Waits run on injected clocks now, so CPU is what the suite costs; no test relies on
    // a fresh module registry (module state is per object: store, clients, simulators). Forks, not threads:
    // a file that measures its own RSS (http.bounds) must not count other files' threads.
    pool: 'forks',
    isolate: false,
    // Spawned-bin suites still wait on their children: more workers than cores keep the cores busy.
    maxWorkers: 4,
    globalSetup: ['test/global-setup.ts'],
  },
});
