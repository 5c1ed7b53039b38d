import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CliIo } from '../../../src/cli/cli-io';
import { runCli } from '../../../src/cli/program';
import type { SyncReport } from '../../../src/workflows';
import { PipelineHarness } from '../../support/pipeline';
import { uniqueName } from '../../support/temporal';
import { waitFor } from '../../support/worker-process';
import { p2c, temporalArgs } from './cli-runner';

/** `p2c …` in this process, watched while it runs; `interrupt()` is Ctrl-C. */
function p2cWatched(args: readonly string[]) {
  const out = { stdout: '', stderr: '' };
  let interrupt: () => void = () => undefined;
  const io: CliIo = {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    env: process.env,
    onInterrupt: (handler) => {
      interrupt = handler;
      return () => undefined;
    },
  };
  const done = runCli(args, io);
  return { out, done, interrupt: () => interrupt() };
}

describe('what an operator sees while a run waits: no worker, a retrying activity; and whose failures are retried', () => {
  let harness: PipelineHarness;
  let args: string[];

  beforeAll(async () => {
    harness = await PipelineHarness.start({ emulators: { generate: { count: 150, seed: 41 } } });
    args = temporalArgs(harness.taskQueue);
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('sync start --wait and sync status say within seconds that no worker polls the task queue, naming it', async () => {
    const lonelyQueue = uniqueName('no-worker');
    const pipeline = uniqueName('idle');
    const started = Date.now();
    const watched = p2cWatched(['--address', inject('temporalAddress'), '--task-queue', lonelyQueue, 'sync', 'start', '--pipeline', pipeline, '--wait']);
    const message = `no worker polls task queue '${lonelyQueue}' (namespace default): the run waits until one does — start one with 'p2c worker' (same --task-queue)`;
    await waitFor(() => watched.out.stdout.includes(message), 'the no-worker note', 15_000);
    expect(Date.now() - started).toBeLessThan(10_000);

    const statusStarted = Date.now();
    const status = await p2c(['--address', inject('temporalAddress'), '--task-queue', lonelyQueue, 'sync', 'status', pipeline]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`is running, but ${message}`);
    expect(Date.now() - statusStarted).toBeLessThan(5_000);

    watched.interrupt();
    expect(await watched.done).toBe(130);
    await harness.env.client.workflow.getHandle(`p2c-sync-${pipeline}`).terminate('test over');
  });

  it('--wait and sync status show the decoded cause while preflight retries; cancel stops it', async () => {
    harness.emulators.fno.admin.faults.configure({ outages: [{ durationMs: 3_600_000, mode: 'refuse' }] });
    try {
      const pipeline = uniqueName('retrying');
      const watched = p2cWatched([...args, 'sync', 'start', '--pipeline', pipeline, '--wait']);
      await waitFor(() => /preflight is retrying \(attempt \d+\); last cause: F&O GET http:\/\/127\.0\.0\.1:\d+\/data\/[\w$]+ failed: connect ECONNREFUSED/.test(watched.out.stdout), 'the retry cause', 20_000);
      expect(watched.out.stdout).not.toContain('Encoded failure');

      const status = await p2c([...args, 'sync', 'status', pipeline]);
      expect(status.stdout).toMatch(/preflight {2}\w+, attempt \d+.*\(previous attempt: F&O GET .* failed: connect ECONNREFUSED/);
      expect(status.stdout).not.toContain('Encoded failure');

      const cancel = await p2c([...args, 'sync', 'cancel', pipeline]);
      expect(cancel.code, cancel.stderr).toBe(0);
      expect(await watched.done).toBe(1);
      expect(watched.out.stderr.trim()).toBe("p2c: the run was cancelled; what it did before stays readable ('p2c sync status')");
    } finally {
      harness.emulators.fno.admin.faults.configure({});
    }
  });

  it('retry-failed and failures take the newest real run with failures, not the dry run after it, and say which', async () => {
    const pipeline = uniqueName('retry-after-plan');
    const real = await p2c([...args, 'sync', 'start', '--pipeline', pipeline, '--wait', '--json']);
    expect(real.code, real.stderr).toBe(0);
    const realReport = JSON.parse(real.stdout) as SyncReport;
    expect(realReport.failures.total).toBeGreaterThan(0);
    const realRunId = (await harness.env.client.workflow.getHandle(realReport.workflowId).describe()).runId;

    const plan = await p2c([...args, 'sync', 'plan', '--pipeline', pipeline, '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    const dryRunId = (await harness.env.client.workflow.getHandle(realReport.workflowId).describe()).runId;
    expect(dryRunId).not.toBe(realRunId);
    await waitFor(async () => {
      const { count } = await harness.env.client.workflow.count(`P2cPipeline = '${pipeline}' AND P2cOutcome = 'dry-run'`);
      return count === 1;
    }, 'the dry run to be visible with its outcome');

    const failures = await p2c([...args, 'sync', 'failures', pipeline, '--format', 'json']);
    expect(failures.code, failures.stderr).toBe(0);
    expect(failures.stderr).toContain(`run ${realRunId}: the newest non-dry, non-retry run of pipeline '${pipeline}' with failures`);

    const retry = await p2c([...args, 'sync', 'retry-failed', pipeline, '--wait', '--json']);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stderr).toContain(`Using ${realReport.workflowId} (run ${realRunId}): the newest non-dry, non-retry run of pipeline '${pipeline}' with failures`);
    const failedAccounts = new Set(realReport.failures.shown.map((failure) => failure.accountId));
    expect(retry.stderr).toContain(`Retrying ${failedAccounts.size} failed account(s)`);

    // Asked for by run id, the dry run's (predicted) failures are what is exported.
    const asked = await p2c([...args, 'sync', 'failures', pipeline, '--run-id', dryRunId, '--format', 'json']);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stderr).toContain(`run ${dryRunId}: run ${dryRunId} as asked (--run-id)`);
  });
});
