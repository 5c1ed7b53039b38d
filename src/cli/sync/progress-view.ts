import type { SyncProgress } from '../../workflows';
import { formatNumber, renderFields, renderTable } from '../text-table';

// How a running sync is shown: one line (a redrawn bar on a terminal, periodic lines in logs) and the full status.

/**
 * Done fraction, when it can be known. With `expectedAccounts` (the demo knows its data) it is accounts read; else
 * it is units finished, once planning has seen every unit — before that the total is unknown and no percentage is
 * shown rather than one that would go backwards.
 */
export function progressFraction(progress: SyncProgress, expectedAccounts?: number): number | undefined {
  if (progress.phase === 'done') return 1;
  const numbering = progress.numbering;
  const toNumber = numbering?.toNumber ?? 0;
  const numbered = Math.min(numbering?.assigned ?? 0, toNumber);
  // The upgrade script's accounts count as work too, so the bar moves while numbering and never goes back after it.
  if (expectedAccounts !== undefined && expectedAccounts > 0) return Math.min(1, (numbered + progress.totals.read) / (toNumber + expectedAccounts));
  if (progress.phase === 'numbering') return toNumber > 0 ? numbered / toNumber : undefined;
  if (!progress.planningDone) return undefined;
  const units = progress.unitsDone + progress.unitsInFlight + progress.unitsQueued;
  return units === 0 ? 1 : progress.unitsDone / units;
}

function describePhase(progress: SyncProgress): string {
  if (progress.cancelRequested) return 'cancelling';
  if (progress.paused) return 'paused';
  return progress.phase;
}

