import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { z } from 'zod';
import { describeIssues } from '../../domain/describe-issues';
import { COMPANIES_ATTRIBUTE, DRY_RUN_ATTRIBUTE, MODE_ATTRIBUTE, PIPELINE_ATTRIBUTE } from '../../temporal/search-attributes';
import { liveInputSchema, type LiveInput, type LiveOptions } from '../../workflows/live-input';
import { liveProgressQuery, liveWorkflowId, pauseSignal, resumeSignal, stopSignal, type liveSync, type LiveReport } from '../../workflows/live-sync';
import { CliError, describeError } from '../cli-error';
import { writeLine, type CliIo } from '../cli-io';
import { contextOf } from '../command-context';
import { parseArgument, parseFlags } from '../parse-flags';
import { findRunningSync } from '../sync/pipeline-runs';
import { pendingActivitiesOf, renderPendingActivities } from '../sync/pending-activities';
import { noWorkerMessage, workersPolling } from '../sync/task-queue-pollers';
import { withTemporal } from '../temporal-session';
import { lagSeconds, renderLiveReport, renderLiveStatus } from './live-view';

// `p2c live …`: the pipeline's live workflow (src/workflows/live-sync.ts) under the id `p2c-live-<pipeline>`.

const WORKFLOW_TYPE = 'liveSync';
const pipelineSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'must be 1-63 lower-case letters, digits or dashes' });
const startFlags = z.object({
  pipeline: z.string().optional(),
  company: z.array(z.string()).optional(),
  pollSeconds: z.string().optional(),
  unitSize: z.string().optional(),
  maxConcurrentUnits: z.string().optional(),
  json: z.boolean().default(false),
});
const jsonFlags = z.object({ json: z.boolean().default(false) });
const stopFlags = z.object({ now: z.boolean().default(false) });

export function registerLiveCommands(program: Command, io: CliIo): void {
  const live = program.command('live').description("follow Sales' change feed and carry each change to F&O within seconds (one long-running workflow per pipeline)");

  live
    .command('start')
    .description('start the live workflow of a pipeline (refused while a sync run of the pipeline runs, or while it already runs live)')
    .option('--pipeline <name>', 'pipeline name (default: default)')
    .option('--company <id...>', 'companies (dataAreaId); all configured companies when omitted')
    .option('--poll-seconds <n>', 'seconds between two reads of the change feed (default 10; 1 to 3600)')
    .option('--unit-size <n>', 'changed accounts per upsert activity (default 1000)')
    .option('--max-concurrent-units <n>', 'upsert activities in flight at once (default 4)')
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const flags = parseFlags(startFlags, raw);
      const { input, options } = liveInputFromFlags(flags);
      await withTemporal(context.settings, async (client) => {
        const started = await startLive(client, { input, options, taskQueue: context.settings.taskQueue });
        if (flags.json) {
          writeLine(io.stdout, JSON.stringify({ workflowId: started.workflowId, runId: started.runId, pipeline: options.pipeline, input }));
          return;
        }
        writeLine(io.stdout, `Started live sync of pipeline '${options.pipeline}': workflow ${started.workflowId}, run ${started.runId}; it polls every ${options.pollSeconds} s.`);
        writeLine(io.stdout, `Follow it: p2c live status ${options.pipeline}   Stop it: p2c live stop ${options.pipeline}`);
      });
    });

  live
    .command('status')
    .argument('<pipeline|workflow-id>', 'a pipeline name, or the workflow id of a live workflow')
    .description('last poll, last change, lag, health and counts of a live pipeline (or how it ended)')
    .option('--json', 'machine-readable output')
    .action(async (target: string, raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const { json } = parseFlags(jsonFlags, raw);
      await withTemporal(context.settings, async (client) => {
        const run = await resolveLive(client, target);
        const view = await liveStatusOf(client, run);
        writeLine(io.stdout, json ? JSON.stringify({ ...run, ...view.data }, null, 2) : view.text);
      });
    });

  const signals = {
    pause: { signal: pauseSignal, description: 'pause: the poll in flight finishes, then nothing is read until resume (the pipeline stays locked)', done: 'Pause requested: the poll in flight finishes, then the workflow waits (it keeps the pipeline).' },
    resume: { signal: resumeSignal, description: 'resume a paused live workflow', done: 'Resume requested: it polls again from where it stopped, so no change is lost.' },
  } as const;
  for (const [name, { signal, description, done }] of Object.entries(signals)) {
    live
      .command(name)
      .argument('<pipeline|workflow-id>', 'a pipeline name, or the workflow id of a live workflow')
      .description(description)
      .action(async (target: string, _raw: unknown, command: Command) => {
        const context = contextOf(command, io);
        await withTemporal(context.settings, async (client) => {
          const run = await runningLive(client, target);
          await client.workflow.getHandle(run.workflowId).signal(signal);
          writeLine(io.stdout, `${run.workflowId} (run ${run.runId}): ${done}`);
        });
      });
  }

  live
    .command('stop')
    .argument('<pipeline|workflow-id>', 'a pipeline name, or the workflow id of a live workflow')
    .description('stop a live workflow: the poll in flight finishes, the pipeline is released, and it completes with its report; --now cancels at once')
    .option('--now', 'Temporal cancellation: stops within seconds, also mid-poll (the next start catches up anyway)')
    .action(async (target: string, raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const { now } = parseFlags(stopFlags, raw);
      await withTemporal(context.settings, async (client) => {
        const run = await runningLive(client, target);
        const handle = client.workflow.getHandle(run.workflowId);
        if (now) await handle.cancel();
        else await handle.signal(stopSignal);
        writeLine(
          io.stdout,
          `${run.workflowId} (run ${run.runId}): ${now ? 'Cancellation requested: it stops within seconds and releases the pipeline.' : 'Stop requested: the poll in flight finishes, then it releases the pipeline and completes.'} ('p2c live status ${target}')`,
        );
      });
    });
}

