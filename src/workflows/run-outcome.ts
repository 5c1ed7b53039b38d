import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { ContinueAsNew, isCancellation, upsertSearchAttributes } from '@temporalio/workflow';
import {
  COMPANIES_ATTRIBUTE,
  CREATED_ATTRIBUTE,
  DRY_RUN_ATTRIBUTE,
  FAILED_ATTRIBUTE,
  MODE_ATTRIBUTE,
  OUTCOME_ATTRIBUTE,
  PIPELINE_ATTRIBUTE,
  UPDATED_ATTRIBUTE,
} from '../temporal/search-attributes';
import type { SyncOptions } from './sync-input';
import type { Counters, SyncReport } from './sync-report';

// The run labels itself with search attributes, whoever started it (p2c, a schedule, the Web UI's start form, a
// plain `temporal workflow start`): the Web UI's list shows them as columns and filters such as `P2cFailed > 0`
// find runs by outcome without opening each result.

export type RunOutcomeName = 'running' | 'ok' | 'with-failures' | 'failed' | 'cancelled' | 'dry-run';

/** What the run set out to do, as `p2c sync start` labels it: `retry` (selected accounts), `full`, `incremental` or `auto`. */
export function requestedMode(options: SyncOptions): string {
  if (options.accountIds) return 'retry';
  if (options.mode === 'full') return 'full';
  if (options.mode === 'incremental' || options.since) return 'incremental';
  return 'auto';
}

export function labelRunStart(options: SyncOptions): void {
  const companies = options.companies;
  const updates: SearchAttributeUpdatePair[] = [
    { key: PIPELINE_ATTRIBUTE, value: options.pipeline },
    { key: MODE_ATTRIBUTE, value: requestedMode(options) },
    { key: DRY_RUN_ATTRIBUTE, value: options.dryRun },
    { key: OUTCOME_ATTRIBUTE, value: 'running' },
  ];
  if (companies) updates.push({ key: COMPANIES_ATTRIBUTE, value: companies });
  upsertSearchAttributes(updates);
}

/** Once `auto` is decided: what is being done (a retry stays `retry`). */
export function labelDecidedMode(options: SyncOptions, mode: 'full' | 'incremental'): void {
  if (options.accountIds) return;
  upsertSearchAttributes([{ key: MODE_ATTRIBUTE, value: mode }]);
}

export function outcomeOfReport(report: SyncReport): RunOutcomeName {
  if (report.status === 'cancelled') return 'cancelled';
  if (report.dryRun) return 'dry-run';
  return report.failures.total > 0 ? 'with-failures' : 'ok';
}

export function labelRunEnd(outcome: RunOutcomeName, totals: Counters, failed: number): void {
  upsertSearchAttributes([
    { key: OUTCOME_ATTRIBUTE, value: outcome },
    { key: CREATED_ATTRIBUTE, value: totals.created },
    { key: UPDATED_ATTRIBUTE, value: totals.updated },
    { key: FAILED_ATTRIBUTE, value: failed },
  ]);
}

/** A run that ends by throwing: cancelled (Temporal's cancellation) or failed; a continue-as-new is neither. */
export function outcomeOfError(error: unknown): RunOutcomeName | undefined {
  if (isCancellation(error)) return 'cancelled';
  if (error instanceof ContinueAsNew) return undefined;
  return 'failed';
}
