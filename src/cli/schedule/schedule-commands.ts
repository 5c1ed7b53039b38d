import type { Client, ScheduleDescription, ScheduleSummary } from '@temporalio/client';
import type { Command } from 'commander';
import { z } from 'zod';
import { pipelineWorkflowId } from '../../temporal/client';
import { CliError } from '../cli-error';
import { writeLine, type CliIo } from '../cli-io';
import { contextOf } from '../command-context';
import { parseArgument, parseFlags } from '../parse-flags';
import { addSyncInputOptions, syncInputFromFlags } from '../sync/input-options';
import { runMemo, runSearchAttributes, runSummary } from '../sync/run-labels';
import { withTemporal } from '../temporal-session';
import { renderFields, renderTable } from '../text-table';
import { formatDuration } from './format-duration';
import { OVERLAP_POLICIES, describeSpec, overlapName, scheduleFlagsSchema, scheduleSpec } from './schedule-options';

const scheduleIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, { error: 'must be letters, digits, dot, dash or underscore' });
const jsonFlag = z.object({ json: z.boolean().default(false) });
const noteFlag = z.object({ note: z.string().optional() });

/** `p2c schedule …`: Temporal Schedules that start syncAccounts runs, incremental from the previous run by default. */
export function registerScheduleCommands(program: Command, io: CliIo): void {
  const schedule = program.command('schedule').description('Temporal Schedules of sync runs (overlap Skip by default)');

  addSyncInputOptions(schedule.command('create').argument('<schedule-id>').description('create a schedule that starts sync runs'), { mode: 'auto' })
    .option('--every <interval>', 'start a run at this interval, e.g. 15m, 1h')
    .option('--cron <expression...>', 'start runs on a calendar, as cron expressions, e.g. "0 2 * * *"')
    .option('--time-zone <zone>', 'IANA time zone of --cron (default UTC)')
    .option('--jitter <duration>', 'start each run up to this much later, at random')
    .option('--overlap <policy>', `when a run is still going: ${Object.keys(OVERLAP_POLICIES).join(' | ')} (default skip)`)
    .option('--catchup-window <duration>', 'after an outage, start missed runs at most this late (default 10m)')
    .option('--pause-on-failure', 'pause the schedule when a run fails')
    .option('--paused', 'create the schedule paused')
    .option('--note <text>', 'why the schedule is (or is created) paused')
    .action(async (scheduleId: string, raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const id = scheduleIdOf(scheduleId);
      const flags = parseFlags(scheduleFlagsSchema, raw);
      const { input, options } = syncInputFromFlags(raw);
      if (options.since) throw new CliError('invalid options: --since: a schedule starts every run from the previous run\'s watermark; leave --since out');
      const kind = options.mode;
      await withTemporal(context.settings, async (client) => {
        await client.schedule.create({
          scheduleId: id,
          spec: scheduleSpec(flags),
          action: {
            type: 'startWorkflow',
            workflowType: 'syncAccounts',
            taskQueue: context.settings.taskQueue,
            // Temporal appends each run's scheduled time to this id.
            workflowId: pipelineWorkflowId(options.pipeline),
            args: [input],
            typedSearchAttributes: runSearchAttributes(options, kind),
            memo: { ...runMemo(options, kind, `schedule ${id}`), schedule: id },
            staticSummary: runSummary(options, kind),
          },
          policies: { overlap: OVERLAP_POLICIES[flags.overlap], catchupWindow: flags.catchupWindow, pauseOnFailure: flags.pauseOnFailure },
          state: { paused: flags.paused, ...(flags.note ? { note: flags.note } : {}) },
        });
        const description = await client.schedule.getHandle(id).describe();
        writeLine(io.stdout, `Created schedule ${id}: pipeline '${options.pipeline}', ${describeSpec(description.spec)}, overlap ${flags.overlap}.`);
        const next = description.info.nextActionTimes[0];
        if (next && !flags.paused) writeLine(io.stdout, `Next run: ${next.toISOString()}`);
      });
    });

  schedule
    .command('list')
    .description('list schedules')
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const { json } = parseFlags(jsonFlag, raw);
      await withTemporal(context.settings, async (client) => {
        const summaries: ScheduleSummary[] = [];
        for await (const summary of client.schedule.list()) summaries.push(summary);
        summaries.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
        if (json) {
          writeLine(io.stdout, JSON.stringify(summaries.map(summaryJson), null, 2));
          return;
        }
        if (summaries.length === 0) {
          writeLine(io.stdout, 'No schedules.');
          return;
        }
        writeLine(
          io.stdout,
          renderTable(
            ['schedule', 'workflow', 'times', 'state', 'next run', 'last run'],
            summaries.map((s) => [
              s.scheduleId,
              s.action?.workflowType ?? '',
              s.spec ? describeSpec(s.spec) : '',
              s.state.paused ? 'paused' : 'active',
              s.info.nextActionTimes[0]?.toISOString() ?? '',
              s.info.recentActions.at(-1)?.action.workflow.workflowId ?? '',
            ]),
          ),
        );
      });
    });

  schedule
    .command('describe')
    .argument('<schedule-id>')
    .description("a schedule's times, policies, input, recent and next runs")
    .option('--json', 'machine-readable output')
    .action(async (scheduleId: string, raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const { json } = parseFlags(jsonFlag, raw);
      await withTemporal(context.settings, async (client) => {
        const description = await client.schedule.getHandle(scheduleIdOf(scheduleId)).describe();
        writeLine(io.stdout, json ? JSON.stringify(descriptionJson(description), null, 2) : renderDescription(description));
      });
    });

  for (const [name, paused] of [['pause', true], ['unpause', false]] as const) {
    schedule
      .command(name)
      .argument('<schedule-id>')
      .description(paused ? 'stop starting runs (runs in progress go on)' : 'start runs again')
      .option('--note <text>', 'why (shown in describe and in the Web UI)')
      .action(async (scheduleId: string, raw: Record<string, unknown>, command: Command) => {
        const context = contextOf(command, io);
        const { note } = parseFlags(noteFlag, raw);
        await withTemporal(context.settings, async (client) => {
          const handle = client.schedule.getHandle(scheduleIdOf(scheduleId));
          await (paused ? handle.pause(note) : handle.unpause(note));
          writeLine(io.stdout, `Schedule ${scheduleId} ${paused ? 'paused' : 'unpaused'}.`);
        });
      });
  }

  schedule
    .command('trigger')
    .argument('<schedule-id>')
    .description("start a run now, under the schedule's overlap policy (with skip: not while a run is going)")
    .action(async (scheduleId: string, _raw: unknown, command: Command) => {
      const context = contextOf(command, io);
      await withTemporal(context.settings, async (client) => {
        const handle = client.schedule.getHandle(scheduleIdOf(scheduleId));
        // The SDK's trigger defaults to ALLOW_ALL; the schedule's own policy is what keeps one run per pipeline.
        const { policies } = await handle.describe();
        await handle.trigger(policies.overlap ?? 'SKIP');
        writeLine(io.stdout, `Schedule ${scheduleId} triggered (overlap ${overlapName(policies.overlap)}).`);
      });
    });

  schedule
    .command('delete')
    .argument('<schedule-id>')
    .description('delete a schedule (runs it started go on)')
    .action(async (scheduleId: string, _raw: unknown, command: Command) => {
      const context = contextOf(command, io);
      await withTemporal(context.settings, async (client: Client) => {
        await client.schedule.getHandle(scheduleIdOf(scheduleId)).delete();
        writeLine(io.stdout, `Schedule ${scheduleId} deleted.`);
      });
    });
}

