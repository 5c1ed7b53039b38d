import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccounts, type AccountSeed } from '@p2c-sync/emulators';
import type { SyncReport } from '../../../src/workflows';
import { PipelineHarness } from '../../support/pipeline';

// Every expectation below is a literal worked out by hand from the seeded accounts (generateAccounts, seed 7) and
// the mapping rules of the emulator profile's configuration (template defaults CustomerGroupId 10, SiteId 1,
// WarehouseId 13, LanguageId en-us; value maps PaymentTerms 1→Net30 3→Net45 4→Net60, DeliveryTerms 1→FOB,
// DeliveryMode 4→UPS, all `otherwise: omit`; length policy reject). None of them is computed by production code,
// so a mapping or pipeline bug changes what F&O holds and fails this test.

const SEED = { count: 2000, seed: 7 } as const;

/** The CustomersV2 fields the sync writes (or may write when configured), compared on every expected customer. */
const WRITTEN_FIELDS = [
  'dataAreaId',
  'CustomerAccount',
  'OrganizationName',
  'PartyType',
  'SalesCurrencyCode',
  'CustomerGroupId',
  'LanguageId',
  'SiteId',
  'WarehouseId',
  'IsExternallyMaintained',
  'CreditLimit',
  'AddressStreet',
  'AddressCity',
  'AddressState',
  'AddressCounty',
  'AddressZipCode',
  'AddressCountryRegionId',
  'AddressCountryRegionISOCode',
  'PrimaryContactPhone',
  'PrimaryContactFax',
  'PrimaryContactEmail',
  'PrimaryContactURL',
  'PaymentTerms',
  'DeliveryTerms',
  'DeliveryMode',
  'SalesMemo',
  'NameAlias',
] as const;

type WrittenField = (typeof WRITTEN_FIELDS)[number];

/** What every customer created from Sales gets whatever the account says (template defaults, fixed values). */
const TEMPLATE = {
  PartyType: 'Organization',
  CustomerGroupId: '10',
  LanguageId: 'en-us',
  SiteId: '1',
  WarehouseId: '13',
  IsExternallyMaintained: 'Yes',
  // Not mapped by the template nor configured in the emulator profile: F&O keeps its empty default.
  AddressCounty: '',
  SalesMemo: '',
  NameAlias: '',
} as const;

/**
 * Five seeded accounts and the customer F&O must hold for each (a field the sync leaves out reads as F&O's default,
 * the empty string). `index` is the account's position in the generated list, `accountid` pins it.
 */
