import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { z } from 'zod';
import type { CliIo } from '../cli-io';
import { writeLine } from '../cli-io';
import { contextOf, type CommandContext } from '../command-context';
import { parseFlags } from '../parse-flags';
import { withTemporal } from '../temporal-session';
import { addSyncInputOptions, syncInputFromFlags, type ValidatedInput } from './input-options';
import { planJson, renderPlan } from './plan-view';
import { renderReport } from './report-view';
import { readRunChain } from './run-history';
import { startSync, type StartedRun } from './start-sync';
import { displayFor, watchSync } from './watch-sync';

const outputFlags = z.object({ wait: z.boolean().default(false), json: z.boolean().default(false) });
const planFlags = z.object({
  json: z.boolean().default(false),
  limit: z.coerce.number({ error: 'must be a whole number' }).int().min(0).default(20),
});

export function registerStartCommand(sync: Command, io: CliIo): void {
  addSyncInputOptions(sync.command('start').description('start a sync run of a pipeline (refused while the pipeline runs)'))
    .option('--wait', 'wait for the end, showing progress, then print the summary')
    .option('--json', 'machine-readable output; with --wait, only the result JSON goes to stdout')
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const flags = parseFlags(outputFlags, raw);
      const validated = syncInputFromFlags(raw);
      await withTemporal(context.settings, (client) => startAndReport(client, context, validated, { ...flags, startedBy: 'p2c sync start' }));
    });
}

export function registerPlanCommand(sync: Command, io: CliIo): void {
  addSyncInputOptions(sync.command('plan').description('dry run: what a sync would create, update (field by field) and fail; writes nothing'))
    .option('--json', 'the complete plan as JSON on stdout')
    .option('--limit <n>', 'entries of each kind to list (default 20)')
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const flags = parseFlags(planFlags, raw);
      const validated = syncInputFromFlags({ ...raw, dryRun: true });
      await withTemporal(context.settings, async (client) => {
        const started = await start(client, context, validated, 'p2c sync plan', flags.json);
        const report = await watch(client, context, started, flags.json);
        // The newest run of the workflow id is the chain's last: the report's own sample is bounded, history is not.
        const chain = await readRunChain(client, started.workflowId);
        const outcome = { report, workflowId: started.workflowId, runId: started.runId, entries: chain.plan, failures: chain.failures };
        writeLine(io.stdout, flags.json ? JSON.stringify(planJson(outcome), null, 2) : renderPlan(outcome, flags.limit));
      });
    });
}

interface StartOutput {
  wait: boolean;
  json: boolean;
  startedBy: string;
}

/** Starts, then either says where to follow the run or waits and prints the result. Shared with retry-failed. */
export async function startAndReport(client: Client, context: CommandContext, validated: ValidatedInput, output: StartOutput): Promise<void> {
  const { io } = context;
  const started = await start(client, context, validated, output.startedBy, output.json);
  const pipeline = validated.options.pipeline;
  if (!output.wait) {
    if (output.json) {
      writeLine(io.stdout, JSON.stringify({ workflowId: started.workflowId, runId: started.runId, pipeline, kind: started.kind, input: started.input }));
    } else {
      writeLine(io.stdout, `Started ${started.kind} run of pipeline '${pipeline}': workflow ${started.workflowId}, run ${started.runId}.`);
      writeLine(io.stdout, `Follow it: p2c sync status ${pipeline}   (or: temporal workflow describe --workflow-id ${started.workflowId})`);
    }
    return;
  }
  const report = await watch(client, context, started, output.json);
  writeLine(io.stdout, output.json ? JSON.stringify(report, null, 2) : `\n${renderReport(report, started)}`);
}

async function start(client: Client, context: CommandContext, validated: ValidatedInput, startedBy: string, json: boolean): Promise<StartedRun> {
  // With --json, stdout carries JSON only; notes for people go to stderr.
  const notes = json ? context.io.stderr : context.io.stdout;
  return await startSync(client, {
    ...validated,
    taskQueue: context.settings.taskQueue,
    startedBy,
    note: (line) => writeLine(notes, line),
  });
}

async function watch(client: Client, context: CommandContext, started: StartedRun, json: boolean) {
  const { io } = context;
  if (!json) writeLine(io.stdout, `Run ${started.workflowId} (${started.runId}) started; waiting for it to finish (Ctrl-C stops watching, not the run).`);
  return await watchSync(client, started.handle, {
    display: displayFor(io.stdout, json),
    stream: io.stdout,
    onInterrupt: io.onInterrupt,
    target: started.workflowId,
    taskQueue: context.settings.taskQueue,
    notes: json ? io.stderr : io.stdout,
  });
}