function scheduleIdOf(scheduleId: string): string {
  return parseArgument(scheduleIdSchema, scheduleId, '<schedule-id>');
}

function summaryJson(summary: ScheduleSummary) {
  return {
    scheduleId: summary.scheduleId,
    workflowType: summary.action?.workflowType,
    times: summary.spec ? describeSpec(summary.spec) : undefined,
    paused: summary.state.paused,
    note: summary.state.note,
    nextRuns: summary.info.nextActionTimes,
    recentRuns: summary.info.recentActions.map((action) => ({ scheduledAt: action.scheduledAt, ...action.action.workflow })),
  };
}

function descriptionJson(description: ScheduleDescription) {
  const action = description.action;
  return {
    scheduleId: description.scheduleId,
    times: describeSpec(description.spec),
    spec: description.spec,
    policies: description.policies,
    state: description.state,
    action: action.type === 'startWorkflow' ? { workflowType: action.workflowType, workflowId: action.workflowId, taskQueue: action.taskQueue, input: action.args?.[0] } : action,
    info: {
      numActionsTaken: description.info.numActionsTaken,
      numActionsSkippedOverlap: description.info.numActionsSkippedOverlap,
      numActionsMissedCatchupWindow: description.info.numActionsMissedCatchupWindow,
      runningRuns: description.info.runningActions.map((running) => running.workflow),
      recentRuns: description.info.recentActions.map((recent) => ({ scheduledAt: recent.scheduledAt, ...recent.action.workflow })),
      nextRuns: description.info.nextActionTimes,
      createdAt: description.info.createdAt,
    },
  };
}

function renderDescription(description: ScheduleDescription): string {
  const { action, policies, state, info } = description;
  const fields = renderFields([
    ['Schedule', description.scheduleId],
    ['Times', describeSpec(description.spec)],
    ['State', state.paused ? `paused${state.note ? ` (${state.note})` : ''}` : 'active'],
    ['Overlap', overlapName(policies.overlap)],
    ['Catch-up window', formatDuration(policies.catchupWindow)],
    ['Pause on failure', policies.pauseOnFailure ? 'yes' : 'no'],
    ...(action.type === 'startWorkflow'
      ? ([
          ['Workflow', `${action.workflowType} on task queue ${action.taskQueue}, ids ${action.workflowId}-<time>`],
          ['Input', JSON.stringify(action.args?.[0] ?? {})],
        ] as const)
      : []),
    ['Runs started', info.numActionsTaken],
    ['Skipped (overlap)', info.numActionsSkippedOverlap],
    ['Missed (catch-up)', info.numActionsMissedCatchupWindow],
    ['Running', info.runningActions.map((running) => running.workflow.workflowId).join(', ') || 'none'],
    ['Next runs', info.nextActionTimes.slice(0, 3).map((time) => time.toISOString()).join(', ') || 'none'],
  ]);
  const recent = info.recentActions.slice(-5).map((recent) => [recent.scheduledAt.toISOString(), recent.action.workflow.workflowId, recent.action.workflow.firstExecutionRunId]);
  return recent.length ? `${fields}\n\nRecent runs:\n${renderTable(['scheduled at', 'workflow id', 'run id'], recent)}` : fields;
}
