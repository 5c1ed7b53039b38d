import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery, type syncAccounts, type SyncReport } from '../../src/workflows';

export interface AwaitRunOptions {
  /** Give up (and terminate the run) after this long. */
  timeoutMs: number;
  /** Progress lines every `progressEveryMs` (0: none). */
  progressEveryMs?: number;
  log?: (line: string) => void;
  /** Resolves (with a reason) when the run can no longer finish, e.g. its only worker exited. */
  fatal?: Promise<string>;
}

/**
 * The run's result, with a deadline: a benchmark that hangs on a workflow task failing forever (a bad deployment, a
 * result over the payload limit) must stop with a message instead of waiting for ever. Every `progressEveryMs` it
 * logs the progress query and looks at the problems the server reports for the run: a workflow task still failing
 * one check later ends the wait with the server's cause.
 */
export async function awaitRun(handle: WorkflowHandle<typeof syncAccounts>, options: AwaitRunOptions): Promise<SyncReport> {
  let timer: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let failingTask: (reason: string) => void = () => undefined;
  const taskFailing = new Promise<never>((_resolve, reject) => {
    failingTask = (reason) => reject(new Error(`run ${handle.workflowId} cannot finish: its workflow task keeps failing (${reason})`));
  });
  taskFailing.catch(() => undefined);
  if (options.progressEveryMs) {
    const log = options.log;
    let seenBefore = false;
    ticker = setInterval(() => {
      if (log) {
        handle
          .query(progressQuery)
          .then((p) => log(`  ${p.phase}: ${p.totals.read.toLocaleString('en-US')} read, ${p.unitsDone} units done, ${p.unitsInFlight} in flight, ${p.continuedAsNew} continue-as-new, ${p.accountsPerSecond} accounts/s`))
          .catch(() => undefined);
      }
      reportedProblems(handle)
        .then((problems) => {
          const failing = problems.some((problem) => problem.includes('WorkflowTaskFailed'));
          if (failing && seenBefore) failingTask(problems.join(', '));
          seenBefore = failing;
        })
        .catch(() => undefined);
    }, options.progressEveryMs);
  }
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`run ${handle.workflowId} did not finish within ${options.timeoutMs} ms`)), options.timeoutMs);
  });
  const fatal = options.fatal?.then((reason) => {
    throw new Error(`run ${handle.workflowId} cannot finish: ${reason}`);
  });
  // It may settle after the run is over (the worker is stopped then): not an unhandled rejection.
  fatal?.catch(() => undefined);
  try {
    return await Promise.race([handle.result(), deadline, taskFailing, ...(fatal ? [fatal] : [])]);
  } catch (error) {
    await handle.terminate('benchmark gave up on this run').catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
  }
}

/** The server's `TemporalReportedProblems` search attribute of the run (e.g. a workflow task failing), decoded. */
async function reportedProblems(handle: WorkflowHandle<typeof syncAccounts>): Promise<string[]> {
  const description = await handle.describe();
  const data = description.raw.workflowExecutionInfo?.searchAttributes?.indexedFields?.TemporalReportedProblems?.data;
  if (!data) return [];
  const parsed: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
  return Array.isArray(parsed) ? parsed.map(String) : [];
}
