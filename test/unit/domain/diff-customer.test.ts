import { describe, expect, it } from 'vitest';
import type { CustomerRow } from '../../../src/domain/customer-row';
import { diffCustomer } from '../../../src/domain/diff-customer';

const desired: CustomerRow = {
  dataAreaId: 'usmf',
  CustomerAccount: 'ACC-01001-ABCDEF',
  OrganizationName: 'Fourth Coffee',
  PartyType: 'Organization',
  SalesCurrencyCode: 'USD',
  CustomerGroupId: '10',
  LanguageId: 'en-us',
  SiteId: '1',
  WarehouseId: '13',
  IsExternallyMaintained: 'Yes',
  CreditLimit: 25000.5,
  AddressStreet: '1 Microsoft Way\nBuilding 92',
  AddressCity: 'Redmond',
  AddressState: 'WA',
  AddressZipCode: '98052',
  AddressCountryRegionId: 'USA',
  AddressCountryRegionISOCode: 'US',
  PrimaryContactEmail: 'orders@fourthcoffee.example',
  PaymentTerms: 'Net30',
};

/** The same customer as F&O returns it: every field present, "" for empty, plus fields the sync does not own. */
const existing: Readonly<Record<string, unknown>> = {
  '@odata.etag': 'W/"JzEsNTYzNzE0NDU3Nic="',
  dataAreaId: 'usmf',
  CustomerAccount: 'ACC-01001-ABCDEF',
  OrganizationName: 'Fourth Coffee',
  PartyType: 'Organization',
  SalesCurrencyCode: 'USD',
  CustomerGroupId: '10',
  LanguageId: 'en-us',
  SiteId: '1',
  WarehouseId: '13',
  IsExternallyMaintained: 'Yes',
  CreditLimit: 25000.5,
  AddressStreet: '1 Microsoft Way\nBuilding 92',
  AddressCity: 'Redmond',
  AddressState: 'WA',
  AddressCounty: '',
  AddressZipCode: '98052',
  AddressCountryRegionId: 'USA',
  AddressCountryRegionISOCode: 'US',
  PrimaryContactPhone: '',
  PrimaryContactFax: '',
  PrimaryContactEmail: 'orders@fourthcoffee.example',
  PrimaryContactURL: '',
  PaymentTerms: 'Net30',
  DeliveryTerms: '',
  DeliveryMode: '',
  SalesMemo: '',
  NameAlias: '',
  CreditRating: 'Excellent',
  InvoiceAccount: 'ACC-09999-ZZZZZZ',
};

