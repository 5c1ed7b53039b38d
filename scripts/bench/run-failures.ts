import type { WorkflowHandle } from '@temporalio/client';
import type { RecordFailure } from '../../src/domain/record-failure';
import { failuresQuery, type syncAccounts, type SyncReport } from '../../src/workflows';

/** Failures per query answer: the query's own page limit. */
const PAGE = 1000;

/**
 * Every failure of a finished run, read page by page through the `failures` query rather than from the result: a
 * result carrying thousands of failures would exceed the payload limit. Complete only when the last execution
 * still holds all of them (no continue-as-new dropped older ones).
 */
export async function readRunFailures(handle: WorkflowHandle<typeof syncAccounts>): Promise<{ items: RecordFailure[]; total: number; complete: boolean }> {
  const items: RecordFailure[] = [];
  for (;;) {
    const page = await handle.query(failuresQuery, { offset: items.length, limit: PAGE });
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.available) return { items, total: page.total, complete: page.available === page.total };
  }
}

/** The report with its failure list replaced by the full one read through the query. */
export async function withAllFailures(handle: WorkflowHandle<typeof syncAccounts>, report: SyncReport): Promise<SyncReport> {
  const failures = await readRunFailures(handle);
  return { ...report, failures: { total: failures.total, shown: failures.items, truncated: !failures.complete } };
}
