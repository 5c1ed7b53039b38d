import type { PlanEntry } from '../../activities/contracts';
import type { RecordFailure } from '../../domain/record-failure';
import type { SyncReport } from '../../workflows';
import { formatNumber, renderTable } from '../text-table';

export interface PlanOutcome {
  report: SyncReport;
  workflowId: string;
  runId: string;
  /** Every entry and failure of the dry run, from history. */
  entries: PlanEntry[];
  failures: RecordFailure[];
}

/** `p2c sync plan --json`: the complete plan, with the report's counters. */
export function planJson(outcome: PlanOutcome): unknown {
  const { report } = outcome;
  return {
    pipeline: report.pipeline,
    workflowId: outcome.workflowId,
    runId: outcome.runId,
    mode: report.mode,
    ...(report.watermark.since ? { since: report.watermark.since } : {}),
    totals: report.totals,
    accountNumbers: { wouldAssign: report.accountNumbers.wouldAssign, duplicateGroups: report.accountNumbers.duplicateGroups },
    wouldCreate: outcome.entries.filter((entry) => entry.action === 'create'),
    wouldUpdate: outcome.entries.filter((entry) => entry.action === 'update'),
    wouldFail: outcome.failures,
  };
}

/** `p2c sync plan`: counts, then the first `limit` entries of each kind, updates with their field differences. */
export function renderPlan(outcome: PlanOutcome, limit: number): string {
  const creates = outcome.entries.filter((entry) => entry.action === 'create');
  const updates = outcome.entries.filter((entry) => entry.action === 'update');
  const { failures, report } = outcome;
  const more = (total: number) => (total > limit ? [`… and ${formatNumber(total - limit)} more (--limit, or --json for all)`] : []);
  const lines = [
    `Plan for pipeline ${report.pipeline} (${report.mode}${report.watermark.since ? ` since ${report.watermark.since}` : ''}), dry run ${outcome.workflowId} — nothing was written.`,
    `Would create ${formatNumber(creates.length)}, update ${formatNumber(updates.length)}, leave ${formatNumber(report.totals.unchanged)} unchanged; ${formatNumber(failures.length)} records would fail; ${formatNumber(report.accountNumbers.wouldAssign)} accounts would get an Account Number.`,
  ];
  if (creates.length) {
    lines.push('', `Would create (${formatNumber(creates.length)}):`);
    lines.push(renderTable(['company', 'account number', 'account id'], creates.slice(0, limit).map((e) => [e.company, e.accountNumber, e.accountId])));
    lines.push(...more(creates.length));
  }
  if (updates.length) {
    lines.push('', `Would update (${formatNumber(updates.length)}):`);
    for (const entry of updates.slice(0, limit)) {
      lines.push(`  ${entry.company} ${entry.accountNumber} (${entry.accountId})`);
      for (const change of entry.fields ?? []) lines.push(`      ${change.field}: ${show(change.from)} → ${show(change.to)}`);
    }
    lines.push(...more(updates.length));
  }
  if (failures.length) {
    lines.push('', `Would fail (${formatNumber(failures.length)}):`);
    lines.push(renderTable(['code', 'field', 'reason'], failures.slice(0, limit).map((f) => [f.code, f.field ?? '', f.reason])));
    lines.push(...more(failures.length));
  }
  return lines.join('\n');
}

function show(value: unknown): string {
  return value === undefined || value === null || value === '' ? '(empty)' : JSON.stringify(value);
}
