import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffCustomer } from '../../../src/domain/diff-customer';
import type { SyncReport } from '../../../src/workflows';
import { expectedState, failuresByAccount, readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';

const COMPANIES = ['usmf', 'demf'] as const;

describe('syncAccounts: 2,000 generated accounts into usmf and demf', () => {
  let harness: PipelineHarness;
  let first: SyncReport;
  let businessUnits: Record<string, string[]>;

  beforeAll(async () => {
    harness = await PipelineHarness.start({ emulators: { generate: { count: 2000, seed: 7 } } });
    const units = harness.emulators.dataverse.store.listBusinessUnits();
    const idOf = (name: string) => units.filter((u) => u.name === name).map((u) => u.businessunitid);
    businessUnits = { usmf: idOf('USMF'), demf: idOf('DEMF') };
    first = await harness.sync({ batchSize: 250, maxFailuresInResult: 10_000 });
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('numbers every active account and makes every valid one a customer with exactly the mapped fields', async () => {
    expect(first.status).toBe('completed');
    expect(first.mode).toBe('full');
    const expected = await expectedState(harness.deps.dataverse, harness.loaded.config, businessUnits);
    expect(expected.unnumbered).toEqual([]);
    expect(first.accountNumbers.assigned).toBeGreaterThan(200);

    const customers = await readAllCustomers(harness.deps.fno, COMPANIES);
    const failures = failuresByAccount(first.failures.shown);
    expect(first.failures.total).toBe(first.failures.shown.length);
    let rejectedByFno = 0;
    for (const [key, { account, row }] of expected.customers) {
      const actual = customers.get(key);
      if (actual) {
        expect(diffCustomer(row, actual), key).toEqual({ kind: 'unchanged' });
        expect(actual.IsExternallyMaintained).toBe('Yes');
      } else {
        // Valid for the mapping but refused by F&O (e.g. a currency F&O does not know): must be reported.
        const codes = (failures.get(account.accountid) ?? []).map((f) => f.code);
        expect(codes, `${key} is neither a customer nor reported`).toEqual(
          expect.arrayContaining([expect.stringMatching(/^(REFERENCE_NOT_FOUND|FNO_REJECTED|TOO_LONG)$/)]),
        );
        rejectedByFno += 1;
      }
    }
    expect(customers.size + rejectedByFno).toBe(expected.customers.size);
    expect(customers.size).toBeGreaterThan(1400);
    expect(first.totals.created).toBe(customers.size);
    for (const key of customers.keys()) expect(expected.customers.has(key), `unexpected customer ${key}`).toBe(true);
  });

  it('reports every invalid or duplicated account with its reason', () => {
    const failures = failuresByAccount(first.failures.shown);
    return expectedState(harness.deps.dataverse, harness.loaded.config, businessUnits).then((expected) => {
      expect(expected.duplicateAccountIds.size).toBeGreaterThan(0);
      expect(expected.mappingFailures.size).toBeGreaterThan(0);
      for (const id of expected.duplicateAccountIds) {
        const duplicate = failures.get(id)?.find((f) => f.code === 'DUPLICATE_ACCOUNT_NUMBER');
        expect(duplicate, id).toBeDefined();
        expect(duplicate?.field).toBe('accountnumber');
        expect(duplicate?.reason).toContain(id);
      }
      for (const [id, codes] of expected.mappingFailures) {
        const reported = failures.get(id) ?? [];
        expect(reported.map((f) => f.code), id).toEqual(expect.arrayContaining(codes));
        for (const failure of reported) {
          expect(failure.reason).toContain(id);
          expect(failure.field, failure.reason).toBeTruthy();
        }
      }
    });
  });

  it('writes nothing when run again', async () => {
    const writesBefore = harness.emulators.fno.admin.counters.snapshot().writes;
    const again = await harness.sync({ mode: 'full', batchSize: 500 });
    expect(again.totals.created).toBe(0);
    expect(again.totals.updated).toBe(0);
    expect(again.totals.unchanged).toBe(first.totals.created);
    expect(again.accountNumbers.assigned).toBe(0);
    expect(harness.emulators.fno.admin.counters.snapshot().writes).toBe(writesBefore);
  });

  it('updates exactly the accounts changed since the watermark in an incremental run', async () => {
    const customers = await readAllCustomers(harness.deps.fno, COMPANIES);
    const expected = await expectedState(harness.deps.dataverse, harness.loaded.config, businessUnits);
    const changed = [...expected.customers.values()].filter(({ row }) => customers.has(`${row.dataAreaId}|${row.CustomerAccount.toUpperCase()}`)).slice(0, 3);
    expect(changed).toHaveLength(3);
    for (const [index, { account }] of changed.entries()) {
      await harness.deps.dataverse.update('accounts', account.accountid, { telephone1: `+1 555 0100 ${index}` }, {});
    }
    const since = first.watermark.next;
    expect(since).toMatch(/^version:\d+$/);
    const writesBefore = harness.emulators.fno.admin.counters.snapshot().writes;
    const incremental = await harness.sync({ mode: 'incremental', since });
    expect(incremental.mode).toBe('incremental');
    expect(incremental.totals.updated).toBe(3);
    expect(incremental.totals.created).toBe(0);
    expect(harness.emulators.fno.admin.counters.snapshot().writes - writesBefore).toBe(3);
    const after = await readAllCustomers(harness.deps.fno, COMPANIES);
    for (const [index, { row }] of changed.entries()) {
      expect(after.get(`${row.dataAreaId}|${row.CustomerAccount.toUpperCase()}`)?.PrimaryContactPhone).toBe(`+1 555 0100 ${index}`);
    }
  });
});
