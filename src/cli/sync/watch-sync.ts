import type { Client, WorkflowHandle } from '@temporalio/client';
import type { SyncProgress, SyncReport, syncAccounts } from '../../workflows';
import { progressQuery } from '../../workflows/sync-accounts';
import { CliError } from '../cli-error';
import type { CliIo, CliStream } from '../cli-io';
import { pendingActivitiesOf } from './pending-activities';
import { renderProgressBar, renderProgressLine } from './progress-view';
import { noWorkerMessage, workersPolling } from './task-queue-pollers';

/** `bar`: redrawn in place (a terminal); `lines`: a line now and then (logs, pipes); `none`: quiet (`--json`). */
export type ProgressDisplay = 'bar' | 'lines' | 'none';

export interface WatchOptions {
  display: ProgressDisplay;
  stream: CliStream;
  onInterrupt: CliIo['onInterrupt'];
  /** Accounts the run will read, when the caller knows (the demo): gives a percentage from the start. */
  expectedAccounts?: number;
  /** How often the `progress` query is asked. */
  pollMs?: number;
  /** `lines`: at most one line this often, plus one at each phase change. */
  lineEveryMs?: number;
  /** Named in the message printed when the operator stops watching. */
  target: string;
  /** The run's task queue: watched for workers polling it (a run nobody polls would wait in silence). */
  taskQueue?: string;
  /** Where notes for people go (no worker, the cause of a retry): stderr with --json. */
  notes?: CliStream;
  /** How often pollers and retrying activities are checked. */
  healthEveryMs?: number;
}

/** How long a progress query still in flight when the result arrives may take before it is abandoned. */
const QUERY_SETTLE_MS = 5_000;

export function displayFor(stream: CliStream, json: boolean): ProgressDisplay {
  if (json) return 'none';
  return stream.isTTY ? 'bar' : 'lines';
}

/**
 * Waits for the run's result (following continue-as-new) while showing its progress. Ctrl-C stops watching only:
 * the run belongs to Temporal and goes on.
 */