describe('diffCustomer', () => {
  it('creates a customer F&O does not have', () => {
    expect(diffCustomer(desired, undefined)).toEqual({ kind: 'create', row: desired });
  });

  it('finds nothing to do when F&O already matches (empty strings equal unset fields)', () => {
    expect(diffCustomer(desired, existing)).toEqual({ kind: 'unchanged' });
  });

  it('treats null as empty', () => {
    expect(diffCustomer(desired, { ...existing, AddressCounty: null, PrimaryContactPhone: null })).toEqual({ kind: 'unchanged' });
  });

  it('updates only the fields that differ, with from and to', () => {
    const change = diffCustomer(
      { ...desired, OrganizationName: 'Fourth Coffee Inc.', AddressCity: 'Seattle' },
      { ...existing, CreditLimit: 1000 },
    );
    expect(change).toEqual({
      kind: 'update',
      changes: { OrganizationName: 'Fourth Coffee Inc.', AddressCity: 'Seattle', CreditLimit: 25000.5 },
      fields: [
        { field: 'OrganizationName', from: 'Fourth Coffee', to: 'Fourth Coffee Inc.' },
        { field: 'AddressCity', from: 'Redmond', to: 'Seattle' },
        { field: 'CreditLimit', from: 1000, to: 25000.5 },
      ],
    });
  });

  it('compares text exactly: case and spacing changes are changes', () => {
    const change = diffCustomer(desired, { ...existing, OrganizationName: 'FOURTH COFFEE', AddressCity: 'Redmond ' });
    expect(change.kind === 'update' && change.fields.map((field) => field.field)).toEqual(['OrganizationName', 'AddressCity']);
  });

  it("compares codes as F&O's collation does: case and trailing blanks are not changes", () => {
    const storedByFno = {
      ...existing,
      CustomerGroupId: '10 ',
      LanguageId: 'EN-US',
      SiteId: '1  ',
      WarehouseId: '13',
      SalesCurrencyCode: 'usd',
      AddressState: 'wa ',
      AddressCountryRegionId: 'usa',
      AddressCountryRegionISOCode: 'us',
      PaymentTerms: 'NET30',
    };
    expect(diffCustomer(desired, storedByFno)).toEqual({ kind: 'unchanged' });
    expect(diffCustomer({ ...desired, DeliveryMode: 'ups', AddressCounty: 'King' }, { ...storedByFno, DeliveryMode: 'UPS ', AddressCounty: 'KING' })).toEqual({ kind: 'unchanged' });
    // A different code is still a change, and a leading blank is not padding.
    const change = diffCustomer(desired, { ...storedByFno, PaymentTerms: 'Net45', SiteId: ' 1' });
    expect(change.kind === 'update' && change.fields).toEqual([
      { field: 'SiteId', from: ' 1', to: '1' },
      { field: 'PaymentTerms', from: 'Net45', to: 'Net30' },
    ]);
  });

  it('ignores case differences in the key fields and never changes keys', () => {
    expect(diffCustomer(desired, { ...existing, dataAreaId: 'USMF', CustomerAccount: 'acc-01001-abcdef' })).toEqual({ kind: 'unchanged' });
  });

  it('refuses to diff against another customer', () => {
    expect(() => diffCustomer(desired, { ...existing, CustomerAccount: 'ACC-01002-ABCDEF' })).toThrow(/CustomerAccount 'ACC-01002-ABCDEF'/);
    expect(() => diffCustomer(desired, { ...existing, dataAreaId: 'demf' })).toThrow(/dataAreaId 'demf'/);
  });

  it('compares CreditLimit as a number at two decimals', () => {
    expect(diffCustomer(desired, { ...existing, CreditLimit: 25000.5000001 })).toEqual({ kind: 'unchanged' });
    expect(diffCustomer(desired, { ...existing, CreditLimit: '25000.50' })).toEqual({ kind: 'unchanged' });
    expect(diffCustomer({ ...desired, CreditLimit: 0 }, { ...existing, CreditLimit: null })).toEqual({ kind: 'unchanged' });
    expect(diffCustomer(desired, { ...existing, CreditLimit: 25000.51 })).toMatchObject({
      kind: 'update',
      changes: { CreditLimit: 25000.5 },
    });
    expect(diffCustomer(desired, { ...existing, CreditLimit: 'n/a' })).toMatchObject({ kind: 'update' });
  });

  it('clears a template field the account no longer has', () => {
    const change = diffCustomer(desired, { ...existing, PrimaryContactPhone: '+1 425 555 0100', AddressState: 'WA', AddressCity: 'Seattle' });
    expect(diffCustomer({ ...desired, AddressState: undefined }, { ...existing, PrimaryContactPhone: '+1 425 555 0100' })).toEqual({
      kind: 'update',
      changes: { AddressState: '', PrimaryContactPhone: '' },
      fields: [
        { field: 'AddressState', from: 'WA', to: '' },
        { field: 'PrimaryContactPhone', from: '+1 425 555 0100', to: '' },
      ],
    });
    expect(change).toMatchObject({ kind: 'update', changes: { AddressCity: 'Redmond', PrimaryContactPhone: '' } });
    // The county is a code of F&O's county table, not mapped by default: one maintained in F&O stays.
    expect(diffCustomer(desired, { ...existing, AddressCounty: 'KING' })).toEqual({ kind: 'unchanged' });
  });

  it('writes optional fields the mapping sets but never clears them', () => {
    expect(diffCustomer(desired, { ...existing, PaymentTerms: 'Net45' })).toMatchObject({
      kind: 'update',
      changes: { PaymentTerms: 'Net30' },
      fields: [{ field: 'PaymentTerms', from: 'Net45', to: 'Net30' }],
    });
    expect(diffCustomer(desired, { ...existing, DeliveryMode: 'UPS', SalesMemo: 'Typed in F&O', NameAlias: 'FC' })).toEqual({ kind: 'unchanged' });
    expect(diffCustomer({ ...desired, NameAlias: 'FOURTH' }, existing)).toMatchObject({ changes: { NameAlias: 'FOURTH' } });
  });

  it('never reports fields the sync does not own', () => {
    const change = diffCustomer({ ...desired, OrganizationName: 'New name' }, { ...existing, CreditRating: 'Poor', InvoiceAccount: 'X' });
    expect(change.kind === 'update' && Object.keys(change.changes)).toEqual(['OrganizationName']);
  });

  it('sets fields F&O did not return', () => {
    const { AddressCity: _city, ...withoutCity } = existing;
    expect(diffCustomer(desired, withoutCity)).toMatchObject({ changes: { AddressCity: 'Redmond' } });
  });
});
