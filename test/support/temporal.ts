import { randomUUID } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { register } from 'tsx/cjs/api';
import { inject } from 'vitest';
import type { ActivityDependencies } from '../../src/activities';
import { clientDataConverter, payloadCodecFromEnvironment } from '../../src/temporal/data-converter';
import type { SyncMetrics } from '../../src/observability/sync-metrics';
import type { WorkerTracing } from '../../src/observability/tracing';
import { createWorker } from '../../src/worker';

// The SDK `require`s the worker's failure converter by path, with Node's own loader; production runs under tsx
// (bin/p2c.cjs), and so must that require in a test process.
register();

/** The codec of this test run (global-setup.ts put its key in the environment), as workers and the CLI build it. */
export function testPayloadCodec(): PayloadCodec | undefined {
  return payloadCodecFromEnvironment(process.env);
}

/** Connects to the run-wide dev server started by global-setup.ts, with a client that encrypts like production. */
export async function connectTestEnvironment(): Promise<TestWorkflowEnvironment> {
  return await TestWorkflowEnvironment.createFromExistingServer({
    address: inject('temporalAddress'),
    client: { dataConverter: clientDataConverter(testPayloadCodec()) },
  });
}

/** A task queue (and workflow id prefix) no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createTestWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  dependencies: ActivityDependencies,
  options: { metrics?: SyncMetrics; tracing?: WorkerTracing } = {},
): Promise<Worker> {
  return await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    dependencies,
    payloadCodec: testPayloadCodec(),
    ...options,
    // The bundle `p2c worker` runs: its own without tracing, the pre-built one (OpenTelemetry's interceptors in) with it.
    workflowBundle: { codePath: inject(options.tracing ? 'workflowBundlePath' : 'workflowBundleWithoutTracingPath') },
  });
}
