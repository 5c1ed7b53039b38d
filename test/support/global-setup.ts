import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { generatePayloadKey } from '../../src/codec/payload-keys';
import { startDevServer } from '../../src/temporal/dev-server';
import { bundleWorkflows } from '../../src/temporal/workflow-bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** With OpenTelemetry's workflow interceptors, as `p2c bundle-workflows` builds it (the Docker image's). */
    workflowBundlePath: string;
    /** Without them, as `p2c worker` builds its own when tracing is off. */
    workflowBundleWithoutTracingPath: string;
  }
}

/**
 * One real Temporal dev server and the two workflow bundles (with and without tracing) for the whole `npm test`
 * run. Stopped at the end even when tests fail (vitest always calls the returned teardown).
 *
 * Payloads are encrypted in tests as in production: a key generated for this run goes into the environment that
 * every test process, and every worker or CLI process a test starts, inherits.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.P2C_PAYLOAD_KEYS = generatePayloadKey('test-run');
  delete process.env.P2C_PAYLOAD_KEY_FILE;
  delete process.env.P2C_ALLOW_PLAINTEXT_PAYLOADS;
  const scratch = mkdtempSync(path.join(tmpdir(), 'p2c-test-'));
  const workflowBundlePath = path.join(scratch, 'workflow-bundle.js');
  const workflowBundleWithoutTracingPath = path.join(scratch, 'workflow-bundle-without-tracing.js');
  const [server] = await Promise.all([
    startDevServer({ headless: true }),
    bundleWorkflows(workflowBundlePath).then(() => bundleWorkflows(workflowBundleWithoutTracingPath, { tracing: false })),
  ]);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('workflowBundleWithoutTracingPath', workflowBundleWithoutTracingPath);
  return async () => {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
}
