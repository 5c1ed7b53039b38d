import type { InjectedSink, InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { RunSinks } from './run-sinks';
import type { SyncMetrics } from './sync-metrics';

/**
 * The worker's side of the `p2cRuns` sink. Registered whether or not the worker serves metrics: the workflow bundle
 * always calls it, and an unregistered sink is an error in the worker's log. Not called during replay, so a run
 * ends once in the metrics however often its history is replayed.
 */
export function runSinks(metrics: SyncMetrics | undefined): InjectedSinks<RunSinks> {
  return {
    p2cRuns: {
      ended: {
        fn: (info: WorkflowInfo, run) => metrics?.observeRunEnd({ ...run, scheduled: isScheduled(info) }),
        callDuringReplay: false,
      },
    },
  };
}

/**
 * A schedule sets TemporalScheduledById on the runs it starts. The info a sink receives is a structured-clone copy
 * out of the workflow's isolate: `typedSearchAttributes` has lost its methods, so the plain map is read.
 */
export function isScheduled(info: WorkflowInfo): boolean {
  // Deprecated in favour of typedSearchAttributes, which does not survive the copy.
  const scheduledBy = (info.searchAttributes as Record<string, unknown> | undefined)?.TemporalScheduledById;
  return Array.isArray(scheduledBy) ? scheduledBy.length > 0 : scheduledBy !== undefined;
}

/**
 * The `exporter` sink of the SDK's OpenTelemetry workflow interceptors (in every bundle) when tracing is off: the
 * spans made in the sandbox are dropped.
 */
export const droppedWorkflowSpans: InjectedSink<{ export(spans: unknown[]): void }> = {
  export: { fn: () => undefined, callDuringReplay: false },
};