/** `numbered 1,200 of 7,600  310/s  ETA 21 s` — the upgrade script, while it runs. */
export function describeNumbering(numbering: NonNullable<SyncProgress['numbering']>): string {
  const parts = [`numbered ${formatNumber(numbering.assigned)} of ${formatNumber(numbering.toNumber)}`, `${formatNumber(numbering.perSecond)}/s`];
  if (numbering.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(numbering.etaSeconds)}`);
  if (numbering.done) parts.push('done');
  return parts.join('  ');
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function counts(progress: SyncProgress): string {
  const { totals } = progress;
  if (progress.phase === 'numbering' && progress.numbering) return describeNumbering(progress.numbering);
  return [
    `read ${formatNumber(totals.read)}`,
    `created ${formatNumber(totals.created)}`,
    `updated ${formatNumber(totals.updated)}`,
    `unchanged ${formatNumber(totals.unchanged)}`,
    `failed ${formatNumber(totals.failed)}`,
    `${formatNumber(progress.accountsPerSecond)}/s`,
  ].join('  ');
}

/** `[██████░░░░░░]  45%  syncing  read 9,000  created …` — the terminal bar, fitted to `width` columns. */
export function renderProgressBar(progress: SyncProgress, width: number, expectedAccounts?: number): string {
  const fraction = progressFraction(progress, expectedAccounts);
  const cells = 24;
  const bar =
    fraction === undefined
      ? `[${'░'.repeat(cells)}]  ...`
      : `[${'█'.repeat(Math.round(fraction * cells)).padEnd(cells, '░')}] ${`${Math.floor(fraction * 100)}%`.padStart(4)}`;
  const line = `${bar}  ${describePhase(progress).padEnd(10)}  ${counts(progress)}`;
  return line.length > width ? line.slice(0, Math.max(0, width - 1)) : line;
}

/** `12:00:05  syncing  45%  read 9,000  created …` — one line for logs and pipes. */
export function renderProgressLine(progress: SyncProgress, at: Date, expectedAccounts?: number): string {
  const fraction = progressFraction(progress, expectedAccounts);
  const percent = fraction === undefined ? '' : `  ${Math.floor(fraction * 100)}%`;
  return `${at.toISOString().slice(11, 19)}  ${describePhase(progress)}${percent}  ${counts(progress)}`;
}

/** `p2c sync status` of a running run. */
export function renderStatus(run: { workflowId: string; runId: string }, progress: SyncProgress): string {
  const fraction = progressFraction(progress);
  const fields = renderFields([
    ['Pipeline', progress.pipeline],
    ['Workflow', `${run.workflowId} (run ${run.runId})`],
    ['Status', `running — ${describePhase(progress)}${progress.dryRun ? ' (dry run)' : ''}`],
    ['Mode', progress.mode],
    ['Progress', fraction === undefined ? 'planning (total not known yet)' : `${Math.floor(fraction * 100)}%`],
    ['Units', `${formatNumber(progress.unitsDone)} done, ${formatNumber(progress.unitsInFlight)} in flight, ${formatNumber(progress.unitsQueued)} queued${progress.planningDone ? '' : ', planning'}`],
    ['Account Numbers', progress.numbering ? describeNumbering(progress.numbering) : `${formatNumber(progress.accountNumbersAssigned)} assigned`],
    ...(progress.holds ? ([['Holds', describeHolds(progress.holds, progress.dryRun)]] as const) : []),
    ...(progress.warnings && progress.warnings.total > 0
      ? ([['Warnings', Object.entries(progress.warnings.byCode).map(([code, count]) => `${code} ${formatNumber(count)}`).join(', ')]] as const)
      : []),
    ['Rate', `${formatNumber(progress.accountsPerSecond)} accounts/s`],
    ['Started', progress.startedAt],
    ['Continued as new', progress.continuedAsNew],
  ]);
  return `${fields}\n\n${countersTable(progress.companies, progress.totals)}`;
}

export type CounterSet = SyncProgress['totals'];

/**
 * `deactivation: block`: customers put on hold (accounts deactivated or deleted in Sales) and taken off it, with the
 * companies that had any.
 */
export function describeHolds(holds: NonNullable<SyncProgress['holds']>, dryRun: boolean): string {
  const verb = dryRun ? 'would be ' : '';
  const companies = Object.entries(holds.companies)
    .filter(([, counts]) => counts.blocked > 0 || counts.unblocked > 0)
    .map(([company, counts]) => `${company} ${formatNumber(counts.blocked)}/${formatNumber(counts.unblocked)}`);
  return (
    `${formatNumber(holds.totals.blocked)} ${verb}blocked (OnHoldStatus All), ${formatNumber(holds.totals.unblocked)} ${verb}unblocked` +
    (companies.length > 0 ? ` — ${companies.join(', ')} (blocked/unblocked)` : '')
  );
}

/**
 * Per-company counters with a total row. Accounts refused before they reach a company (a duplicated Account Number,
 * a row the sync cannot read) count in the total only; a `(no company)` row shows them, so the rows add up.
 */
export function countersTable(companies: Record<string, CounterSet>, totals: CounterSet): string {
  const row = (name: string, c: CounterSet) => [name, c.read, c.created, c.updated, c.unchanged, c.failed, c.outOfScope];
  const rows = Object.entries(companies).map(([name, counters]) => row(name, counters));
  const beforeCompanies = remainder(totals, Object.values(companies));
  if (Object.values(beforeCompanies).some((count) => count > 0)) rows.push(row('(no company)', beforeCompanies));
  return renderTable(['company', 'read', 'created', 'updated', 'unchanged', 'failed', 'out of scope'], [...rows, row('total', totals)]);
}

/** What the total counts beyond the sum of the companies (never negative: an account can be in several companies). */
function remainder(totals: CounterSet, parts: CounterSet[]): CounterSet {
  const left = (pick: (c: CounterSet) => number) => Math.max(0, pick(totals) - parts.reduce((sum, c) => sum + pick(c), 0));
  return {
    read: left((c) => c.read),
    created: left((c) => c.created),
    updated: left((c) => c.updated),
    unchanged: left((c) => c.unchanged),
    failed: left((c) => c.failed),
    outOfScope: left((c) => c.outOfScope),
  };
}