interface LiveRef {
  workflowId: string;
  runId: string;
  status: string;
  startTime: string;
  closeTime?: string;
}

/** The flags and the workflow's own schema, client-side: a bad input never becomes a failed workflow. */
export function liveInputFromFlags(flags: z.output<typeof startFlags>): { input: LiveInput; options: LiveOptions } {
  const input: Record<string, unknown> = {};
  if (flags.pipeline !== undefined) input.pipeline = flags.pipeline;
  if (flags.company !== undefined) input.companies = flags.company;
  if (flags.pollSeconds !== undefined) input.pollSeconds = toNumber(flags.pollSeconds);
  if (flags.unitSize !== undefined) input.unitSize = toNumber(flags.unitSize);
  if (flags.maxConcurrentUnits !== undefined) input.maxConcurrentUnits = toNumber(flags.maxConcurrentUnits);
  const parsed = liveInputSchema.safeParse(input);
  if (!parsed.success) throw new CliError(`Invalid input: ${describeIssues(parsed.error).join('; ')}`);
  return { input: input as LiveInput, options: parsed.data };
}

/**
 * Starts the live workflow under the pipeline's live id. Refused first when a sync run of the pipeline is open (the
 * workflow would be refused by the pipeline's lock anyway; this names the run before anything starts), and by
 * Temporal when the pipeline already runs live (conflict policy FAIL).
 */
