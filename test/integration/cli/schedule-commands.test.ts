import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReport } from '../../../src/workflows';
import { PipelineHarness } from '../../support/pipeline';
import { uniqueName } from '../../support/temporal';
import { waitFor } from '../../support/worker-process';
import { p2c, temporalArgs } from './cli-runner';

interface DescribeJson {
  times: string;
  policies: { overlap: string; catchupWindow: number; pauseOnFailure: boolean };
  state: { paused: boolean; note?: string };
  action: { workflowType: string; workflowId: string; input: Record<string, unknown> };
  info: {
    numActionsTaken: number;
    numActionsSkippedOverlap: number;
    runningRuns: { workflowId: string }[];
    recentRuns: { workflowId: string; firstExecutionRunId: string }[];
  };
}

describe('p2c schedule against the dev server', () => {
  let harness: PipelineHarness;
  let args: string[];
  const scheduleId = uniqueName('schedule');
  const pipeline = uniqueName('scheduled');

  beforeAll(async () => {
    harness = await PipelineHarness.start({ emulators: { generate: { count: 200, seed: 21 } } });
    args = temporalArgs(harness.taskQueue);
  }, 120_000);

  afterAll(async () => {
    await p2c([...args, 'schedule', 'delete', scheduleId]);
    await harness?.close();
  });

  async function describeSchedule(): Promise<DescribeJson> {
    const result = await p2c([...args, 'schedule', 'describe', scheduleId, '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as DescribeJson;
  }

  it('creates a schedule with overlap skip, a catch-up window and the run input; lists and describes it', async () => {
    const created = await p2c([...args, 'schedule', 'create', scheduleId, '--pipeline', pipeline, '--every', '1h', '--batch-size', '10', '--max-concurrent-batches', '1']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`Created schedule ${scheduleId}: pipeline '${pipeline}', every 1h, overlap skip.`);
    const description = await describeSchedule();
    expect(description.policies).toEqual({ overlap: 'SKIP', catchupWindow: 600_000, pauseOnFailure: false });
    expect(description.times).toBe('every 1h');
    expect(description.action).toMatchObject({ workflowType: 'syncAccounts', workflowId: `p2c-sync-${pipeline}` });
    expect(description.action.input).toEqual({ pipeline, batchSize: 10, maxConcurrentBatches: 1 });

    const listed = await p2c([...args, 'schedule', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as { scheduleId: string }[]).map((s) => s.scheduleId)).toContain(scheduleId);
    const table = await p2c([...args, 'schedule', 'list']);
    expect(table.stdout).toMatch(new RegExp(`${scheduleId}\\s+syncAccounts\\s+every 1h\\s+active`));
  });

  it('skips a trigger while its run is going, and the next scheduled run is incremental from the first one\'s result', async () => {
    expect((await p2c([...args, 'schedule', 'trigger', scheduleId])).code).toBe(0);
    let first = '';
    let firstRunId = '';
    await waitFor(async () => {
      const info = (await describeSchedule()).info;
      first = info.runningRuns[0]?.workflowId ?? '';
      firstRunId = info.recentRuns[0]?.firstExecutionRunId ?? '';
      return first !== '' && firstRunId !== '';
    }, 'the first scheduled run');
    expect(first.startsWith(`p2c-sync-${pipeline}-`)).toBe(true);
    // Held open so the overlap is certain, through the run's own workflow id.
    expect((await p2c([...args, 'sync', 'pause', first])).code).toBe(0);

    const trigger = await p2c([...args, 'schedule', 'trigger', scheduleId]);
    expect(trigger.stdout).toContain('(overlap skip)');
    await waitFor(async () => (await describeSchedule()).info.numActionsSkippedOverlap === 1, 'the second trigger to be skipped');
    expect((await describeSchedule()).info.numActionsTaken).toBe(1);

    // A manual start of the same pipeline is refused too, naming the scheduled run.
    await waitFor(async () => (await harness.env.client.workflow.count(`WorkflowId = '${first}' AND ExecutionStatus = 'Running'`)).count === 1, 'visibility of the running run');
    const manual = await p2c([...args, 'sync', 'start', '--pipeline', pipeline]);
    expect(manual.code).toBe(1);
    expect(manual.stderr).toContain(`pipeline '${pipeline}' is already running: workflow ${first}`);

    // Found by pipeline name through the P2cPipeline search attribute.
    expect((await p2c([...args, 'sync', 'resume', pipeline])).code).toBe(0);
    const firstReport = (await harness.env.client.workflow.getHandle(first, firstRunId).result()) as SyncReport;
    expect(firstReport.mode).toBe('full');
    expect(firstReport.watermark.next).toMatch(/^delta:http.*\$deltatoken=/);

    expect((await p2c([...args, 'schedule', 'trigger', scheduleId])).code).toBe(0);
    let second = { workflowId: '', firstExecutionRunId: '' };
    await waitFor(async () => {
      const info = (await describeSchedule()).info;
      second = (info.numActionsTaken === 2 ? info.recentRuns.at(-1) : undefined) ?? second;
      return second.workflowId !== '';
    }, 'the second scheduled run');
    // Runs scheduled within the same second share the workflow id (Temporal appends the time to the second).
    expect(second.firstExecutionRunId).not.toBe(firstRunId);
    const secondReport = (await harness.env.client.workflow.getHandle(second.workflowId, second.firstExecutionRunId).result()) as SyncReport;
    expect(secondReport.mode).toBe('incremental');
    expect(secondReport.watermark.since).toBe(firstReport.watermark.next);
    expect(secondReport.totals.created + secondReport.totals.updated).toBe(0);
  });

  it('pauses and unpauses with a note, describes as text, and deletes', async () => {
    expect((await p2c([...args, 'schedule', 'pause', scheduleId, '--note', 'F&O maintenance'])).code).toBe(0);
    expect((await describeSchedule()).state).toMatchObject({ paused: true, note: 'F&O maintenance' });
    const text = await p2c([...args, 'schedule', 'describe', scheduleId]);
    expect(text.stdout).toMatch(/State:\s+paused \(F&O maintenance\)/);
    expect(text.stdout).toMatch(/Skipped \(overlap\):\s+1/);
    expect((await p2c([...args, 'schedule', 'unpause', scheduleId])).code).toBe(0);
    expect((await describeSchedule()).state.paused).toBe(false);

    expect((await p2c([...args, 'schedule', 'delete', scheduleId])).code).toBe(0);
    const gone = await p2c([...args, 'schedule', 'describe', scheduleId]);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe(`p2c: no schedule '${scheduleId}'`);
  });

  it('refuses a schedule without times, with both kinds of times, or with a bad zone or duration', async () => {
    const cases: [string[], string][] = [
      [[], '--every: give either --every or --cron (one of them)'],
      [['--every', '1h', '--cron', '0 * * * *'], '--every: give either --every or --cron (one of them)'],
      [['--cron', '0 2 * * *', '--time-zone', 'Mars/Olympus'], '--time-zone: must be an IANA time zone such as Europe/Berlin or UTC'],
      [['--every', 'soon'], '--every: must be an interval such as 30s, 15m, 2h or 1d'],
      [['--every', '1h', '--overlap', 'sometimes'], '--overlap: must be one of skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all'],
      [['--every', '1h', '--since', 'version:5'], "--since: a schedule starts every run from the previous run's watermark; leave --since out"],
    ];
    for (const [flags, message] of cases) {
      const result = await p2c([...args, 'schedule', 'create', uniqueName('bad'), ...flags]);
      expect(result.code, flags.join(' ')).toBe(1);
      expect(result.stderr).toContain(message);
    }
  });
});
