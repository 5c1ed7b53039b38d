import type { SourceAccount } from '../../../src/domain/source-account';

export const USD_ID = '7a1f6c1e-0000-4000-8000-000000000001';
export const EUR_ID = '7a1f6c1e-0000-4000-8000-000000000002';
export const CURRENCIES: ReadonlyMap<string, string> = new Map([
  [USD_ID, 'USD'],
  [EUR_ID, 'EUR'],
]);

/** A typical, fully filled Sales account; tests override what they are about. */
export function sourceAccount(overrides: Partial<SourceAccount> = {}): SourceAccount {
  return {
    '@odata.etag': 'W/"1001"',
    accountid: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
    accountnumber: 'ACC-01001-ABCDEF',
    name: 'Fourth Coffee',
    address1_line1: '1 Microsoft Way',
    address1_line2: 'Building 92',
    address1_line3: null,
    address1_city: 'Redmond',
    address1_stateorprovince: 'WA',
    address1_postalcode: '98052',
    address1_county: 'King',
    address1_country: 'United States',
    telephone1: '+1 425 555 0100',
    fax: '+1 425 555 0101',
    emailaddress1: 'orders@fourthcoffee.example',
    websiteurl: 'https://fourthcoffee.example',
    description: 'Key account',
    creditlimit: 25000.5,
    creditonhold: false,
    _transactioncurrencyid_value: USD_ID,
    customertypecode: 3,
    paymenttermscode: 1,
    address1_freighttermscode: 1,
    address1_shippingmethodcode: 4,
    statecode: 0,
    modifiedon: '2024-05-02T10:00:00Z',
    createdon: '2024-01-15T08:30:00Z',
    versionnumber: 1001,
    _owningbusinessunit_value: '9b7d0e55-0000-4000-8000-0000000000aa',
    ...overrides,
  };
}
