import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { z } from 'zod';
import { planEntrySchema, type PlanEntry } from '../../activities/contracts';
import { recordFailureSchema, recordWarningSchema, type RecordFailure, type RecordWarning } from '../../domain/record-failure';

// Everything a run chain reported, read from history. The workflow's result and its `failures`/`plan` queries keep
// a bounded sample once a run continues as new, and the workflow keeps only a sample of warnings; each activity
// completion in history carries its own failures and warnings (and, in a dry run, its plan entries), so reading them
// back gives the complete lists.

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

// Codes are read as text: an export lists what a run of any release reported, codes this release no longer knows too.
const failureSchema = recordFailureSchema.extend({ code: z.string() });
const warningSchema = recordWarningSchema.extend({ code: z.string() });

/** The part of `syncWorkUnit` and `assignAccountNumbers` results that matters here. */
const activityResultSchema = z.object({
  failures: z.array(failureSchema).default([]),
  warnings: z.array(warningSchema).default([]),
  warningCounts: z.record(z.string(), z.number()).optional(),
  plan: z.array(planEntrySchema).optional(),
});

const REPORTING_ACTIVITIES = new Set(['syncWorkUnit', 'assignAccountNumbers']);

export interface RunChain {
  workflowId: string;
  /** Oldest first: the run that was started, then each continuation. */
  runIds: string[];
  /** The input the chain was started with (the first run's; continuations add only their checkpoint). */
  input: unknown;
  failures: RecordFailure[];
  /** Every warning the units listed, once. */
  warnings: RecordWarning[];
  /** Warnings counted beyond what a unit's result lists (UNIT_WARNINGS_MAX_BYTES): known by code, not listed. */
  warningsUnlisted: number;
  plan: PlanEntry[];
}

/**
 * Reads a run and every run it continued from (continue-as-new keeps the workflow id; each run's start event names
 * the run before it). `runId` defaults to the newest run of the workflow id.
 */
export async function readRunChain(client: Client, workflowId: string, runId?: string): Promise<RunChain> {
  const converter = client.options.loadedDataConverter;
  const decode = async (payloads: temporal.api.common.v1.IPayload[] | null | undefined): Promise<unknown> =>
    payloads?.length ? await decodeFromPayloadsAtIndex<unknown>(converter, 0, payloads) : undefined;

  const runs: { runId: string; failures: RecordFailure[]; warnings: RecordWarning[]; warningsUnlisted: number; plan: PlanEntry[]; input: unknown }[] = [];
  let current: string | undefined = runId ?? (await client.workflow.getHandle(workflowId).describe()).runId;
  while (current) {
    const history = await client.workflow.getHandle(workflowId, current, { followRuns: false }).fetchHistory();
    const events: HistoryEvent[] = history.events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    const run = {
      runId: current,
      failures: [] as RecordFailure[],
      warnings: [] as RecordWarning[],
      warningsUnlisted: 0,
      plan: [] as PlanEntry[],
      input: await decode(started?.input?.payloads),
    };
    const activityTypes = new Map<string, string>();
    for (const event of events) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled) activityTypes.set(String(event.eventId), scheduled.activityType?.name ?? '');
      const completed = event.activityTaskCompletedEventAttributes;
      if (!completed || !REPORTING_ACTIVITIES.has(activityTypes.get(String(completed.scheduledEventId)) ?? '')) continue;
      const parsed = activityResultSchema.safeParse(await decode(completed.result?.payloads));
      if (!parsed.success) {
        throw new Error(`run ${current} of ${workflowId}: event ${String(event.eventId)} holds an activity result this version cannot read`);
      }
      run.failures.push(...(parsed.data.failures as RecordFailure[]));
      run.warnings.push(...(parsed.data.warnings as RecordWarning[]));
      const counted = Object.values(parsed.data.warningCounts ?? {}).reduce((sum, count) => sum + count, 0);
      run.warningsUnlisted += Math.max(0, counted - parsed.data.warnings.length);
      if (parsed.data.plan) run.plan.push(...(parsed.data.plan as PlanEntry[]));
    }
    runs.unshift(run);
    current = started?.continuedExecutionRunId || undefined;
  }
  return {
    workflowId,
    runIds: runs.map((run) => run.runId),
    input: runs[0]?.input,
    failures: distinct(runs.flatMap((run) => run.failures), failureKey),
    warnings: distinct(runs.flatMap((run) => run.warnings), warningKey),
    warningsUnlisted: runs.reduce((sum, run) => sum + run.warningsUnlisted, 0),
    plan: distinct(runs.flatMap((run) => run.plan), (entry) => `${entry.company}|${entry.accountId}|${entry.action}`),
  };
}

function failureKey(failure: RecordFailure): string {
  return JSON.stringify([failure.accountId, failure.accountNumber, failure.company, failure.field, failure.code, failure.reason]);
}

function warningKey(warning: RecordWarning): string {
  return JSON.stringify([warning.accountId, warning.company, warning.field, warning.code, warning.value, warning.written]);
}

/** A record reported twice (an activity completed in one run and re-planned in the next) is listed once. */
function distinct<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const id = key(item);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
