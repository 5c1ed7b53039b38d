import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery, type syncAccounts, type SyncReport } from '../workflows';

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
 * The run's result, with a deadline: a benchmark that hangs on a workflow task failing forever (a bad deployment)
 * must stop with a message instead of waiting for ever. Logs the progress query meanwhile.
 */
export async function awaitRun(handle: WorkflowHandle<typeof syncAccounts>, options: AwaitRunOptions): Promise<SyncReport> {
  let timer: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  if (options.progressEveryMs && options.log) {
    const log = options.log;
    ticker = setInterval(() => {
      handle
        .query(progressQuery)
        .then((p) => log(`  ${p.phase}: ${p.totals.read.toLocaleString('en-US')} read, ${p.unitsDone} units done, ${p.unitsInFlight} in flight, ${p.continuedAsNew} continue-as-new, ${p.accountsPerSecond} accounts/s`))
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
    return await Promise.race([handle.result(), deadline, ...(fatal ? [fatal] : [])]);
  } catch (error) {
    await handle.terminate('benchmark gave up on this run').catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
  }
}
