import { describe, expect, it } from 'vitest';
import { mapAccountToCustomer, type MappingContext, type MappingResult } from '../../../src/domain/map-account';
import { DEFAULT_MAPPING_CONFIG, mappingConfigSchema, type MappingConfigInput } from '../../../src/domain/mapping-config';
import type { RecordFailure, RecordWarning } from '../../../src/domain/record-failure';
import { CURRENCIES, EUR_ID, sourceAccount } from './account-fixture';

const ACCOUNT_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const RECORD = `Account 'ACC-01001-ABCDEF' (${ACCOUNT_ID}) for company 'usmf'`;

function context(config: MappingConfigInput = {}): MappingContext {
  return { dataAreaId: 'usmf', config: mappingConfigSchema.parse(config), currencyCodeById: CURRENCIES };
}

const TEMPLATE: MappingContext = { dataAreaId: 'usmf', config: DEFAULT_MAPPING_CONFIG, currencyCodeById: CURRENCIES };

function failuresOf(result: MappingResult): RecordFailure[] {
  expect(result.ok, 'the record should have failed').toBe(false);
  return result.ok ? [] : result.failures;
}

function customerOf(result: MappingResult) {
  if (!result.ok) throw new Error(`unexpected failures: ${result.failures.map((f) => f.reason).join(' | ')}`);
  return result.customer;
}

describe('mapAccountToCustomer: the template mapping', () => {
  it('maps every field of a typical account', () => {
    const result = mapAccountToCustomer(sourceAccount(), TEMPLATE);
    expect(result).toEqual({
      ok: true,
      warnings: [],
      customer: {
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
        PrimaryContactPhone: '+1 425 555 0100',
        PrimaryContactFax: '+1 425 555 0101',
        PrimaryContactEmail: 'orders@fourthcoffee.example',
        PrimaryContactURL: 'https://fourthcoffee.example',
      },
    });
  });

  it('takes the company from the context and the currency from the lookup', () => {
    const customer = customerOf(
      mapAccountToCustomer(sourceAccount({ _transactioncurrencyid_value: EUR_ID }), { ...TEMPLATE, dataAreaId: 'demf' }),
    );
    expect(customer).toMatchObject({ dataAreaId: 'demf', SalesCurrencyCode: 'EUR' });
  });

  it('finds a currency whose id arrives in upper case', () => {
    const customer = customerOf(mapAccountToCustomer(sourceAccount({ _transactioncurrencyid_value: EUR_ID.toUpperCase() }), TEMPLATE));
    expect(customer.SalesCurrencyCode).toBe('EUR');
  });

  it('trims strings, leaves blank ones unset and skips blank street lines', () => {
    const customer = customerOf(
      mapAccountToCustomer(
        sourceAccount({
          accountnumber: '  ACC-01001-ABCDEF ',
          name: '  Fourth Coffee  ',
          address1_line1: '   ',
          address1_line2: ' Building 92 ',
          address1_line3: 'Floor 3',
          address1_city: '',
          address1_stateorprovince: null,
          address1_county: '  ',
          address1_postalcode: null,
          address1_country: '  ',
          telephone1: null,
          fax: '',
          emailaddress1: ' ',
          websiteurl: null,
        }),
        TEMPLATE,
      ),
    );
    expect(customer.CustomerAccount).toBe('ACC-01001-ABCDEF');
    expect(customer.OrganizationName).toBe('Fourth Coffee');
    expect(customer.AddressStreet).toBe('Building 92\nFloor 3');
    for (const field of [
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
    ]) {
      expect(customer, field).not.toHaveProperty(field);
    }
  });

  it('leaves the street unset when every line is blank', () => {
    const customer = customerOf(
      mapAccountToCustomer(sourceAccount({ address1_line1: null, address1_line2: ' ', address1_line3: '' }), TEMPLATE),
    );
    expect(customer).not.toHaveProperty('AddressStreet');
  });

  it('writes a credit limit of 0 when the account has none, and rounds to cents', () => {
    expect(customerOf(mapAccountToCustomer(sourceAccount({ creditlimit: null }), TEMPLATE)).CreditLimit).toBe(0);
    expect(customerOf(mapAccountToCustomer(sourceAccount({ creditlimit: 1234.5678 }), TEMPLATE)).CreditLimit).toBe(1234.57);
  });

  it('resolves country spellings and uses configured overrides', () => {
    const de = customerOf(mapAccountToCustomer(sourceAccount({ address1_country: 'Deutschland', address1_stateorprovince: 'Hessen' }), TEMPLATE));
    expect(de).toMatchObject({ AddressCountryRegionId: 'DEU', AddressCountryRegionISOCode: 'DE', AddressState: 'HE' });
    const overridden = customerOf(
      mapAccountToCustomer(sourceAccount({ address1_country: 'Atlantis', address1_stateorprovince: null }), context({ countries: { atlantis: 'GR' } })),
    );
    expect(overridden).toMatchObject({ AddressCountryRegionId: 'GRC', AddressCountryRegionISOCode: 'GR' });
  });

  it('uses defaults.SalesCurrencyCode for an account without currency', () => {
    const customer = customerOf(
      mapAccountToCustomer(sourceAccount({ _transactioncurrencyid_value: null }), context({ defaults: { SalesCurrencyCode: 'USD' } })),
    );
    expect(customer.SalesCurrencyCode).toBe('USD');
  });

  it('lets defaults fill any configurable field and null remove a template default', () => {
    const customer = customerOf(
      mapAccountToCustomer(
        sourceAccount({ address1_county: null }),
        context({ defaults: { WarehouseId: null, SalesMemo: 'From Sales', AddressCounty: 'Unknown' } }),
      ),
    );
    expect(customer).not.toHaveProperty('WarehouseId');
    expect(customer).toMatchObject({ SalesMemo: 'From Sales', AddressCounty: 'Unknown', SiteId: '1' });
  });
});