const EXPECTED_CUSTOMERS: ReadonlyArray<{ index: number; accountid: string; why: string; customer: Record<WrittenField, string | number> }> = [
  {
    // Seed #286: business unit USMF; name 'Mohr, Thompson and Hilpert'; lines '94997 S West Street' / 'Apt. 925' /
    // 'c/o Jerde Group'; city 'Selinaburgh'; state 'OH'; zip '30840-2659'; country 'U.S.A.'; phone, fax, email,
    // website set; creditlimit 350716.7; currency USD; paymenttermscode 4, freight 2, shipping 1.
    index: 286,
    accountid: 'a99b5ff0-631f-4112-8171-8e3c4a2b6a25',
    why: 'a full address: three street lines joined by newlines, a state code, every contact field',
    customer: {
      ...TEMPLATE,
      dataAreaId: 'usmf',
      CustomerAccount: 'CUST-010286',
      OrganizationName: 'Mohr, Thompson and Hilpert',
      SalesCurrencyCode: 'USD',
      CreditLimit: 350716.7,
      AddressStreet: '94997 S West Street\nApt. 925\nc/o Jerde Group',
      AddressCity: 'Selinaburgh',
      AddressState: 'OH', // already an ISO 3166-2 code of US
      AddressZipCode: '30840-2659',
      AddressCountryRegionId: 'USA', // 'U.S.A.' is a spelling of the United States
      AddressCountryRegionISOCode: 'US',
      PrimaryContactPhone: '+1 1993227075',
      PrimaryContactFax: '+1 018848929',
      PrimaryContactEmail: 'info@mohrthompsonandhilpe.biz',
      PrimaryContactURL: 'https://www.mohrthompsonandhilpe.biz',
      PaymentTerms: 'Net60', // paymenttermscode 4 → Net60
      DeliveryTerms: '', // freight 2 is not in the value map (otherwise: omit)
      DeliveryMode: '', // shipping 1 is not in the value map (otherwise: omit)
    },
  },
  {
    // Seed #515: USMF; 'Raynor Group'; line1 '2053 Cruickshank Manors' only; city 'Ernserborough'; state 'Nevada'
    // (a full name); zip '05020-4327'; country 'United States'; no fax; creditlimit 36542.86; currency CAD (a
    // US account in Canadian dollars); paymenttermscode 3, freight 1, shipping 4.
    index: 515,
    accountid: '15bd4170-8f3f-4476-a0e4-e70942e83f2e',
    why: 'a state written as its name, every value map hit, the account currency rather than the country one',
    customer: {
      ...TEMPLATE,
      dataAreaId: 'usmf',
      CustomerAccount: 'A10515',
      OrganizationName: 'Raynor Group',
      SalesCurrencyCode: 'CAD',
      CreditLimit: 36542.86,
      AddressStreet: '2053 Cruickshank Manors',
      AddressCity: 'Ernserborough',
      AddressState: 'NV', // 'Nevada' is the ISO 3166-2 name of US-NV
      AddressZipCode: '05020-4327',
      AddressCountryRegionId: 'USA',
      AddressCountryRegionISOCode: 'US',
      PrimaryContactPhone: '+1 8508608150',
      PrimaryContactFax: '',
      PrimaryContactEmail: 'info@raynorgroup.info',
      PrimaryContactURL: 'https://www.raynorgroup.info',
      PaymentTerms: 'Net45', // 3 → Net45
      DeliveryTerms: 'FOB', // 1 → FOB
      DeliveryMode: 'UPS', // 4 → UPS
    },
  },
  {
    // Seed #1220: business unit DEMF; 'Ertl Gruppe'; line1 'Fürstenbergstr. 39b'; city 'Bad Ramon'; state
    // 'Nordrhein-Westfalen'; zip '55655'; country 'Germany'; no email; no creditlimit; EUR; paymenttermscode 4,
    // no freight, shipping 7.
    index: 1220,
    accountid: '1ab50da5-687c-438e-b33b-d99513e8f48c',
    why: 'the other company, a German state name, no credit limit',
    customer: {
      ...TEMPLATE,
      dataAreaId: 'demf',
      CustomerAccount: 'CUST-011220',
      OrganizationName: 'Ertl Gruppe',
      SalesCurrencyCode: 'EUR',
      CreditLimit: 0, // F&O's credit limit is not nullable: none in Sales is 0
      AddressStreet: 'Fürstenbergstr. 39b',
      AddressCity: 'Bad Ramon',
      AddressState: 'NW', // ISO 3166-2 DE-NW is named Nordrhein-Westfalen
      AddressZipCode: '55655',
      AddressCountryRegionId: 'DEU',
      AddressCountryRegionISOCode: 'DE',
      PrimaryContactPhone: '+49 222318191',
      PrimaryContactFax: '+49 19170719861',
      PrimaryContactEmail: '',
      PrimaryContactURL: 'https://www.ertlgruppe.ch',
      PaymentTerms: 'Net60',
      DeliveryTerms: '',
      DeliveryMode: '', // shipping 7 is not in the value map
    },
  },
  {
    // Seed #1486: DEMF; 'Louis GIE'; line1 '93 Quai Mouffetard'; city 'Montreuil'; no state; zip '53405'; NO country;
    // no phone, fax or email; website only; no creditlimit; EUR; paymenttermscode 4.
    index: 1486,
    accountid: '3d0a91de-ec81-4790-a01a-13fb47360908',
    why: 'optional fields missing: no country (so no country fields), no phone, fax, email, credit limit',
    customer: {
      ...TEMPLATE,
      dataAreaId: 'demf',
      CustomerAccount: 'EU-11486',
      OrganizationName: 'Louis GIE',
      SalesCurrencyCode: 'EUR',
      CreditLimit: 0,
      AddressStreet: '93 Quai Mouffetard',
      AddressCity: 'Montreuil',
      AddressState: '',
      AddressZipCode: '53405',
      AddressCountryRegionId: '',
      AddressCountryRegionISOCode: '',
      PrimaryContactPhone: '',
      PrimaryContactFax: '',
      PrimaryContactEmail: '',
      PrimaryContactURL: 'https://www.louisgie.eu',
      PaymentTerms: 'Net60',
      DeliveryTerms: '',
      DeliveryMode: '',
    },
  },
  {
    // Seed #85: USMF (a Japanese account in the US company); name '合名会社青木通信'; lines '8丁目2番6号' /
    // '宮沢693号室' / 'c/o 合同会社山岸銀行'; city '北青山町'; no state; zip '285-8708'; country 'Japan'; no fax;
    // creditlimit 248585.07; JPY; paymenttermscode 3, no freight, shipping 4.
    index: 85,
    accountid: '892128a3-f5b9-4783-992d-9b82ec5b298a',
    why: 'non-Latin text written unchanged, a company taken from the business unit rather than the country',
    customer: {
      ...TEMPLATE,
      dataAreaId: 'usmf',
      CustomerAccount: 'CUST-010085',
      OrganizationName: '合名会社青木通信',
      SalesCurrencyCode: 'JPY',
      CreditLimit: 248585.07,
      AddressStreet: '8丁目2番6号\n宮沢693号室\nc/o 合同会社山岸銀行',
      AddressCity: '北青山町',
      AddressState: '',
      AddressZipCode: '285-8708',
      AddressCountryRegionId: 'JPN',
      AddressCountryRegionISOCode: 'JP',
      PrimaryContactPhone: '+81 57095198824',
      PrimaryContactFax: '',
      PrimaryContactEmail: 'info@account85.name',
      PrimaryContactURL: 'https://www.account85.name',
      PaymentTerms: 'Net45',
      DeliveryTerms: '',
      DeliveryMode: 'UPS',
    },
  },
];

