import type { Client, WorkflowHandle } from '@temporalio/client';
import type { SyncProgress, SyncReport, syncAccounts } from '../../workflows';
import { progressQuery } from '../../workflows/sync-accounts';
import { CliError } from '../cli-error';
import type { CliIo, CliStream } from '../cli-io';
import { renderProgressBar, renderProgressLine } from './progress-view';

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
}

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

  // Cancels the long poll for the result and any query in flight, so nothing is left calling a closed connection.
  const calls = new AbortController();
  let wake: (() => void) | undefined;
  const poll = async () => {
    while (!finished) {
      try {
        const progress = await client.withAbortSignal(calls.signal, () => latest.query(progressQuery));
        if (!finished) show(progress);
      } catch {
        // Between two runs of a continue-as-new, or before the first workflow task: the next poll answers.
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
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
    wake?.();
    stopWatching?.();
    if (options.display === 'bar') options.stream.write('\n');
    await polling;
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
