import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffCustomer } from '../../../src/domain/diff-customer';
import { progressQuery } from '../../../src/workflows';
import { expectedState, readAllAccounts, readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';
import { countByCodeAndField } from '../../support/seed-7';
import { waitFor } from '../../support/worker-process';

describe('a worker SIGKILLed mid-run', () => {
  let harness: PipelineHarness;

  beforeAll(async () => {
    harness = await PipelineHarness.start({
      inProcessWorker: false,
      // Slow enough that the kills land in the middle of numbering and of syncing.
      emulators: {
        generate: { count: 2000, seed: 11 },
        dataverse: { faults: { latencyMs: 250 } },
        fno: { faults: { latencyMs: 60 } },
      },
      // Small numbering batches, two in flight: the upgrade script takes several rounds, so kill 1 lands inside it.
      config: { limits: { fnoWriteBatchSize: 25, numberingBatchSize: 40, numberingConcurrency: 2 } },
    });
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('finishes on a new worker with every account synced once and numbered once', async () => {
    const before = await readAllAccounts(harness.deps.dataverse);
    const numberedBefore = new Map(before.filter((a) => a.accountnumber).map((a) => [a.accountid, a.accountnumber]));
    const unnumberedActive = before.filter((a) => a.statecode === 0 && !a.accountnumber).length;
    expect(unnumberedActive).toBe(382);

    const dataverseWrites = () => harness.emulators.dataverse.admin.counters.snapshot().writes;

    let worker = harness.startWorkerProcess();
    const handle = await harness.startSync({ batchSize: 100, heartbeatTimeoutSeconds: 5, maxFailuresInResult: 10_000 });

    // Kill 1: after the first numbering batch landed, before the upgrade script finished.
    await waitFor(() => dataverseWrites() > 0, 'the first Account Numbers to be written');
    expect(dataverseWrites()).toBeLessThan(unnumberedActive);
    await worker.kill('SIGKILL');

    // Kill 2: in the middle of the fan-out.
    worker = harness.startWorkerProcess();
    // Until the new worker polls, the server holds a query for the killed worker's sticky queue and may give up on it
    // ("context canceled"): that is not knowing yet, not a failure; the wait's own deadline still bounds it.
    const unitsDone = () => handle.query(progressQuery).then((p) => p.unitsDone, () => 0);
    await waitFor(async () => (await unitsDone()) >= 3, 'three work units to finish', 90_000);
    const progress = await handle.query(progressQuery);
    expect(progress.planningDone && progress.unitsQueued === 0 && progress.unitsInFlight === 0).toBe(false);
    await worker.kill('SIGKILL');

    worker = harness.startWorkerProcess();
    const report = await handle.result();
    expect(report.status).toBe('completed');

    // Numbered once: every write to Dataverse was one account receiving its one number, and no number changed.
    const after = await readAllAccounts(harness.deps.dataverse);
    expect(dataverseWrites()).toBe(unnumberedActive);
    expect(after.filter((a) => a.statecode === 0 && !a.accountnumber)).toEqual([]);
    for (const account of after) {
      const earlier = numberedBefore.get(account.accountid);
      if (earlier) expect(account.accountnumber).toBe(earlier);
    }

    // Synced once: F&O holds exactly the expected customers, each written by exactly one create.
    const units = harness.emulators.dataverse.store.listBusinessUnits();
    const idOf = (name: string) => units.filter((u) => u.name === name).map((u) => u.businessunitid);
    const expected = await expectedState(harness.deps.dataverse, harness.loaded.config, { usmf: idOf('USMF'), demf: idOf('DEMF') });
    const customers = await readAllCustomers(harness.deps.fno, ['usmf', 'demf']);
    for (const [key, actual] of customers) {
      const wanted = expected.customers.get(key);
      expect(wanted, `unexpected customer ${key}`).toBeDefined();
      if (wanted) expect(diffCustomer(wanted.row, actual)).toEqual({ kind: 'unchanged' });
    }
    expect(harness.emulators.fno.admin.counters.snapshot().writes).toBe(customers.size);
    expect(customers.size + report.failures.shown.filter((f) => f.code === 'REFERENCE_NOT_FOUND').length).toBe(expected.customers.size);
    // The clean run's figures for generateAccounts({ count: 2000, seed: 11 }) as literals, derived once from a run and
    // matched by plain predicates over the raw rows (the same defects as for seed 7, see full-sync.test.ts), so a
    // mapping bug fails this test too and not only the comparison with expectedState above.
    expect(countByCodeAndField(report.failures.shown)).toEqual({
      'DUPLICATE_ACCOUNT_NUMBER accountnumber': 46,
      'TOO_LONG name': 37,
      'TOO_LONG address1_city': 20,
      'UNKNOWN_COUNTRY address1_country': 21,
      'UNKNOWN_STATE address1_stateorprovince': 60,
      'REFERENCE_NOT_FOUND SalesCurrencyCode': 53,
    });
    expect(harness.emulators.fno.store.countIn('usmf')).toBe(902);
    expect(harness.emulators.fno.store.countIn('demf')).toBe(754);
  }, 240_000);
});