/** Seeded accounts that must not become customers, and the failure the run reports for each. */
const EXPECTED_FAILURES = [
  {
    // Seed #7: DEMF, EU-10007, name of 110 characters (the generator's "> 100" suffixes); otherwise valid.
    why: 'a name longer than OrganizationName allows, under the default length policy reject',
    company: 'demf',
    accountNumber: 'EU-10007',
    failure: {
      accountId: 'ddcebb54-c5c0-4937-ae40-970062abccc8',
      accountNumber: 'EU-10007',
      company: 'demf',
      code: 'TOO_LONG',
      field: 'name',
      value: 'Schaefer OHG International Holdings and Distribution Services Consolidated Manufacturing and Engineering Group',
      reason: expect.stringContaining('is 110 characters; OrganizationName allows at most 100 (length policy reject)'),
    },
  },
  {
    // Seed #1976: USMF, A11976, a GB address in NZD — the currency Dataverse knows and F&O's reference data does not.
    why: 'a valid mapping F&O refuses: unknown currency',
    company: 'usmf',
    accountNumber: 'A11976',
    failure: {
      accountId: '4c5f96f2-fd5f-4720-9aef-d5bb34479959',
      accountNumber: 'A11976',
      company: 'usmf',
      code: 'REFERENCE_NOT_FOUND',
      field: 'SalesCurrencyCode',
      value: 'NZD',
      reason: expect.stringContaining("The value 'NZD' in field 'Currency' is not found in the related table 'Currency'."),
    },
  },
  {
    // Seeds #212 'CUST-010212' and #502 'cust-010212', both active in DEMF: one number in two letter cases.
    why: 'an Account Number shared by two accounts, differing only by case',
    company: 'demf',
    accountNumber: 'CUST-010212',
    failure: {
      accountId: 'b5f96a5c-df9e-4596-898d-afea39c230a0',
      accountNumber: 'CUST-010212',
      code: 'DUPLICATE_ACCOUNT_NUMBER',
      field: 'accountnumber',
      value: 'CUST-010212',
      reason: expect.stringContaining('is also used by 1 other active account (6d711d11-7132-4779-9bbc-20ec47d1523d)'),
    },
  },
] as const;

describe('syncAccounts: 2,000 generated accounts into usmf and demf', () => {
  let harness: PipelineHarness;
  let first: SyncReport;

  const storedRow = (company: string, account: string) => harness.emulators.fno.store.get(company, account)?.row;
  const written = (row: Record<string, unknown> | undefined) =>
    row && Object.fromEntries(WRITTEN_FIELDS.map((field) => [field, row[field]]));

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
    const byCodeAndField: Record<string, number> = {};
    for (const failure of first.failures.shown) {
      const key = `${failure.code} ${failure.field ?? '-'}`;
      byCodeAndField[key] = (byCodeAndField[key] ?? 0) + 1;
    }
    expect(byCodeAndField).toEqual({
      'DUPLICATE_ACCOUNT_NUMBER accountnumber': 32,
      'TOO_LONG name': 26,
      'TOO_LONG address1_city': 19,
      'UNKNOWN_COUNTRY address1_country': 24,
      'UNKNOWN_STATE address1_stateorprovince': 58,
      'REFERENCE_NOT_FOUND SalesCurrencyCode': 63,
    });
    for (const failure of first.failures.shown) expect(failure.reason, failure.code).toContain(failure.accountId);
    expect(harness.emulators.fno.store.countIn('usmf')).toBe(902);
    expect(harness.emulators.fno.store.countIn('demf')).toBe(773);

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
    expect(active.filter(isDuplicate).length).toBe(32);
    expect(candidates.filter(longName).length).toBe(26);
    expect(candidates.filter(longCity).length).toBe(19);
    expect(candidates.filter(unknownCountry).length).toBe(24);
    expect(candidates.filter(stateWithoutCountry).length).toBe(58);
    // F&O is asked only for records the mapping accepted.
    expect(candidates.filter((a) => nzd(a) && !failsMapping(a)).length).toBe(63);
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
