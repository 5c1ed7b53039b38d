import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PipelineHarness } from '../../support/pipeline';
import { waitFor } from '../../support/worker-process';

const root = path.resolve(__dirname, '../../..');
/** Stands for data quoted in a failure message (a configured name, an input's key). */
const MARKER = 'Marker7Q2-Jane-Doe';

// The README promises failures are logged by class only: a failure's message can quote account data. The SDK's own
// "Workflow failed" and "Activity failed" lines carry the error, and a workflow's error crosses the sandbox's log
// sink as a plain Error (its class lost): its message must not reach the worker's output either.
describe('failure log lines of a worker process', () => {
  let harness: PipelineHarness;
  let worker: ChildProcess;
  let stdout = '';
  let stderr = '';

  const records = () => stdout.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    harness = await PipelineHarness.start({
      inProcessWorker: false,
      emulators: { generate: { count: 20, seed: 12 } },
      // No such business unit in Sales: the preflight's refusal quotes its name.
      config: { companies: [{ dataAreaId: 'usmf', businessUnits: [MARKER] }] },
    });
    worker = spawn(process.execPath, [path.join(root, 'bin', 'p2c.cjs'), 'worker', '--config', harness.writeConfigFile()], {
      cwd: root,
      env: { ...process.env, ...harness.workerEnvironment(inject('temporalAddress')), P2C_LOG_LEVEL: 'INFO' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  }, 120_000);

  afterAll(async () => {
    worker?.kill('SIGTERM');
    await harness?.close();
  });

  async function failedRun(input: Record<string, unknown>): Promise<{ workflowId: string; message: string }> {
    const handle = await harness.startSync(input as never);
    const error = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const message = (error as WorkflowFailedError).cause?.message ?? '';
    await waitFor(() => records().some((r) => r.workflowId === handle.workflowId && r.message === 'Workflow failed'), 'the "Workflow failed" line', 30_000);
    return { workflowId: handle.workflowId, message };
  }

  it('logs "Workflow failed" and "Activity failed" by class and type, without the message that quotes the data', async () => {
    const refusedInput = await failedRun({ [`${MARKER}-key`]: 1 });
    const refusedConfig = await failedRun({});
    // The failures themselves (in encrypted history) do quote the marker: the test would catch a leak.
    expect(refusedInput.message).toContain(MARKER);
    expect(refusedConfig.message).toContain(MARKER);

    const workflowFailed = records().filter((r) => r.message === 'Workflow failed' && [refusedInput.workflowId, refusedConfig.workflowId].includes(r.workflowId as string));
    expect(workflowFailed).toHaveLength(2);
    for (const record of workflowFailed) expect(record.error).toEqual({ name: 'ApplicationFailure' });
    // The workflow's own line adds the type, which the SDK's copy of the error lost in the sandbox's log sink.
    const failed = (workflowId: string) => records().find((r) => r.message === 'workflow failed' && r.workflowId === workflowId);
    expect(failed(refusedInput.workflowId)).toMatchObject({ level: 'warn', failure: { name: 'ApplicationFailure', type: 'InvalidInput', nonRetryable: true } });
    expect(failed(refusedConfig.workflowId)).toMatchObject({ level: 'warn', failure: { name: 'ApplicationFailure', type: 'InvalidConfiguration', nonRetryable: true } });
    const activityFailed = records().filter((r) => r.message === 'Activity failed' && r.workflowId === refusedConfig.workflowId);
    expect(activityFailed.length).toBeGreaterThan(0);
    for (const record of activityFailed) expect(record.error).toEqual({ name: 'ApplicationFailure', type: 'InvalidConfiguration', nonRetryable: true });

    expect(stdout + stderr).not.toContain(MARKER);
  });
});
