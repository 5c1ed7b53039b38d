import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { ActivityDependencies } from '../../src/activities';
import { createWorker } from '../../src/worker';

/** Connects to the run-wide dev server started by global-setup.ts. */
export async function connectTestEnvironment(): Promise<TestWorkflowEnvironment> {
  return await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
}

/** A task queue (and workflow id prefix) no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createTestWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  dependencies: ActivityDependencies,
): Promise<Worker> {
  return await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    dependencies,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
}
