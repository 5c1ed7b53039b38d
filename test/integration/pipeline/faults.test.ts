import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffCustomer } from '../../../src/domain/diff-customer';
import { expectedState, readAllAccounts, readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';
import { countByCodeAndField, CUSTOMERS_PER_COMPANY, EXPECTED_CUSTOMERS, FAILURES_BY_CODE_AND_FIELD, SEED_7, writtenFields } from '../../support/seed-7';

// Every fault mode at once: 5xx before handling, connection resets, writes committed and then never answered
// (the ambiguous outcome), and 429s from both services' throttling.
const faults = {
  errorRate: 0.1,
  resetRate: 0.05,
  commitThenTimeoutRate: 0.05,
  commitThenTimeoutMode: 'hang',
  hangMs: 300,
  seed: 5,
} as const;

describe('syncAccounts under faults', () => {
  let harness: PipelineHarness;
  beforeAll(async () => {
    harness = await PipelineHarness.start({
      emulators: {
        generate: SEED_7,
        dataverse: { faults: { ...faults, latencyMs: 20 }, limits: { maxConcurrent: 3 } },
        fno: { faults: { ...faults, seed: 6, latencyMs: 30 }, limits: { maxConcurrentRequests: 3 } },
      },
      config: { limits: { fnoWriteBatchSize: 20, dataverseConcurrency: 4, fnoConcurrency: 4 } },
    });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('ends in the same state as a clean run, with no duplicate customer and no account numbered twice', async () => {
    const before = await readAllAccounts(harness.deps.dataverse);
    const unnumberedActive = before.filter((a) => a.statecode === 0 && !a.accountnumber).length;

    const report = await harness.sync({ batchSize: 200, maxFailuresInResult: 10_000 });
    expect(report.status).toBe('completed');

    const dataverse = harness.emulators.dataverse.admin;
    const fno = harness.emulators.fno.admin;
    // The faults really happened, on both services and on writes.
    expect(dataverse.faults.status().injected.errors + dataverse.faults.status().injected.resets).toBeGreaterThan(0);
    expect(fno.faults.status().injected.commitThenTimeouts).toBeGreaterThan(0);
    expect(fno.counters.snapshot().throttled).toBeGreaterThan(0);

    // Numbered once each, despite ambiguous numbering writes.
    expect(dataverse.counters.snapshot().writes).toBe(unnumberedActive);

    const units = harness.emulators.dataverse.store.listBusinessUnits();
    const idOf = (name: string) => units.filter((u) => u.name === name).map((u) => u.businessunitid);
    const expected = await expectedState(harness.deps.dataverse, harness.loaded.config, { usmf: idOf('USMF'), demf: idOf('DEMF') });
    expect(expected.unnumbered).toEqual([]);
    const customers = await readAllCustomers(harness.deps.fno, ['usmf', 'demf']);
    const rejected = new Set(report.failures.shown.filter((f) => f.code === 'REFERENCE_NOT_FOUND').map((f) => f.accountId));
    for (const [key, { account, row }] of expected.customers) {
      const actual = customers.get(key);
      if (actual) expect(diffCustomer(row, actual), key).toEqual({ kind: 'unchanged' });
      else expect(rejected.has(account.accountid), `${key} missing and not reported`).toBe(true);
    }
    expect(customers.size + rejected.size).toBe(expected.customers.size);
    // Each customer was written exactly once: a create that landed before its answer was lost was found on
    // re-read, never sent again.
    expect(fno.counters.snapshot().writes).toBe(customers.size);
    // Failures are only invalid records, never a fault.
    for (const failure of report.failures.shown) {
      expect(['DUPLICATE_ACCOUNT_NUMBER', 'TOO_LONG', 'UNKNOWN_COUNTRY', 'UNKNOWN_STATE', 'REFERENCE_NOT_FOUND'], failure.reason).toContain(failure.code);
    }
    // The clean run's outcome as literals worked out by hand (test/support/seed-7.ts, pinned by full-sync.test.ts),
    // not only as the production mapping computes it.
    expect(countByCodeAndField(report.failures.shown)).toEqual(FAILURES_BY_CODE_AND_FIELD);
    expect(harness.emulators.fno.store.countIn('usmf')).toBe(CUSTOMERS_PER_COMPANY.usmf);
    expect(harness.emulators.fno.store.countIn('demf')).toBe(CUSTOMERS_PER_COMPANY.demf);
    for (const { why, customer } of EXPECTED_CUSTOMERS) {
      expect(writtenFields(harness.emulators.fno.store.get(String(customer.dataAreaId), String(customer.CustomerAccount))?.row), why).toEqual(customer);
    }
  }, 240_000);
});
