import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workerDataConverter } from '../../../src/temporal/data-converter';
import { connectTestEnvironment, testPayloadCodec, uniqueName } from '../../support/temporal';

// The workflow bundle's source map carries no source text (leanWorkflowBundle, src/temporal/workflow-bundle.ts):
// a running workflow's stack trace (the Web UI's "Stack Trace" tab, `temporal workflow stack`) must still name the
// TypeScript file and line it waits in, not the bundle.
describe('stack trace of a running workflow, from the lean bundle', () => {
  let env: Awaited<ReturnType<typeof connectTestEnvironment>>;
  beforeAll(async () => {
    env = await connectTestEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('names the workflow source file and line', async () => {
    const taskQueue = uniqueName('stack-trace');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      dataConverter: workerDataConverter(testPayloadCodec()),
    });
    const trace = await worker.runUntil(async () => {
      // The lock workflow waits for ever in `await condition(() => false)`.
      const handle = await env.client.workflow.start('pipelineLock', { taskQueue, workflowId: uniqueName('stack-trace') });
      try {
        return await handle.query<string>('__stack_trace');
      } finally {
        await handle.terminate('test done');
      }
    });
    expect(trace).toMatch(/src\/workflows\/pipeline-lock\.ts:\d+:\d+/);
    expect(trace).not.toContain('workflow-bundle');
  });
});
