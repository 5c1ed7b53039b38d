import { expect } from 'vitest';

// The expectations of a sync of the seeded accounts `generateAccounts({ count: 2000, seed: 7 })`, shared by the
// tests that sync them (full-sync, faults). Every one is a literal worked out by hand from the seeded accounts (generateAccounts, seed 7) and
// the mapping rules of the emulator profile's configuration (template defaults CustomerGroupId 10, SiteId 1,
// WarehouseId 13, LanguageId en-us; value maps PaymentTerms 1→Net30 3→Net45 4→Net60, DeliveryTerms 1→FOB,
// DeliveryMode 4→UPS, all `otherwise: omit`; length policy reject). None of them is computed by production code,
// so a mapping or pipeline bug changes what F&O holds and fails this test.

export const SEED_7 = { count: 2000, seed: 7 } as const;

/** The CustomersV2 fields the sync writes (or may write when configured), compared on every expected customer. */
export const WRITTEN_FIELDS = [
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

export type WrittenField = (typeof WRITTEN_FIELDS)[number];

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
export const EXPECTED_CUSTOMERS: ReadonlyArray<{ index: number; accountid: string; why: string; customer: Record<WrittenField, string | number> }> = [
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
export const EXPECTED_FAILURES = [
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


/** Failures per `code field` of the first full sync (derived from a run; explained in full-sync.test.ts). */
export const FAILURES_BY_CODE_AND_FIELD = {
  'DUPLICATE_ACCOUNT_NUMBER accountnumber': 32,
  'TOO_LONG name': 26,
  'TOO_LONG address1_city': 19,
  'UNKNOWN_COUNTRY address1_country': 24,
  'UNKNOWN_STATE address1_stateorprovince': 58,
  'REFERENCE_NOT_FOUND SalesCurrencyCode': 63,
} as const;

/** Customers in F&O after the first full sync, per company. */
export const CUSTOMERS_PER_COMPANY = { usmf: 902, demf: 773 } as const;

export function countByCodeAndField(failures: readonly { code: string; field?: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const failure of failures) {
    const key = `${failure.code} ${failure.field ?? '-'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The fields of a stored F&O row that the sync writes, for comparison with an expected customer. */
export function writtenFields(row: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return row && Object.fromEntries(WRITTEN_FIELDS.map((field) => [field, row[field]]));
}
