import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // One Temporal dev server for the whole run; tests connect to it (see test/support/global-setup.ts).
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    // Temporal's native bridge does not mix with worker threads: keep process forks.
    pool: 'forks',
    // Most integration tests wait (timers, Temporal, emulated latency) rather than compute: on 2 cores vitest's
    // default (cores - 1 = one fork) left the CPU half idle and the suite took 11 min; three forks take under 5.
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