describe('mapAccountToCustomer: value maps', () => {
  const maps: MappingConfigInput = {
    valueMaps: {
      PaymentTerms: { source: 'paymenttermscode', values: { '1': 'Net30', '2': '2%D10Net30' }, otherwise: 'omit' },
      DeliveryTerms: { source: 'address1_freighttermscode', values: { '1': 'FOB' }, otherwise: 'fail' },
      DeliveryMode: { source: 'address1_shippingmethodcode', values: { '4': 'UPS' }, otherwise: 'omit' },
      WarehouseId: { source: 'address1_city', values: { ' seattle ': '11', REDMOND: '12' }, otherwise: 'default' },
      CustomerGroupId: { source: 'customertypecode', values: { '3': '20' }, otherwise: 'default' },
    },
  };

  it('maps choice values (as their number) and text (trimmed, case-insensitive)', () => {
    const customer = customerOf(mapAccountToCustomer(sourceAccount({ address1_city: 'Redmond' }), context(maps)));
    expect(customer).toMatchObject({ PaymentTerms: 'Net30', DeliveryTerms: 'FOB', DeliveryMode: 'UPS', WarehouseId: '12', CustomerGroupId: '20' });
    const seattle = customerOf(mapAccountToCustomer(sourceAccount({ address1_city: '  SEATTLE' }), context(maps)));
    expect(seattle.WarehouseId).toBe('11');
  });

  it('otherwise default: falls back to the default, or leaves the field unset without one', () => {
    const customer = customerOf(
      mapAccountToCustomer(sourceAccount({ address1_city: 'Tacoma', customertypecode: 8 }), context(maps)),
    );
    expect(customer.WarehouseId).toBe('13');
    expect(customer.CustomerGroupId).toBe('10');
    const noDefault = customerOf(
      mapAccountToCustomer(sourceAccount({ address1_city: 'Tacoma' }), context({ ...maps, defaults: { WarehouseId: null } })),
    );
    expect(noDefault).not.toHaveProperty('WarehouseId');
  });

  it('otherwise omit: leaves the field unset, even when a default exists', () => {
    const customer = customerOf(
      mapAccountToCustomer(
        sourceAccount({ paymenttermscode: 4, address1_shippingmethodcode: null }),
        context({ ...maps, defaults: { PaymentTerms: 'Net10', DeliveryMode: 'Truck' } }),
      ),
    );
    expect(customer).not.toHaveProperty('PaymentTerms');
    expect(customer).not.toHaveProperty('DeliveryMode');
  });

  it('otherwise fail: fails the record naming the field, the value and the map', () => {
    const [failure, ...others] = failuresOf(mapAccountToCustomer(sourceAccount({ address1_freighttermscode: 2 }), context(maps)));
    expect(others).toEqual([]);
    expect(failure).toEqual({
      accountId: ACCOUNT_ID,
      accountNumber: 'ACC-01001-ABCDEF',
      company: 'usmf',
      field: 'address1_freighttermscode',
      value: '2',
      code: 'UNMAPPED_VALUE',
      reason: `${RECORD}: address1_freighttermscode '2' has no entry in mapping.valueMaps.DeliveryTerms (otherwise: fail) — add it to the value map or change the account.`,
    });
  });

  it('otherwise fail: a blank source value fails too', () => {
    const [failure] = failuresOf(mapAccountToCustomer(sourceAccount({ address1_freighttermscode: null }), context(maps)));
    expect(failure).toMatchObject({ code: 'UNMAPPED_VALUE', field: 'address1_freighttermscode' });
    expect(failure).not.toHaveProperty('value');
    expect(failure!.reason).toContain('address1_freighttermscode is blank and has no entry in mapping.valueMaps.DeliveryTerms');
  });

  it('maps booleans and lookups as text', () => {
    const customer = customerOf(
      mapAccountToCustomer(
        sourceAccount({ creditonhold: true }),
        context({ valueMaps: { NameAlias: { source: 'creditonhold', values: { TRUE: 'ON-HOLD', false: 'OK' } } } }),
      ),
    );
    expect(customer.NameAlias).toBe('ON-HOLD');
  });

  it('a value map replaces the template source of a field', () => {
    const customer = customerOf(
      mapAccountToCustomer(
        sourceAccount({ address1_country: 'Deutschland', address1_stateorprovince: 'BY' }),
        context({ valueMaps: { SalesCurrencyCode: { source: 'address1_country', values: { deutschland: 'EUR' } } } }),
      ),
    );
    expect(customer.SalesCurrencyCode).toBe('EUR');
  });
});

