import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccounts, type AccountSeed } from '@p2c-sync/emulators';
import type { SyncReport } from '../../../src/workflows';
import { PipelineHarness } from '../../support/pipeline';
import {
  countByCodeAndField,
  CUSTOMERS_PER_COMPANY,
  EXPECTED_CUSTOMERS,
  EXPECTED_FAILURES,
  FAILURES_BY_CODE_AND_FIELD,
  SEED_7 as SEED,
  writtenFields as written,
} from '../../support/seed-7';

// The expected customers, failures and counts are literals worked out by hand from the seeded accounts and the
// mapping rules (see test/support/seed-7.ts); none is computed by production code, so a mapping or pipeline bug
// changes what F&O holds and fails this test.

describe('syncAccounts: 2,000 generated accounts into usmf and demf', () => {
  let harness: PipelineHarness;
  let first: SyncReport;

  const storedRow = (company: string, account: string) => harness.emulators.fno.store.get(company, account)?.row;

  beforeAll(async () => {
    harness = await PipelineHarness.start({ emulators: { generate: SEED } });
    first = await harness.sync({ batchSize: 250, maxFailuresInResult: 10_000 });
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('writes exactly the mapped fields for hand-checked seeded accounts', () => {
    expect(first.status).toBe('completed');
    expect(first.mode).toBe('full');
    const seeded = generateAccounts(SEED).accounts;
    for (const { index, accountid, why, customer } of EXPECTED_CUSTOMERS) {
      expect(seeded[index]?.accountid, `seed #${index} moved: the generator changed`).toBe(accountid);
      expect(written(storedRow(customer.dataAreaId as string, customer.CustomerAccount as string)), why).toEqual(customer);
    }
    for (const { why, company, accountNumber, failure } of EXPECTED_FAILURES) {
      expect(storedRow(company, accountNumber), why).toBeUndefined();
      expect(first.failures.shown.filter((f) => f.accountId === failure.accountId), why).toEqual([failure]);
    }
  });

  it('reports exact counts for the seeded data, each checked against the defects in the raw generated rows', () => {
    // Derived from a run, and each explained by an independent count over the generated rows just below.
    expect(first.totals).toEqual({ read: 1896, created: 1675, updated: 0, unchanged: 0, failed: 221, outOfScope: 0 });
    // Duplicates are refused before an account is given a company: they count in the totals only (32 = 221 - 116 - 73).
    expect(first.companies).toEqual({
      usmf: { read: 1018, created: 902, updated: 0, unchanged: 0, failed: 116, outOfScope: 0 },
      demf: { read: 846, created: 773, updated: 0, unchanged: 0, failed: 73, outOfScope: 0 },
    });
    expect(first.accountNumbers).toEqual({ assigned: 379, wouldAssign: 0, renumbered: 0, duplicateGroups: 16 });
    // 222 failures for 221 accounts: one (an unnumbered DEMF account, numbered by the run) has both a 107-character
    // name and the country 'Narnia'.
    expect(first.failures.total).toBe(222);
    expect(first.failures.truncated).toBe(false);
    expect(countByCodeAndField(first.failures.shown)).toEqual(FAILURES_BY_CODE_AND_FIELD);
    for (const failure of first.failures.shown) expect(failure.reason, failure.code).toContain(failure.accountId);
    expect(harness.emulators.fno.store.countIn('usmf')).toBe(CUSTOMERS_PER_COMPANY.usmf);
    expect(harness.emulators.fno.store.countIn('demf')).toBe(CUSTOMERS_PER_COMPANY.demf);

    // The same figures from the raw generated rows, by the defect each seed was given (see generateAccounts), with
    // plain predicates rather than the production mapping.
    const seeded = generateAccounts(SEED).accounts;
    const active = seeded.filter((a) => a.statecode === 0);
    const numberKey = (a: AccountSeed) => a.accountnumber?.toUpperCase();
    const byNumber = new Map<string, number>();
    for (const a of active) {
      const key = numberKey(a);
      if (key !== undefined) byNumber.set(key, (byNumber.get(key) ?? 0) + 1);
    }
    const isDuplicate = (a: AccountSeed) => (byNumber.get(numberKey(a) ?? '') ?? 0) > 1;
    const candidates = active.filter((a) => !isDuplicate(a));
    const longName = (a: AccountSeed) => (a.name ?? '').length > 100;
    const longCity = (a: AccountSeed) => (a.address1_city ?? '').length > 60;
    const unknownCountry = (a: AccountSeed) => ['Atlantis', 'Narnia', 'Elbonia', 'Ruritania', 'Middle Earth', 'Wakanda'].includes(a.address1_country ?? '');
    // A state can only be looked up in its country's table: a state with a blank country cannot be.
    const stateWithoutCountry = (a: AccountSeed) => Boolean(a.address1_stateorprovince) && !a.address1_country;
    const failsMapping = (a: AccountSeed) => longName(a) || longCity(a) || unknownCountry(a) || stateWithoutCountry(a);
    const nzd = (a: AccountSeed) => a._transactioncurrencyid_value === '6a7f4c02-1d5e-4e0b-9c31-000000000554';
    const inUnit = (unit: string) => (a: AccountSeed) => a._owningbusinessunit_value === unit;
    const usmf = inUnit('3c1f2a90-7b4d-4f7e-8a11-000000000001');
    const demf = inUnit('3c1f2a90-7b4d-4f7e-8a11-000000000002');
    const fails = (a: AccountSeed) => failsMapping(a) || nzd(a);

    expect(active.length).toBe(1896);
    expect(active.filter((a) => !a.accountnumber).length).toBe(379);
    expect([...byNumber.values()].filter((n) => n > 1).length).toBe(16);
    expect(active.filter(isDuplicate).length).toBe(FAILURES_BY_CODE_AND_FIELD['DUPLICATE_ACCOUNT_NUMBER accountnumber']);
    expect(candidates.filter(longName).length).toBe(FAILURES_BY_CODE_AND_FIELD['TOO_LONG name']);
    expect(candidates.filter(longCity).length).toBe(FAILURES_BY_CODE_AND_FIELD['TOO_LONG address1_city']);
    expect(candidates.filter(unknownCountry).length).toBe(FAILURES_BY_CODE_AND_FIELD['UNKNOWN_COUNTRY address1_country']);
    expect(candidates.filter(stateWithoutCountry).length).toBe(FAILURES_BY_CODE_AND_FIELD['UNKNOWN_STATE address1_stateorprovince']);
    // F&O is asked only for records the mapping accepted.
    expect(candidates.filter((a) => nzd(a) && !failsMapping(a)).length).toBe(FAILURES_BY_CODE_AND_FIELD['REFERENCE_NOT_FOUND SalesCurrencyCode']);
    expect(candidates.filter((a) => [longName, longCity, unknownCountry, stateWithoutCountry].filter((defect) => defect(a)).length > 1).length).toBe(1);
    expect(candidates.filter(usmf).length).toBe(1018);
    expect(candidates.filter(demf).length).toBe(846);
    expect(candidates.filter((a) => usmf(a) && fails(a)).length).toBe(116);
    expect(candidates.filter((a) => demf(a) && fails(a)).length).toBe(73);
  });

  it('makes every customer from the one active Dataverse account with its number, in its business unit', () => {
    const units = new Map(harness.emulators.dataverse.store.listBusinessUnits().map((u) => [u.businessunitid, u.name.toLowerCase()]));
    const accountsByNumber = new Map<string, { name: string | null; city: string | null; company: string | undefined }[]>();
    for (const account of harness.emulators.dataverse.store.listAccounts()) {
      expect(account.statecode === 1 || account.accountnumber !== null, `active ${account.accountid} left unnumbered`).toBe(true);
      if (account.statecode !== 0 || account.accountnumber === null) continue;
      const key = account.accountnumber.toUpperCase();
      const entry = { name: account.name, city: account.address1_city, company: units.get(account._owningbusinessunit_value ?? '') };
      accountsByNumber.set(key, [...(accountsByNumber.get(key) ?? []), entry]);
    }
    let customers = 0;
    for (const { row } of harness.emulators.fno.store.all()) {
      customers += 1;
      const sources = accountsByNumber.get(String(row.CustomerAccount).toUpperCase()) ?? [];
      expect(sources, String(row.CustomerAccount)).toHaveLength(1);
      expect(sources[0]?.company).toBe(row.dataAreaId);
      expect(row.OrganizationName).toBe(sources[0]?.name);
      expect(row.AddressCity).toBe(sources[0]?.city);
      expect(row.IsExternallyMaintained).toBe('Yes');
    }
    expect(customers).toBe(1675);
  });

  it('writes nothing when run again', async () => {
    const writesBefore = harness.emulators.fno.admin.counters.snapshot().writes;
    const again = await harness.sync({ mode: 'full', batchSize: 500 });
    expect(again.totals).toEqual({ read: 1896, created: 0, updated: 0, unchanged: 1675, failed: 221, outOfScope: 0 });
    expect(again.accountNumbers.assigned).toBe(0);
    expect(harness.emulators.fno.admin.counters.snapshot().writes).toBe(writesBefore);
  });

  it('updates exactly the accounts changed since the watermark in an incremental run', async () => {
    const changed = EXPECTED_CUSTOMERS.slice(0, 3);
    for (const [index, { accountid }] of changed.entries()) {
      await harness.deps.dataverse.update('accounts', accountid, { telephone1: `+1 555 0100 ${index}` }, {});
    }
    const since = first.watermark.next;
    expect(since).toMatch(/^delta:http.*\$deltatoken=/);
    const writesBefore = harness.emulators.fno.admin.counters.snapshot().writes;
    const incremental = await harness.sync({ mode: 'incremental', since });
    expect(incremental.mode).toBe('incremental');
    expect(incremental.totals).toEqual({ read: 3, created: 0, updated: 3, unchanged: 0, failed: 0, outOfScope: 0 });
    expect(harness.emulators.fno.admin.counters.snapshot().writes - writesBefore).toBe(3);
    for (const [index, { customer }] of changed.entries()) {
      const row = storedRow(customer.dataAreaId as string, customer.CustomerAccount as string);
      expect(written(row)).toEqual({ ...customer, PrimaryContactPhone: `+1 555 0100 ${index}` });
    }
  });
});
