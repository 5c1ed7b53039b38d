import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { z } from 'zod';
import type { SyncReport, syncAccounts } from '../../workflows';
import { progressQuery } from '../../workflows/sync-accounts';
import { CliError, describeError } from '../cli-error';
import { writeLine, type CliIo } from '../cli-io';
import { contextOf } from '../command-context';
import { parseFlags } from '../parse-flags';
import { writePrivateFile } from '../private-file';
import { withTemporal } from '../temporal-session';
import { formatFailures } from './failure-export';
import { pendingActivitiesOf, renderPendingActivities } from './pending-activities';
import { resolveFailedRun, resolveSyncTarget, type RunRef } from './pipeline-runs';
import { noWorkerMessage, workersPolling } from './task-queue-pollers';
import { renderStatus } from './progress-view';
import { renderReport } from './report-view';
import { readRunChain } from './run-history';

const TARGET = '<pipeline|workflow-id>';
const statusFlags = z.object({ json: z.boolean().default(false) });
const failureFlags = z.object({
  format: z.enum(['csv', 'json'], { error: 'must be csv or json' }).default('csv'),
  output: z.string().min(1).optional(),
  runId: z.string().min(1).optional(),
  includeRetries: z.boolean().default(false),
  includeDryRuns: z.boolean().default(false),
});

export function registerStatusCommand(sync: Command, io: CliIo): void {
  sync
    .command('status')
    .argument(TARGET, 'a pipeline name, or the workflow id of a run')
    .description("a run's progress (running) or its result (closed)")
    .option('--json', 'machine-readable output')
    .action(async (target: string, raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const { json } = parseFlags(statusFlags, raw);
      await withTemporal(context.settings, async (client) => {
        const run = await resolveSyncTarget(client, target);
        const view = await statusOf(client, run);
        if (json) writeLine(io.stdout, JSON.stringify({ workflowId: run.workflowId, runId: run.runId, status: run.status, ...view.data }, null, 2));
        else writeLine(io.stdout, view.text);
      });
    });
}

async function statusOf(client: Client, run: RunRef): Promise<{ text: string; data: Record<string, unknown> }> {
  if (run.status === 'RUNNING') {
    // A query needs a worker: with none polling the run's queue it would wait for its deadline and say nothing.
    const { taskQueue } = await client.workflow.getHandle(run.workflowId).describe();
    const pollers = await workersPolling(client, taskQueue);
    const activities = await pendingActivitiesOf(client, run.workflowId);
    if (pollers.workflow === 0) {
      const noWorker = noWorkerMessage(taskQueue, client.options.namespace);
      return {
        text: `Workflow ${run.workflowId} (run ${run.runId}) is running, but ${noWorker}\n\n${renderPendingActivities(activities)}`,
        data: { noWorker, taskQueue, activities },
      };
    }
    // The newest run of the id: the run found a moment ago may have continued as new since.
    const progress = await client.workflow.getHandle<typeof syncAccounts>(run.workflowId).query(progressQuery);
    const warning = pollers.activity === 0 ? `\n${noWorkerMessage(taskQueue, client.options.namespace)} (for activities)` : '';
    return { text: `${renderStatus(run, progress)}${warning}\n\n${renderPendingActivities(activities)}`, data: { progress, activities } };
  }
  const closed = `${run.status.toLowerCase()} at ${run.closeTime?.toISOString() ?? '?'}`;
  if (run.status === 'COMPLETED') {
    const report: SyncReport = await client.workflow.getHandle<typeof syncAccounts>(run.workflowId, run.runId, { followRuns: false }).result();
    return { text: renderReport(report, run), data: { report } };
  }
  if (run.status === 'CANCELLED') {
    // What the run did before it was cancelled: its queries still answer (a worker replays the closed run).
    const progress = await client.workflow
      .getHandle<typeof syncAccounts>(run.workflowId, run.runId, { followRuns: false })
      .query(progressQuery)
      .catch(() => undefined);
    if (progress) {
      return { text: `Workflow ${run.workflowId} (run ${run.runId}) ${closed}; what it did:\n${renderStatus(run, progress)}`, data: { progress, closeTime: run.closeTime } };
    }
  }
  let reason = '';
  try {
    await client.workflow.getHandle(run.workflowId, run.runId, { followRuns: false }).result();
  } catch (error) {
    reason = error instanceof WorkflowFailedError ? describeError(error) : '';
  }
  return {
    text: `Workflow ${run.workflowId} (run ${run.runId}) ${closed}${reason ? `: ${reason}` : ''}`,
    data: { ...(reason ? { failure: reason } : {}), closeTime: run.closeTime },
  };
}

export function registerFailuresCommand(sync: Command, io: CliIo): void {
  sync
    .command('failures')
    .argument(TARGET, 'a pipeline name, or the workflow id of a run')
    .description('export every failed record of a run, and every value written changed (warnings such as TRUNCATED), from all its continue-as-new runs, read from history')
    .option('--format <format>', 'csv or json (default csv)')
    .option('--output <file>', 'write to this file instead of stdout')
    .option('--run-id <id>', 'this run of the workflow id (default: the newest non-dry, non-retry run of the pipeline with failures)')
    .option('--include-retries', 'a retry run may be the one shown')
    .option('--include-dry-runs', "the newest run whatever it was (a dry run's failures are predictions)")
    .action(async (target: string, raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const flags = parseFlags(failureFlags, raw);
      await withTemporal(context.settings, async (client) => {
        const { run, reason } = flags.includeDryRuns && !flags.runId
          ? { run: await resolveSyncTarget(client, target), reason: `the newest run of '${target}'` }
          : await resolveFailedRun(client, target, flags);
        const chain = await readRunChain(client, run.workflowId, run.runId);
        const text = formatFailures(chain.failures, flags.format, chain.warnings);
        const unlisted = chain.warningsUnlisted > 0 ? ` (${chain.warningsUnlisted} more counted by their units but not listed: a unit lists at most 512 KB of them)` : '';
        const warnings = chain.warnings.length + chain.warningsUnlisted > 0 ? `; ${chain.warnings.length} warnings${unlisted}` : '';
        const summary = `${chain.failures.length} failed records from ${chain.runIds.length} run(s) of ${run.workflowId} (run ${run.runId}: ${reason})${warnings}`;
        if (flags.output) {
          try {
            writePrivateFile(flags.output, text);
          } catch (error) {
            throw new CliError(`cannot write ${flags.output}: ${(error as Error).message}`);
          }
          writeLine(io.stdout, `${summary} written to ${flags.output}`);
        } else {
          io.stdout.write(text);
          writeLine(io.stderr, summary);
        }
      });
    });
}