describe('mapAccountToCustomer: failures', () => {
  it('MISSING_ACCOUNT_NUMBER names the record by id', () => {
    const [failure] = failuresOf(mapAccountToCustomer(sourceAccount({ accountnumber: '  ' }), TEMPLATE));
    expect(failure).toEqual({
      accountId: ACCOUNT_ID,
      company: 'usmf',
      field: 'accountnumber',
      code: 'MISSING_ACCOUNT_NUMBER',
      reason:
        `Account without Account Number (${ACCOUNT_ID}) for company 'usmf': accountnumber is blank; Account Number ` +
        'is the F&O customer key (CustomerAccount) — let the sync assign numbers (assignAccountNumbers) or give the account one.',
    });
  });

  it('TOO_LONG for an Account Number longer than the key, whatever the length policy', () => {
    const long = 'ACC-0000000001-ABCDEF';
    const [failure] = failuresOf(mapAccountToCustomer(sourceAccount({ accountnumber: long }), context({ lengthPolicy: { default: 'truncate' } })));
    expect(failure).toMatchObject({ code: 'TOO_LONG', field: 'accountnumber', value: long });
    expect(failure!.reason).toContain(`accountnumber '${long}' is 21 characters; CustomerAccount allows at most 20 and the key is never truncated`);
  });

  it('REQUIRED_MISSING for a blank name', () => {
    const [failure] = failuresOf(mapAccountToCustomer(sourceAccount({ name: ' ' }), TEMPLATE));
    expect(failure).toEqual({
      accountId: ACCOUNT_ID,
      accountNumber: 'ACC-01001-ABCDEF',
      company: 'usmf',
      field: 'name',
      code: 'REQUIRED_MISSING',
      reason: `${RECORD}: OrganizationName is required by F&O but has no value: name is blank and mapping.defaults.OrganizationName is not set — fill it in Sales or configure a default.`,
    });
  });

  it('REQUIRED_MISSING for an account without currency and no default currency', () => {
    const [failure] = failuresOf(mapAccountToCustomer(sourceAccount({ _transactioncurrencyid_value: null }), TEMPLATE));
    expect(failure).toMatchObject({ code: 'REQUIRED_MISSING', field: '_transactioncurrencyid_value' });
    expect(failure!.reason).toContain(
      'SalesCurrencyCode is required by F&O but has no value: _transactioncurrencyid_value (transaction currency) is blank and mapping.defaults.SalesCurrencyCode is not set',
    );
  });

  it('REQUIRED_MISSING for a customer group a value map does not give', () => {
    const config: MappingConfigInput = {
      defaults: { CustomerGroupId: null },
      valueMaps: { CustomerGroupId: { source: 'customertypecode', values: { '3': '10' }, otherwise: 'default' } },
    };
    const [failure] = failuresOf(mapAccountToCustomer(sourceAccount({ customertypecode: 8 }), context(config)));
    expect(failure).toMatchObject({ code: 'REQUIRED_MISSING', field: 'customertypecode' });
    expect(failure!.reason).toContain(
      "CustomerGroupId is required by F&O but has no value: customertypecode '8' has no entry in mapping.valueMaps.CustomerGroupId",
    );
  });

  it('UNKNOWN_CURRENCY for a currency id the run does not know', () => {
    const unknownId = '00000000-0000-4000-8000-00000000dead';
    const [failure, ...others] = failuresOf(
      mapAccountToCustomer(sourceAccount({ _transactioncurrencyid_value: unknownId }), context({ defaults: { SalesCurrencyCode: 'USD' } })),
    );
    expect(others).toEqual([]);
    expect(failure).toMatchObject({ code: 'UNKNOWN_CURRENCY', field: '_transactioncurrencyid_value', value: unknownId });
    expect(failure!.reason).toBe(
      `${RECORD}: _transactioncurrencyid_value '${unknownId}' is not a transaction currency known to this run ` +
        '(no such transactioncurrencies record was read from Dataverse) — check the account currency in Sales.',
    );
  });

  it('UNKNOWN_COUNTRY names the text and the fix', () => {
    const [failure] = failuresOf(mapAccountToCustomer(sourceAccount({ address1_country: ' Atlantis ' }), TEMPLATE));
    expect(failure).toEqual({
      accountId: ACCOUNT_ID,
      accountNumber: 'ACC-01001-ABCDEF',
      company: 'usmf',
      field: 'address1_country',
      value: 'Atlantis',
      code: 'UNKNOWN_COUNTRY',
      reason: `${RECORD}: address1_country 'Atlantis' is not a known country or region; add it to mapping.countries or fix the account.`,
    });
  });

  it('UNKNOWN_COUNTRY for an ambiguous name lists the candidates', () => {
    const [failure] = failuresOf(mapAccountToCustomer(sourceAccount({ address1_country: 'Congo' }), TEMPLATE));
    expect(failure!.reason).toContain("address1_country 'Congo' could mean COD or COG; add it to mapping.countries");
  });

  it('INVALID_VALUE for a negative credit limit', () => {
    const [failure] = failuresOf(mapAccountToCustomer(sourceAccount({ creditlimit: -5 }), TEMPLATE));
    expect(failure).toMatchObject({ code: 'INVALID_VALUE', field: 'creditlimit', value: '-5' });
    expect(failure!.reason).toContain("creditlimit '-5' is not a credit limit F&O accepts (a number of 0 or more)");
  });

  it('TOO_LONG names the field, the value, its length and the maximum', () => {
    const city = 'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch-by-the-sea';
    const [failure] = failuresOf(mapAccountToCustomer(sourceAccount({ address1_city: city }), TEMPLATE));
    expect(failure).toEqual({
      accountId: ACCOUNT_ID,
      accountNumber: 'ACC-01001-ABCDEF',
      company: 'usmf',
      field: 'address1_city',
      value: city,
      code: 'TOO_LONG',
      reason:
        `${RECORD}: address1_city '${city}' is ${city.length} characters; AddressCity allows at most 60 (length ` +
        'policy reject) — shorten it in Sales or set mapping.lengthPolicy.fields.AddressCity to truncate.',
    });
  });

  it('truncates the value shown in a failure to 200 characters', () => {
    const street = 'x'.repeat(5000);
    const [failure] = failuresOf(mapAccountToCustomer(sourceAccount({ address1_line1: street, address1_line2: null }), TEMPLATE));
    expect(failure!.value).toBe(`${'x'.repeat(200)}… (5000 characters)`);
    expect(failure!.reason).toContain(`address1_line1..3 '${'x'.repeat(200)}… (5000 characters)' is 5000 characters; AddressStreet allows at most 250`);
    expect(failure!.reason.length).toBeLessThan(500);
  });

  it('collects every failure of a record, not just the first', () => {
    const failures = failuresOf(
      mapAccountToCustomer(
        sourceAccount({
          accountnumber: null,
          name: null,
          _transactioncurrencyid_value: null,
          address1_country: 'Atlantis',
          address1_stateorprovince: 'Washington State',
          address1_postalcode: '98052-1234-5678',
          creditlimit: -1,
          paymenttermscode: 9,
        }),
        context({ valueMaps: { PaymentTerms: { source: 'paymenttermscode', values: { 1: 'Net30' }, otherwise: 'fail' } } }),
      ),
    );
    expect(failures.map((failure) => `${failure.code} ${failure.field}`).sort()).toEqual([
      'INVALID_VALUE creditlimit',
      'MISSING_ACCOUNT_NUMBER accountnumber',
      'REQUIRED_MISSING _transactioncurrencyid_value',
      'REQUIRED_MISSING name',
      'TOO_LONG address1_postalcode',
      'UNKNOWN_COUNTRY address1_country',
      'UNMAPPED_VALUE paymenttermscode',
    ]);
    for (const failure of failures) {
      expect(failure.reason.startsWith(`Account without Account Number (${ACCOUNT_ID}) for company 'usmf': `)).toBe(true);
    }
  });
});

