// The run's state as plain data: counters, failures, plan. Pure functions only — used by the workflow, its queries,
// its continuation and the final report.
import { emptyCounters, type NumberingFigures, type PlanEntry, type RunHolds, type SyncWorkUnitResult, type UnitCounters } from '../activities/contracts';
import type { RecordFailure, RecordWarning } from '../domain/record-failure';
import type { WarningCounts } from '../domain/warning-counts';

export type Counters = UnitCounters;

export type SyncPhase = 'starting' | 'preflight' | 'numbering' | 'holding' | 'syncing' | 'draining' | 'done';

export interface SyncReport {
  pipeline: string;
  workflowId: string;
  firstRunId: string;
  status: 'completed' | 'cancelled';
  dryRun: boolean;
  mode: 'full' | 'incremental';
  /** Why an incremental request ran as a full sync. */
  fallbackReason?: string;
  configVersion: string;
  totals: Counters;
  companies: Record<string, Counters>;
  accountNumbers: NumberingFigures;
  /**
   * `shown` is the first failures up to `maxFailuresInResult` and RESULT_FAILURES_MAX_BYTES; `truncated` says there
   * are more, which the run's `failures` query (and `p2c sync failures`) lists.
   */
  failures: { total: number; shown: RecordFailure[]; truncated: boolean };
  /**
   * Values changed on their way to F&O (TRUNCATED, STATE_OMITTED): every one counted per code; `shown` is a sample
   * (at most CARRIED_WARNINGS and RESULT_WARNINGS_MAX_BYTES), `p2c sync failures` exports them all. Absent in results
   * of releases before warnings were reported.
   */
  warnings?: { total: number; byCode: WarningCounts; shown: RecordWarning[]; truncated: boolean };
  plan?: { wouldCreate: number; wouldUpdate: number; entries: PlanEntry[]; truncated: boolean };
  /**
   * F&O customers put on hold (accounts deactivated or deleted in Sales) and taken off it (active again), in total and
   * per company; only with `deactivation: block` in the configuration.
   */
  holds?: RunHolds;
  /** Where the next incremental run starts (`since`); absent for dry runs, which change nothing. */
  watermark: { since?: string; next?: string };
  timings: { startedAt: string; finishedAt: string; seconds: number; numberingSeconds: number; accountsPerSecond: number };
  continuedAsNew: number;
}

export { emptyCounters } from '../activities/contracts';

export function addCounters(target: Counters, delta: Counters): void {
  target.read += delta.read;
  target.created += delta.created;
  target.updated += delta.updated;
  target.unchanged += delta.unchanged;
  target.failed += delta.failed;
  target.outOfScope += delta.outOfScope;
}

/** Folds one unit's result into the run's totals. */
export function absorbUnitResult(
  totals: Counters,
  companies: Record<string, Counters>,
  result: SyncWorkUnitResult,
): void {
  addCounters(totals, result.totals);
  for (const [company, counters] of Object.entries(result.companies)) {
    const target = (companies[company] ??= emptyCounters());
    addCounters(target, counters);
  }
}

export function page<T>(items: readonly T[], offset = 0, limit = 100): { total: number; offset: number; items: T[] } {
  const start = Math.max(0, Math.floor(offset));
  const size = Math.min(1000, Math.max(0, Math.floor(limit)));
  return { total: items.length, offset: start, items: items.slice(start, start + size) };
}

/**
 * The result is one payload, and Temporal refuses a workflow task whose payload passes 2 MB (it warns at 512 KB):
 * the run would retry its last task for ever with every record already synced. The failures listed in the result
 * stay well below that, leaving room for the rest of the report (a dry run's plan entries).
 */
export const RESULT_FAILURES_MAX_BYTES = 256 * 1024;

/** The warnings a report lists stay smaller still: they are a sample, the export has them all. */
export const RESULT_WARNINGS_MAX_BYTES = 64 * 1024;

/** The failures a report lists: the first ones, at most `maxCount` of them and at most `maxBytes` as JSON. */
export function failuresForResult(
  failures: readonly RecordFailure[],
  total: number,
  maxCount: number,
  maxBytes = RESULT_FAILURES_MAX_BYTES,
): { total: number; shown: RecordFailure[]; truncated: boolean } {
  return listForResult(failures, total, maxCount, maxBytes);
}

/** The first items, at most `maxCount` of them and at most `maxBytes` as JSON; `truncated` when `total` is more. */
export function listForResult<T>(items: readonly T[], total: number, maxCount: number, maxBytes: number): { total: number; shown: T[]; truncated: boolean } {
  const shown: T[] = [];
  let bytes = 2;
  for (const item of items) {
    if (shown.length >= maxCount) break;
    // The comma between array elements counts too.
    const size = utf8Length(JSON.stringify(item)) + 1;
    if (bytes + size > maxBytes) break;
    bytes += size;
    shown.push(item);
  }
  return { total, shown, truncated: total > shown.length };
}

/** UTF-8 length without TextEncoder or Buffer: the same count in the workflow sandbox as anywhere else. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** The most frequent failure codes, most frequent first (ties by code), for the end-of-run notification. */
export function topFailureCodes(failures: readonly { code: string }[], limit = 5): { code: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const failure of failures) counts.set(failure.code, (counts.get(failure.code) ?? 0) + 1);
  return [...counts.entries()]
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .slice(0, limit);
}
