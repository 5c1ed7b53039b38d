import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffCustomer } from '../../../src/domain/diff-customer';
import { accountNumberKey } from '../../../src/domain/account-number';
import { progressQuery, type SyncProgress } from '../../../src/workflows';
import { expectedState, readAllAccounts, readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';
import { countByCodeAndField, CUSTOMERS_PER_COMPANY, EXPECTED_CUSTOMERS, FAILURES_BY_CODE_AND_FIELD, SEED_7, writtenFields } from '../../support/seed-7';

// The upgrade script and the sync at the same time: accounts that have a number are synced while the rest are being
// numbered (slowly: 20 ms of server time per write, 20 accounts per batch, one batch at a time), and the numbered
// ones join as each chunk of numbering returns. On by default (numberingOverlap omitted). The outcome must be the
// clean run's, literally (seed-7.ts).
describe('syncAccounts with numbering and syncing overlapping', () => {
  let harness: PipelineHarness;
  beforeAll(async () => {
    harness = await PipelineHarness.start({
      emulators: { generate: SEED_7, dataverse: { serverTime: { readMs: 0, writeMs: 20, jitterMs: 0 } } },
      config: { limits: { numberingBatchSize: 20, numberingConcurrency: 1 } },
    });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('creates exactly one customer per valid account and detects every duplicate, with syncing under way before numbering ends', async () => {
    const before = await readAllAccounts(harness.deps.dataverse);
    const unnumberedActive = before.filter((a) => a.statecode === 0 && !a.accountnumber).length;
    expect(unnumberedActive).toBeGreaterThan(100);

    const handle = await harness.startSync({ unitSize: 100, maxConcurrentUnits: 2, numberingChunkSeconds: 1, maxFailuresInResult: 10_000 });
    const samples: SyncProgress[] = [];
    let finished = false;
    const sampling = (async () => {
      while (!finished) {
        samples.push(await handle.query(progressQuery).catch(() => samples.at(-1) as SyncProgress));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const report = await handle.result();
    finished = true;
    await sampling;
    expect(report.status).toBe('completed');

    // Overlap happened: accounts were read (synced) while numbering was still under way.
    const overlapping = samples.filter((p) => p?.numbering && !p.numbering.done && p.numbering.assigned > 0 && p.totals.read > 0);
    expect(overlapping.length, JSON.stringify(samples.map((p) => [p?.phase, p?.numbering?.assigned, p?.totals.read]))).toBeGreaterThan(0);

    // Numbered once each.
    expect(harness.emulators.dataverse.admin.counters.snapshot().writes).toBe(unnumberedActive);
    expect(report.accountNumbers.assigned).toBe(unnumberedActive);

    // Every active account read exactly once across both passes.
    const after = await readAllAccounts(harness.deps.dataverse);
    const active = after.filter((a) => a.statecode === 0);
    expect(report.totals.read).toBe(active.length);

    // Duplicates: exactly the active accounts sharing a number (case-insensitively) are reported, each once.
    const byKey = new Map<string, string[]>();
    for (const account of active) {
      if (!account.accountnumber) continue;
      const key = accountNumberKey(account.accountnumber);
      byKey.set(key, [...(byKey.get(key) ?? []), account.accountid]);
    }
    const sharing = [...byKey.values()].filter((ids) => ids.length > 1).flat().sort();
    expect(sharing.length).toBeGreaterThan(0);
    const reportedDuplicates = report.failures.shown.filter((f) => f.code === 'DUPLICATE_ACCOUNT_NUMBER').map((f) => f.accountId);
    expect([...reportedDuplicates].sort()).toEqual(sharing);

    // One customer per valid account, each written by exactly one create; the clean run's outcome, literally.
    const units = harness.emulators.dataverse.store.listBusinessUnits();
    const idOf = (name: string) => units.filter((u) => u.name === name).map((u) => u.businessunitid);
    const expected = await expectedState(harness.deps.dataverse, harness.loaded.config, { usmf: idOf('USMF'), demf: idOf('DEMF') });
    const customers = await readAllCustomers(harness.deps.fno, ['usmf', 'demf']);
    const rejected = new Set(report.failures.shown.filter((f) => f.code === 'REFERENCE_NOT_FOUND').map((f) => f.accountId));
    for (const [key, { account, row }] of expected.customers) {
      const actual = customers.get(key);
      if (actual) expect(diffCustomer(row, actual), key).toEqual({ kind: 'unchanged' });
      else expect(rejected.has(account.accountid), `${key} missing and not reported`).toBe(true);
    }
    expect(customers.size + rejected.size).toBe(expected.customers.size);
    expect(harness.emulators.fno.admin.counters.snapshot().writes).toBe(customers.size);
    expect(countByCodeAndField(report.failures.shown)).toEqual(FAILURES_BY_CODE_AND_FIELD);
    expect(harness.emulators.fno.store.countIn('usmf')).toBe(CUSTOMERS_PER_COMPANY.usmf);
    expect(harness.emulators.fno.store.countIn('demf')).toBe(CUSTOMERS_PER_COMPANY.demf);
    for (const { why, customer } of EXPECTED_CUSTOMERS) {
      expect(writtenFields(harness.emulators.fno.store.get(String(customer.dataAreaId), String(customer.CustomerAccount))?.row), why).toEqual(customer);
    }
  }, 240_000);
});
