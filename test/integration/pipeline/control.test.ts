import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelSignal, failuresQuery, pauseSignal, planQuery, progressQuery, resumeSignal } from '../../../src/workflows';
import { PipelineHarness } from '../../support/pipeline';
import { waitFor } from '../../support/worker-process';

describe('watching and steering a run', () => {
  let harness: PipelineHarness;
  /** Accounts the first plan would create (and the next real run creates). */
  let plannedIds: string[] = [];
  const writes = () => ({
    dataverse: harness.emulators.dataverse.admin.counters.snapshot().writes,
    fno: harness.emulators.fno.admin.counters.snapshot().writes,
  });

  beforeAll(async () => {
    harness = await PipelineHarness.start({
      emulators: { generate: { count: 1000, seed: 21 }, fno: { faults: { latencyMs: 40 } } },
      config: { limits: { fnoWriteBatchSize: 25, fnoConcurrency: 2 } },
    });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('plans a dry run without writing anything', async () => {
    const report = await harness.sync({ dryRun: true, maxFailuresInResult: 10_000 });
    expect(writes()).toEqual({ dataverse: 0, fno: 0 });
    expect(report.dryRun).toBe(true);
    expect(report.accountNumbers.assigned).toBe(0);
    expect(report.accountNumbers.wouldAssign).toBeGreaterThan(100);
    expect(report.plan?.wouldCreate).toBeGreaterThan(400);
    expect(report.plan?.wouldCreate).toBe(report.totals.created);
    expect(report.plan?.entries.every((entry) => entry.action === 'create')).toBe(true);
    plannedIds = (report.plan?.entries ?? []).map((entry) => entry.accountId);
    expect(report.failures.total).toBeGreaterThan(0);
    expect(report.watermark.next).toBeUndefined();
  });

  it('pauses (in-flight batches finish, nothing new starts), resumes, and answers queries meanwhile', async () => {
    const handle = await harness.startSync({ batchSize: 50, maxConcurrentBatches: 2 });
    await waitFor(async () => (await handle.query(progressQuery)).unitsDone >= 1, 'a first unit');
    await handle.signal(pauseSignal);
    await waitFor(async () => (await handle.query(progressQuery)).unitsInFlight === 0, 'in-flight units to finish');
    const paused = await handle.query(progressQuery);
    expect(paused.paused).toBe(true);
    const fnoWrites = writes().fno;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await handle.query(progressQuery)).unitsDone).toBe(paused.unitsDone);
    expect(writes().fno).toBe(fnoWrites);

    const failures = await handle.query(failuresQuery, { offset: 0, limit: 2 });
    expect(failures.items.length).toBeLessThanOrEqual(2);
    expect(failures.total).toBeGreaterThanOrEqual(failures.items.length);

    await handle.signal(resumeSignal);
    const report = await handle.result();
    expect(report.status).toBe('completed');
    expect(report.totals.created).toBeGreaterThan(400);
  });

  it('cancels gracefully with a partial report that does not advance the watermark', async () => {
    const handle = await harness.startSync({ batchSize: 50, maxConcurrentBatches: 1, mode: 'full' });
    await waitFor(async () => (await handle.query(progressQuery)).unitsDone >= 1, 'a first unit');
    await handle.signal(cancelSignal);
    const report = await handle.result();
    expect(report.status).toBe('cancelled');
    expect(report.totals.read).toBeGreaterThan(0);
    expect(report.totals.read).toBeLessThan(900);
    expect(report.watermark.next).toBeUndefined();
  });

  it('lists the plan through a query, page by page', async () => {
    // Renamed in Sales since the runs above created them: the plan would update them.
    for (const id of plannedIds.slice(0, 12)) await harness.deps.dataverse.update('accounts', id, { name: `Renamed ${id.slice(0, 8)}` }, {});
    const handle = await harness.startSync({ dryRun: true, mode: 'full' });
    const report = await handle.result();
    const first = await handle.query(planQuery, { offset: 0, limit: 5 });
    const second = await handle.query(planQuery, { offset: 5, limit: 5 });
    expect(first.total).toBe((report.plan?.wouldCreate ?? 0) + (report.plan?.wouldUpdate ?? 0));
    expect(first.total).toBeGreaterThan(10);
    expect(first.items).toHaveLength(5);
    expect(second.items).toHaveLength(5);
    const keys = new Set([...first.items, ...second.items].map((entry) => `${entry.company}|${entry.accountNumber}`));
    expect(keys.size).toBe(10);
  });
});