export async function watchSync(client: Client, handle: WorkflowHandle<typeof syncAccounts>, options: WatchOptions): Promise<SyncReport> {
  const latest = client.workflow.getHandle<typeof syncAccounts>(handle.workflowId);
  const pollMs = options.pollMs ?? (options.display === 'bar' ? 500 : 1000);
  const lineEveryMs = options.lineEveryMs ?? 10_000;
  let finished = false;
  let lastProgress: SyncProgress | undefined;
  let lastLineAt = 0;
  let lastPhase = '';

  const show = (progress: SyncProgress) => {
    lastProgress = progress;
    if (options.display === 'bar') {
      options.stream.write(`\r\x1b[2K${renderProgressBar(progress, options.stream.columns ?? 120, options.expectedAccounts)}`);
      return;
    }
    const phase = `${progress.phase}/${progress.paused}/${progress.cancelRequested}`;
    const now = Date.now();
    if (options.display === 'lines' && (phase !== lastPhase || now - lastLineAt >= lineEveryMs)) {
      options.stream.write(`${renderProgressLine(progress, new Date(now), options.expectedAccounts)}\n`);
      lastLineAt = now;
      lastPhase = phase;
    }
  };

  // Cancels the long poll for the result and any call in flight, so nothing is left calling a closed connection.
  // Each call gets its own controller: one signal shared by hundreds of calls piles up abort listeners (Node warns
  // "MaxListenersExceededWarning" after about ten seconds of watching).
  const calls = new AbortController();
  const inFlight = new Set<AbortController>();
  // Progress queries are let finish when watching ends (see the end): a query abandoned by its caller is dropped by
  // the server while a worker may be answering it, and the worker's core then logs "Query not found ... query task
  // not found, or already expired" — into the user's terminal when the worker runs in this process (the demo).
  const queries = new Set<AbortController>();
  const call = async <T>(fn: () => Promise<T>, settle = false): Promise<T> => {
    const controller = new AbortController();
    (settle ? queries : inFlight).add(controller);
    try {
      return await client.withAbortSignal(controller.signal, fn);
    } finally {
      (settle ? queries : inFlight).delete(controller);
    }
  };
  const wakes = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakes.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakes.add(wake);
    });
  const poll = async () => {
    while (!finished) {
      try {
        const progress = await call(() => latest.query(progressQuery), true);
        if (!finished) show(progress);
      } catch {
        // Between two runs of a continue-as-new, before the first workflow task, or no worker: the next poll answers.
      }
      await sleep(pollMs);
    }
  };
  // What a progress bar cannot say: nobody polls the queue, or an activity keeps failing (and why).
  const notes = options.notes ?? options.stream;
  const note = (line: string) => {
    if (options.display === 'bar') options.stream.write('\r\x1b[2K');
    notes.write(`${line}\n`);
  };
  const watchHealth = async () => {
    let lastNote = '';
    await sleep(Math.min(1000, options.healthEveryMs ?? 1000));
    while (!finished) {
      try {
        const lines: string[] = [];
        if (options.taskQueue) {
          const pollers = await call(() => workersPolling(client, options.taskQueue as string));
          if (pollers.workflow === 0 || pollers.activity === 0) lines.push(noWorkerMessage(options.taskQueue, client.options.namespace));
        }
        const retrying = (await call(() => pendingActivitiesOf(client, handle.workflowId))).filter((activity) => activity.attempt > 1 && activity.lastFailure);
        for (const activity of retrying) lines.push(`${activity.type} is retrying (attempt ${activity.attempt}); last cause: ${activity.lastFailure}`);
        const text = lines.join('\n');
        if (text !== lastNote && !finished) {
          if (text) note(text);
          else if (lastNote) note('a worker polls the task queue and no activity is retrying: the run goes on');
          lastNote = text;
        }
      } catch {
        // The check is advice; the result is what the command waits for.
      }
      await sleep(options.healthEveryMs ?? 5000);
    }
  };

  let stopWatching: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    stopWatching = options.onInterrupt(() =>
      reject(new CliError(`stopped watching; the run goes on in Temporal — follow it with 'p2c sync status ${options.target}'`, 130)),
    );
  });
  const result = client.withAbortSignal(calls.signal, () => handle.result());
  // Once watching stops, the cancelled call's rejection is expected and nobody else awaits it.
  result.catch(() => undefined);
  const polling = options.display === 'none' ? Promise.resolve() : poll();
  const health = watchHealth();
  try {
    const report = await Promise.race([result, interrupted]);
    if (options.display !== 'none') {
      lastPhase = '';
      show(finalProgress(report, lastProgress));
    }
    return report;
  } finally {
    finished = true;
    calls.abort();
    for (const controller of inFlight) controller.abort();
    for (const wake of [...wakes]) wake();
    stopWatching?.();
    if (options.display === 'bar') options.stream.write('\n');
    // A query in flight gets a moment to be answered (a closed run's query is answered from its history), then is
    // abandoned anyway: watching never hangs on it.
    const abandon = setTimeout(() => {
      for (const controller of queries) controller.abort();
    }, QUERY_SETTLE_MS);
    try {
      await Promise.all([polling, health]);
    } finally {
      clearTimeout(abandon);
    }
  }
}

/** The last picture, with the report's final counts: the bar ends at 100% and the same numbers as the summary. */
function finalProgress(report: SyncReport, last: SyncProgress | undefined): SyncProgress {
  return {
    pipeline: report.pipeline,
    dryRun: report.dryRun,
    mode: report.mode,
    cancelRequested: report.status === 'cancelled',
    unitsDone: last?.unitsDone ?? 0,
    accountsScanned: last?.accountsScanned ?? report.totals.read,
    cursor: last?.cursor ?? null,
    accountNumbersAssigned: report.accountNumbers.assigned,
    ...(report.warnings ? { warnings: { total: report.warnings.total, byCode: report.warnings.byCode } } : {}),
    startedAt: report.timings.startedAt,
    continuedAsNew: report.continuedAsNew,
    phase: 'done',
    paused: false,
    totals: report.totals,
    companies: report.companies,
    unitsInFlight: 0,
    unitsQueued: 0,
    planningDone: true,
    accountsPerSecond: report.timings.accountsPerSecond,
  };
}
