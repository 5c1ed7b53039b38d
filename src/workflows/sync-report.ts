// The run's state as plain data: counters, failures, plan. Pure functions only — used by the workflow, its queries,
// its continuation and the final report.
import type { PlanEntry, SyncWorkUnitResult, UnitCounters } from '../activities/contracts';
import type { RecordFailure } from '../domain/record-failure';

export type Counters = UnitCounters;

export type SyncPhase = 'starting' | 'preflight' | 'numbering' | 'syncing' | 'draining' | 'done';

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
  accountNumbers: { assigned: number; wouldAssign: number; renumbered: number; duplicateGroups: number };
  failures: { total: number; shown: RecordFailure[]; truncated: boolean };
  plan?: { wouldCreate: number; wouldUpdate: number; entries: PlanEntry[]; truncated: boolean };
  /** Where the next incremental run starts (`since`); absent for dry runs, which change nothing. */
  watermark: { since?: string; next?: string };
  timings: { startedAt: string; finishedAt: string; seconds: number; numberingSeconds: number; accountsPerSecond: number };
  continuedAsNew: number;
}

export function emptyCounters(): Counters {
  return { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0, outOfScope: 0 };
}

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
