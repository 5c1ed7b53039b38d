// Bundled into the workflow sandbox (see workflowBundleOptions in src/temporal/workflow-bundle.ts): imports only @temporalio/workflow
// and pure code.
import { ApplicationFailure, ContinueAsNew, isCancellation, log, proxySinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import type { SyncReport } from '../workflows/sync-report';
import { countsOf } from './result-counts';
import type { RunEnd, RunSinks } from './run-sinks';

const { p2cRuns } = proxySinks<RunSinks>();

/**
 * One log line when a run starts, ends or continues as new, through the workflow logger (a sink: the worker adds
 * workflow id, run id, type, namespace and task queue, and replays log nothing). The report's counters and status
 * go in; its failures, plan and watermark do not. The run's end also goes to the worker's metrics (the `p2cRuns`
 * sink), which the alert rules in deploy/prometheus watch; a continuation is not an end.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        log.info('workflow started');
        try {
          const result = await next(input);
          log.info('workflow completed', { result: countsOf(result) });
          p2cRuns.ended(runEndOf(result as Partial<SyncReport> | undefined, input.args[0]));
          return result;
        } catch (error) {
          if (error instanceof ContinueAsNew) log.info('workflow continued as new');
          else {
            p2cRuns.ended({ ...runEndOf(undefined, input.args[0]), status: isCancellation(error) ? 'cancelled' : 'failed' });
            // The SDK logs failures too ("Workflow failed"), but its copy of the error leaves the sandbox without its
            // type; this line says which failure it was, by class and type, never by message.
            if (!isCancellation(error)) log.warn('workflow failed', { failure: failureClass(error) });
          }
          throw error;
        }
      },
    },
  ],
});

const PIPELINE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The pipeline comes from the report, or for a run that failed from its input — only when it is a valid name, so
 * a bad input cannot put an arbitrary string into a metric label.
 */
function runEndOf(report: Partial<SyncReport> | undefined, input: unknown): RunEnd {
  const requested = (input as { pipeline?: unknown } | undefined)?.pipeline;
  const fromInput = typeof requested === 'string' && PIPELINE_NAME.test(requested) ? requested : requested === undefined ? 'default' : 'invalid';
  return {
    pipeline: typeof report?.pipeline === 'string' ? report.pipeline : fromInput,
    status: report?.status === 'cancelled' ? 'cancelled' : 'completed',
    dryRun: report?.dryRun === true || (input as { dryRun?: unknown } | undefined)?.dryRun === true,
    failedRecords: report?.failures?.total ?? 0,
  };
}

/** Class, type and retryability of a failure, as plain data (an Error's class does not survive the log sink). */
function failureClass(error: unknown): Record<string, unknown> {
  if (error instanceof ApplicationFailure) return { name: error.name, ...(error.type ? { type: error.type } : {}), nonRetryable: error.nonRetryable };
  return { name: error instanceof Error ? error.name : typeof error };
}
