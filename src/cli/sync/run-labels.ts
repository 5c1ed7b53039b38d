import type { SearchAttributePair } from '@temporalio/common';
import { COMPANIES_ATTRIBUTE, DRY_RUN_ATTRIBUTE, MODE_ATTRIBUTE, PIPELINE_ATTRIBUTE } from '../../temporal/search-attributes';
import type { SyncOptions } from '../../workflows/sync-input';

/** How a run is started, as operators filter and read it: search attribute, memo, summary line in the Web UI. */
export type RunKind = 'full' | 'incremental' | 'auto' | 'retry';

export function runSearchAttributes(options: SyncOptions, kind: RunKind): SearchAttributePair[] {
  const companies = options.companies;
  return [
    { key: PIPELINE_ATTRIBUTE, value: options.pipeline },
    ...(companies ? [{ key: COMPANIES_ATTRIBUTE, value: companies }] : []),
    { key: MODE_ATTRIBUTE, value: kind },
    { key: DRY_RUN_ATTRIBUTE, value: options.dryRun },
  ];
}

export function runMemo(options: SyncOptions, kind: RunKind, startedBy: string): Record<string, unknown> {
  return { pipeline: options.pipeline, mode: kind, dryRun: options.dryRun, startedBy };
}

export function runSummary(options: SyncOptions, kind: RunKind): string {
  const companies = options.companies?.join(', ') ?? 'all companies';
  const what = options.dryRun ? 'plan (dry run)' : kind === 'retry' ? 'retry of failed accounts' : `${kind} sync`;
  return `Accounts → customers, pipeline ${options.pipeline}: ${what}, ${companies}`;
}
