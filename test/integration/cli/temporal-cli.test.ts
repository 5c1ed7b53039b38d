import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ensureTemporalCli } from '../../../src/temporal/ensure-temporal.cjs';
import { startCodecServer, type RunningCodecServer } from '../../../src/codec/codec-server';
import type { SyncProgress, SyncReport } from '../../../src/workflows';
import { PipelineHarness } from '../../support/pipeline';
import { testPayloadCodec, uniqueName } from '../../support/temporal';
import { waitFor } from '../../support/worker-process';
import { p2c, temporalArgs } from './cli-runner';

const run = promisify(execFile);

// Temporal-native operation: what an operator does with the `temporal` CLI alone, against the same workers. The
// codec endpoint lets the CLI encrypt inputs and read results, as it would against production.
describe('the temporal CLI drives syncAccounts', () => {
  let harness: PipelineHarness;
  let codec: RunningCodecServer;
  let cli: string;

  beforeAll(async () => {
    cli = ensureTemporalCli();
    const payloadCodec = testPayloadCodec();
    if (!payloadCodec) throw new Error('the test run always encrypts payloads (global-setup.ts sets a key)');
    [harness, codec] = await Promise.all([
      PipelineHarness.start({ emulators: { generate: { count: 200, seed: 31 } } }),
      startCodecServer({ codec: payloadCodec }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await codec?.close();
    await harness?.close();
  });

  /** Every command goes through the codec endpoint, as an operator's would against production. */
  async function temporal(...args: string[]): Promise<string> {
    const { stdout } = await run(cli, [...args, '--address', inject('temporalAddress'), '--codec-endpoint', codec.url], { timeout: 30_000 });
    return stdout;
  }

  it('workflow start / signal / query / result, and p2c refuses a second run of the pipeline it started', async () => {
    const pipeline = uniqueName('native');
    const workflowId = `p2c-sync-${pipeline}`;
    const input = JSON.stringify({ pipeline, batchSize: 10, maxConcurrentBatches: 1 });
    await temporal('workflow', 'start', '--type', 'syncAccounts', '--task-queue', harness.taskQueue, '--workflow-id', workflowId, '--input', input,
      '--search-attribute', `P2cPipeline="${pipeline}"`);
    await temporal('workflow', 'signal', '--workflow-id', workflowId, '--name', 'pause');
    const progress = async () => {
      const answer = JSON.parse(await temporal('workflow', 'query', '--workflow-id', workflowId, '--type', 'progress', '--output', 'json')) as {
        queryResult: SyncProgress[];
      };
      return answer.queryResult[0] as SyncProgress;
    };
    await waitFor(async () => (await progress()).paused, 'the pause signal to be seen by the progress query');
    expect((await progress()).pipeline).toBe(pipeline);

    const second = await p2c([...temporalArgs(harness.taskQueue), 'sync', 'start', '--pipeline', pipeline]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`pipeline '${pipeline}' is already running: workflow ${workflowId}`);
    // The Temporal CLI gets the same answer with --fail-existing; without it, it prints the running execution and
    // starts nothing, so there is still only one run.
    const startAgain = ['workflow', 'start', '--type', 'syncAccounts', '--task-queue', harness.taskQueue, '--workflow-id', workflowId, '--input', input];
    await expect(temporal(...startAgain, '--fail-existing')).rejects.toThrow(/already running/i);
    const { runId } = await harness.env.client.workflow.getHandle(workflowId).describe();
    expect(await temporal(...startAgain)).toContain(runId);
    const { count } = await harness.env.client.workflow.count(`WorkflowId = '${workflowId}'`);
    expect(count).toBe(1);

    await temporal('workflow', 'signal', '--workflow-id', workflowId, '--name', 'resume');
    const result = JSON.parse(await temporal('workflow', 'result', '--workflow-id', workflowId, '--output', 'json')) as { status: string; result: SyncReport };
    expect(result.status).toMatch(/COMPLETED/);
    expect(result.result.pipeline).toBe(pipeline);
    expect(result.result.status).toBe('completed');
    expect(result.result.totals.read).toBeGreaterThan(100);

    // And p2c reads the run the Temporal CLI started.
    const status = await p2c([...temporalArgs(harness.taskQueue), 'sync', 'status', pipeline, '--json']);
    expect((JSON.parse(status.stdout) as { report: SyncReport }).report.totals).toEqual(result.result.totals);
  });

  it('an invalid input fails the run at once with every problem named', async () => {
    const workflowId = uniqueName('p2c-sync-invalid');
    await temporal('workflow', 'start', '--type', 'syncAccounts', '--task-queue', harness.taskQueue, '--workflow-id', workflowId, '--input', '{"pagesize": 10, "batchSize": 0}');
    const outcome = await temporal('workflow', 'result', '--workflow-id', workflowId, '--output', 'json').then(
      (stdout) => stdout,
      (error: { stdout?: string }) => error.stdout ?? '',
    );
    expect(outcome).toContain('Invalid input');
    expect(outcome).toContain('batchSize: must be between 1 and 2000');
    expect(outcome).toContain('pagesize');
  });

  it('schedule create with overlap Skip, trigger and describe', async () => {
    const scheduleId = uniqueName('native-schedule');
    const pipeline = uniqueName('native-scheduled');
    await temporal('schedule', 'create', '--schedule-id', scheduleId, '--interval', '1h', '--overlap-policy', 'Skip', '--catchup-window', '10m',
      '--type', 'syncAccounts', '--task-queue', harness.taskQueue, '--workflow-id', `p2c-sync-${pipeline}`,
      '--input', JSON.stringify({ pipeline }), '--search-attribute', `P2cPipeline="${pipeline}"`);
    try {
      await temporal('schedule', 'trigger', '--schedule-id', scheduleId);
      let workflowId = '';
      await waitFor(async () => {
        const description = JSON.parse(await temporal('schedule', 'describe', '--schedule-id', scheduleId, '--output', 'json')) as {
          info?: { recentActions?: { startWorkflowResult?: { workflowId?: string } }[] };
          schedule?: { policies?: { overlapPolicy?: string } };
        };
        expect(description.schedule?.policies?.overlapPolicy).toMatch(/SKIP/);
        workflowId = description.info?.recentActions?.[0]?.startWorkflowResult?.workflowId ?? '';
        return workflowId !== '';
      }, 'the triggered run');
      const report = (await harness.env.client.workflow.getHandle(workflowId).result()) as SyncReport;
      expect(report.pipeline).toBe(pipeline);
      expect(report.status).toBe('completed');
      // The CLI sees the same schedule.
      const described = await p2c([...temporalArgs(harness.taskQueue), 'schedule', 'describe', scheduleId]);
      expect(described.stdout).toMatch(/Overlap:\s+skip/);
    } finally {
      await temporal('schedule', 'delete', '--schedule-id', scheduleId);
    }
  });
});
