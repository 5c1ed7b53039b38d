import type { LiveProgress, LiveReport } from '../../workflows/live-state';
import { formatNumber, renderFields, renderTable } from '../text-table';

// How `p2c live status` shows a live pipeline: where the feed stands (last poll, last change, lag), its health and
// what it has carried to F&O since it started live.

/** `12 s ago` — or the time itself when the clock of the reader is behind. */
function ago(iso: string | undefined, now: Date): string {
  if (!iso) return 'never';
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  return seconds >= 0 ? `${iso} (${formatNumber(seconds)} s ago)` : iso;
}

/** Seconds since which every change committed in Dataverse is in F&O, by the reader's clock. */
export function lagSeconds(progress: LiveProgress, now: Date): number | undefined {
  if (!progress.syncedUpTo) return undefined;
  return Math.max(0, Math.round((now.getTime() - Date.parse(progress.syncedUpTo)) / 1000));
}

function state(progress: LiveProgress): string {
  if (progress.stopRequested) return 'stopping';
  if (progress.paused) return 'paused (holds the pipeline; resume with p2c live resume)';
  return progress.phase;
}

function changes(counts: LiveProgress['lastPollChanges']): string {
  if (!counts) return '';
  return `${formatNumber(counts.changed)} changed, ${formatNumber(counts.deactivated)} deactivated, ${formatNumber(counts.deleted)} deleted, ${formatNumber(counts.unnumbered)} new without a number`;
}

export function renderLiveStatus(run: { workflowId: string; runId: string }, progress: LiveProgress, now: Date): string {
  const lag = lagSeconds(progress, now);
  const health =
    progress.health === 'ok'
      ? 'ok'
      : `DEGRADED since ${progress.failingSince ?? '?'} (${formatNumber(progress.consecutiveFailures)} failed attempts in a row; next ${progress.nextAttemptAt ?? 'soon'}): ${progress.lastError?.type ?? ''} ${progress.lastError?.message ?? ''}`.trim();
  const fields = renderFields([
    ['Pipeline', progress.pipeline],
    ['Workflow', `${run.workflowId} (run ${run.runId})`],
    ['State', state(progress)],
    ['Health', health],
    ['Poll every', `${formatNumber(progress.pollSeconds)} s`],
    ['Catch-up', progress.catchUp.done ? 'done' : `full pass in progress${progress.catchUp.reason ? ` (${progress.catchUp.reason})` : ''}`],
    ['Last poll', `${ago(progress.lastPollAt, now)}${progress.lastPollAt ? ` — ${changes(progress.lastPollChanges)}` : ''}`],
    ['Last change', `${ago(progress.lastChangeAt, now)}${progress.lastChangeAt ? ` — ${changes(progress.lastChanges)}` : ''}`],
    ['Lag', lag === undefined ? 'unknown (no poll yet)' : `${formatNumber(lag)} s (every change committed before ${progress.syncedUpTo} is in F&O)`],
    ['Started', `${progress.startedAt}${progress.continuedAsNew > 0 ? `, continued as new ${formatNumber(progress.continuedAsNew)}×` : ''}`],
  ]);
  return `${fields}\n\n${renderCounts(progress)}`;
}

function renderCounts(progress: Pick<LiveProgress, 'totals' | 'counts' | 'companies'>): string {
  const { totals, counts } = progress;
  const overall = renderFields([
    ['Polls', counts.polls],
    ['Changes seen', counts.changesSeen],
    ['Customers', `${formatNumber(totals.created)} created, ${formatNumber(totals.updated)} updated, ${formatNumber(totals.unchanged)} unchanged, ${formatNumber(totals.failed)} failed (${formatNumber(totals.read)} accounts read)`],
    ['Holds', `${formatNumber(counts.blocked)} blocked, ${formatNumber(counts.unblocked)} unblocked`],
    ['Account Numbers', `${formatNumber(counts.accountNumbersAssigned)} assigned`],
    ['Full passes', `${formatNumber(counts.deltaRestarts)} after the first`],
    ['Failures', counts.failures],
  ]);
  const rows = Object.entries(progress.companies).map(([company, c]) => [company, c.read, c.created, c.updated, c.unchanged, c.failed, c.outOfScope]);
  return rows.length === 0 ? overall : `${overall}\n\n${renderTable(['company', 'read', 'created', 'updated', 'unchanged', 'failed', 'out of scope'], rows)}`;
}

export function renderLiveReport(report: LiveReport): string {
  const head = `Live sync of pipeline '${report.pipeline}' stopped at ${report.finishedAt} (live since ${report.startedAt}); last poll ${report.lastPollAt ?? 'never'}.`;
  const failures = report.failures.shown.slice(0, 10).map((f) => `  ${f.code}  ${f.reason}`);
  return [head, '', renderCounts(report), ...(failures.length ? ['', 'Newest failures:', ...failures] : [])].join('\n');
}
