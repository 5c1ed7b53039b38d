import { defineConfig } from 'vitest/config';

// `npm run record-histories`: records this release's workflow histories as replay fixtures (not part of `npm test`).
export default defineConfig({
  test: {
    include: ['test/recording/*.record.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
