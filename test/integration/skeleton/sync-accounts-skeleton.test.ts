import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTemporalCli } from '../../../scripts/ensure-temporal.cjs';
import { syncAccounts } from '../../../src/workflows';
import { connectTestEnvironment, createTestWorker, uniqueName } from '../../support/temporal';

const run = promisify(execFile);

describe('syncAccounts on the real dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTestEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs through a real worker and returns a result', async () => {
    const taskQueue = uniqueName('skeleton');
    const worker = await createTestWorker(env, taskQueue, { configuredCompanies: ['usmf', 'demf'] });
    const result = await worker.runUntil(
      env.client.workflow.execute(syncAccounts, { taskQueue, workflowId: uniqueName('wf'), args: [{ company: 'demf' }] }),
    );
    expect(result.companies).toEqual(['demf']);
  });

  it('fails at once, without retrying, when the input is invalid, naming the field', async () => {
    const taskQueue = uniqueName('skeleton');
    const worker = await createTestWorker(env, taskQueue, { configuredCompanies: ['usmf'] });
    const error = await worker.runUntil(
      env.client.workflow
        .execute(syncAccounts, { taskQueue, workflowId: uniqueName('wf'), args: [{ pageSize: -1 }] })
        .catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect((cause as ApplicationFailure).message).toContain('pageSize: must be between 1 and 5000');
  });

  it('can be started and read back with the temporal CLI', async () => {
    const taskQueue = uniqueName('skeleton');
    const workflowId = uniqueName('cli');
    const worker = await createTestWorker(env, taskQueue, { configuredCompanies: ['usmf'] });
    const cli = ensureTemporalCli();
    const address = inject('temporalAddress');
    const output = await worker.runUntil(async () => {
      await run(cli, ['workflow', 'start', '--address', address, '--type', 'syncAccounts', '--task-queue', taskQueue,
        '--workflow-id', workflowId, '--input', '{"company":"usmf"}']);
      const { stdout } = await run(cli, ['workflow', 'result', '--address', address, '--workflow-id', workflowId, '--output', 'json']);
      return stdout;
    });
    const parsed = JSON.parse(output) as { status: string; result: { companies: string[] } };
    expect(parsed.status).toBe('COMPLETED');
    expect(parsed.result.companies).toEqual(['usmf']);
  });
});
