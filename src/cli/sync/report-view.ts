import type { WarningCounts } from '../../domain/warning-counts';
import type { SyncReport } from '../../workflows';
import { formatNumber, renderFields } from '../text-table';
import { countersTable, describeHolds } from './progress-view';

/** The summary printed when a run ends: what happened, per company, and where to look next. */
export function renderReport(report: SyncReport, run: { workflowId: string; runId?: string }): string {
  const kind = report.dryRun ? 'dry run (nothing written)' : report.mode === 'incremental' ? `incremental since ${report.watermark.since ?? 'the selected accounts'}` : 'full sync';
  const failuresHint = report.failures.total > 0 ? ` — export them: p2c sync failures ${report.workflowId} --format csv` : '';
  const numbers = report.accountNumbers;
  const fields = renderFields([
    ['Pipeline', report.pipeline],
    ['Workflow', `${run.workflowId}${run.runId ? ` (run ${run.runId})` : ''}`],
    ['Result', `${report.status}, ${kind}`],
    ...(report.fallbackReason ? ([['Full because', report.fallbackReason]] as const) : []),
    ['Configuration', report.configVersion],
    ['Duration', `${formatNumber(report.timings.seconds)} s (${formatNumber(report.timings.accountsPerSecond)} accounts/s)`],
    ['Account Numbers', `${formatNumber(report.dryRun ? numbers.wouldAssign : numbers.assigned)} ${report.dryRun ? 'would be assigned' : 'assigned'}, ${formatNumber(numbers.duplicateGroups)} duplicate groups`],
    ...(report.holds ? ([['Holds', describeHolds(report.holds, report.dryRun)]] as const) : []),
    ['Failures', `${formatNumber(report.failures.total)} (one record can fail several rules)${failuresHint}`],
    ...(report.warnings && report.warnings.total > 0 ? ([['Warnings', describeWarnings(report.warnings.byCode, report.workflowId)]] as const) : []),
    ...(report.plan ? ([['Plan', `${formatNumber(report.plan.wouldCreate)} would be created, ${formatNumber(report.plan.wouldUpdate)} would be updated`]] as const) : []),
    ['Next watermark', report.watermark.next ?? 'none (this run does not move it)'],
    ['Continued as new', report.continuedAsNew],
  ]);
  return `${fields}\n\n${countersTable(report.companies, report.totals)}`;
}

/** `TRUNCATED 3, STATE_OMITTED 1 — values written differently from Sales; list them: p2c sync failures …` */
export function describeWarnings(byCode: WarningCounts, workflowId: string): string {
  const counts = Object.entries(byCode).map(([code, count]) => `${code} ${formatNumber(count)}`).join(', ');
  return `${counts} — values written differently from Sales; list them: p2c sync failures ${workflowId}`;
}