async function startLive(client: Client, request: { input: LiveInput; options: LiveOptions; taskQueue: string }) {
  const { options } = request;
  const running = await findRunningSync(client, options.pipeline);
  if (running) {
    throw new CliError(
      `pipeline '${options.pipeline}' has a sync run in progress: workflow ${running.workflowId}, run ${running.runId} — one writer per pipeline; ` +
        `start live mode once it has finished ('p2c sync status ${options.pipeline}'), or cancel it ('p2c sync cancel ${options.pipeline}')`,
    );
  }
  const workflowId = liveWorkflowId(options.pipeline);
  const companies = options.companies ?? (options.company ? [options.company] : undefined);
  try {
    const handle = await client.workflow.start<typeof liveSync>(WORKFLOW_TYPE, {
      taskQueue: request.taskQueue,
      workflowId,
      args: [request.input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [
        { key: PIPELINE_ATTRIBUTE, value: options.pipeline },
        ...(companies ? [{ key: COMPANIES_ATTRIBUTE, value: companies }] : []),
        { key: MODE_ATTRIBUTE, value: 'live' },
        { key: DRY_RUN_ATTRIBUTE, value: false },
      ],
      memo: { pipeline: options.pipeline, mode: 'live', startedBy: 'p2c live start' },
      staticSummary: `Accounts → customers, pipeline ${options.pipeline}: live, every ${options.pollSeconds} s, ${companies?.join(', ') ?? 'all companies'}`,
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const current = await describeRef(client, workflowId);
    throw new CliError(
      `pipeline '${options.pipeline}' already runs live: workflow ${workflowId}${current ? `, run ${current.runId} (started ${current.startTime})` : ''} — ` +
        `watch it with 'p2c live status ${options.pipeline}' or stop it with 'p2c live stop ${options.pipeline}'`,
    );
  }
}

async function describeRef(client: Client, workflowId: string): Promise<LiveRef | undefined> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    if (d.type !== WORKFLOW_TYPE) return undefined;
    return {
      workflowId: d.workflowId,
      runId: d.runId,
      status: d.status.name,
      startTime: d.startTime.toISOString(),
      ...(d.closeTime ? { closeTime: d.closeTime.toISOString() } : {}),
    };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

/** `<pipeline|workflow-id>`: the pipeline's live workflow, else a live workflow with that id. */
async function resolveLive(client: Client, raw: string): Promise<LiveRef> {
  const target = parseArgument(z.string().trim().min(1, { error: 'must name a pipeline or a workflow id' }).max(1000), raw, '<pipeline|workflow-id>');
  const byPipeline = pipelineSchema.safeParse(target).success ? await describeRef(client, liveWorkflowId(target)) : undefined;
  const found = byPipeline ?? (await describeRef(client, target));
  if (!found) {
    throw new CliError(`no live workflow for '${target}' (workflow id ${pipelineSchema.safeParse(target).success ? liveWorkflowId(target) : target}): start one with 'p2c live start --pipeline …'`);
  }
  return found;
}

async function runningLive(client: Client, target: string): Promise<LiveRef> {
  const run = await resolveLive(client, target);
  if (run.status !== 'RUNNING') throw new CliError(`live workflow ${run.workflowId} (run ${run.runId}) is not running: ${run.status.toLowerCase()}`);
  return run;
}

async function liveStatusOf(client: Client, run: LiveRef): Promise<{ text: string; data: Record<string, unknown> }> {
  if (run.status === 'RUNNING') {
    const { taskQueue } = await client.workflow.getHandle(run.workflowId).describe();
    const pollers = await workersPolling(client, taskQueue);
    const activities = await pendingActivitiesOf(client, run.workflowId);
    if (pollers.workflow === 0) {
      const noWorker = noWorkerMessage(taskQueue, client.options.namespace);
      return { text: `Live workflow ${run.workflowId} (run ${run.runId}) is running, but ${noWorker}\n\n${renderPendingActivities(activities)}`, data: { noWorker, activities } };
    }
    const progress = await client.workflow.getHandle<typeof liveSync>(run.workflowId).query(liveProgressQuery);
    const now = new Date();
    return {
      text: `${renderLiveStatus(run, progress, now)}\n\n${renderPendingActivities(activities)}`,
      data: { progress: { ...progress, lagSeconds: lagSeconds(progress, now) }, activities },
    };
  }
  const closed = `${run.status.toLowerCase()} at ${run.closeTime ?? '?'}`;
  const handle = client.workflow.getHandle<typeof liveSync>(run.workflowId, run.runId, { followRuns: false });
  if (run.status === 'COMPLETED') {
    const report: LiveReport = await handle.result();
    return { text: renderLiveReport(report), data: { report } };
  }
  let reason = '';
  try {
    await handle.result();
  } catch (error) {
    reason = error instanceof WorkflowFailedError ? describeError(error) : '';
  }
  return { text: `Live workflow ${run.workflowId} (run ${run.runId}) ${closed}${reason ? `: ${reason}` : ''}`, data: { ...(reason ? { failure: reason } : {}) } };
}

function toNumber(text: string): number | string {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
}
