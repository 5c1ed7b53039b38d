import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAllAccounts, readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';

describe('continue-as-new', () => {
  let harness: PipelineHarness;
  beforeAll(async () => {
    harness = await PipelineHarness.start({ emulators: { generate: { count: 600, seed: 3 } } });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('carries counters, cursor and failures across runs and ends with the same result as one long run', async () => {
    const handle = await harness.startSync({ unitSize: 10, maxConcurrentUnits: 2, continueAsNewAfterEvents: 100, maxFailuresInResult: 10_000 });
    const report = await handle.result();
    expect(report.continuedAsNew).toBeGreaterThanOrEqual(2);
    expect(report.firstRunId).toBe(handle.firstExecutionRunId);

    // Each execution's history stayed near the threshold (a unit is ~6 events; a few are in flight when it stops).
    const lengths: number[] = [];
    for await (const execution of harness.env.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) {
      lengths.push(execution.historyLength);
    }
    expect(lengths.length).toBe(report.continuedAsNew + 1);
    for (const length of lengths) expect(length).toBeLessThan(200);

    // Counters survived: every active account was read exactly once across the executions, and what was created
    // is exactly what F&O holds.
    const customers = await readAllCustomers(harness.deps.fno, ['usmf', 'demf']);
    expect(report.totals.created).toBe(customers.size);
    const active = (await readAllAccounts(harness.deps.dataverse)).filter((a) => a.statecode === 0).length;
    expect(report.totals.read).toBe(active);
    expect(report.failures.total).toBe(report.failures.shown.length);
    const failedRecords = new Set(report.failures.shown.filter((f) => f.code !== 'NUMBERING_FAILED').map((f) => `${f.accountId}|${f.company ?? ''}`));
    expect(report.totals.failed).toBe(failedRecords.size);

    // The same data synced again in one execution finds nothing to do: the cursor never skipped a range.
    const single = await harness.sync({ unitSize: 1000, mode: 'full' });
    expect(single.continuedAsNew).toBe(0);
    expect(single.totals.created + single.totals.updated).toBe(0);
    expect(single.totals.read).toBe(report.totals.read);
  }, 120_000);
});
