import { DefaultLogger, Runtime } from '@temporalio/worker';

// Workers in tests log state changes at INFO by default; only warnings and errors help when a test fails.
// Runtime.install may run once per process; vitest forks one process per test file.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process.
}