describe('mapAccountToCustomer: length policy', () => {
  const longName = `${'Contoso Pharmaceuticals '.repeat(5)}International`;

  it('truncate: shortens the value and warns with the original', () => {
    const result = mapAccountToCustomer(sourceAccount({ name: longName }), context({ lengthPolicy: { fields: { OrganizationName: 'truncate' } } }));
    const customer = customerOf(result);
    expect(customer.OrganizationName).toBe(longName.slice(0, 100).trimEnd());
    expect(customer.OrganizationName!.length).toBeLessThanOrEqual(100);
    expect(result.warnings).toEqual<RecordWarning[]>([
      {
        accountId: ACCOUNT_ID,
        accountNumber: 'ACC-01001-ABCDEF',
        company: 'usmf',
        field: 'name',
        value: longName,
        written: 'Contoso Pharmaceuticals Contoso Pharmaceuticals Contoso Pharmaceuticals Contoso Pharmaceuticals Cont',
        code: 'TRUNCATED',
        reason:
          `${RECORD}: name is ${longName.length} characters; OrganizationName allows at most 100, so it was written as ` +
          `'${customer.OrganizationName}' (length policy truncate).`,
      },
    ]);
  });

  it('a per-field policy wins over the default', () => {
    const failures = failuresOf(
      mapAccountToCustomer(
        sourceAccount({ name: longName, address1_city: 'Redmond, the city of Microsoft, in King County, Washington State' }),
        context({ lengthPolicy: { default: 'truncate', fields: { OrganizationName: 'reject' } } }),
      ),
    );
    expect(failures.map((failure) => failure.field)).toEqual(['name']);
  });

  it('truncate keeps surrogate pairs whole and drops trailing blanks', () => {
    const zip = `ABCDEFGHI😀`; // the emoji straddles the 10-character limit
    const result = mapAccountToCustomer(
      sourceAccount({ address1_postalcode: zip, address1_city: `${'North'.padEnd(60, ' ')}King` }),
      context({ lengthPolicy: { default: 'truncate' } }),
    );
    const customer = customerOf(result);
    expect(customer.AddressZipCode).toBe('ABCDEFGHI');
    expect(customer.AddressCity).toBe('North');
    expect(result.warnings.map((warning) => warning.field)).toEqual(['address1_city', 'address1_postalcode']);
  });

  it('shows multi-line values on one line in reasons', () => {
    const result = mapAccountToCustomer(
      sourceAccount({ address1_line1: 'a'.repeat(10), address1_line2: 'b'.repeat(300) }),
      context({ lengthPolicy: { fields: { AddressStreet: 'truncate' } } }),
    );
    const [warning] = result.warnings;
    expect(warning!.reason).not.toMatch(/\n/);
    expect(warning!.reason).toContain('\\n');
    expect(warning!.value).toContain('\n');
  });
});

describe('mapAccountToCustomer: purity', () => {
  it('returns equal results for equal input and does not touch the account', () => {
    const account = sourceAccount();
    const snapshot = structuredClone(account);
    const first = mapAccountToCustomer(account, TEMPLATE);
    const second = mapAccountToCustomer(account, TEMPLATE);
    expect(second).toEqual(first);
    expect(account).toEqual(snapshot);
    expect(customerOf(second)).not.toBe(customerOf(first));
  });
});
