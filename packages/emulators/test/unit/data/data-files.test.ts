import { describe, expect, it } from 'vitest';
import { defaultFnoReferenceData, defaultTransactionCurrencies, mergeFnoReference, parseAccountsDataset } from '../../../src/data';

describe('accounts file', () => {
  it('accepts Web API rows, drops annotations and service columns, defaults currencies and business units', () => {
    const dataset = parseAccountsDataset({
      accounts: [
        {
          accountid: 'AAAAAAAA-1111-4111-8111-111111111111',
          name: 'Fabrikam',
          '@odata.etag': 'W/"12"',
          versionnumber: 12,
          modifiedon: '2024-01-01T00:00:00Z',
          '_transactioncurrencyid_value@OData.Community.Display.V1.FormattedValue': 'US Dollar',
          _transactioncurrencyid_value: defaultTransactionCurrencies[0]?.transactioncurrencyid,
          creditlimit: 1000.25,
          statecode: 1,
          // Columns of the real table the emulator does not model: accepted, ignored.
          statuscode: 2,
          address2_city: 'Bonn',
          _ownerid_value: 'aaaaaaaa-2222-4222-8222-222222222222',
        },
      ],
    });
    expect(dataset.accounts).toEqual([
      {
        accountid: 'aaaaaaaa-1111-4111-8111-111111111111',
        name: 'Fabrikam',
        _transactioncurrencyid_value: defaultTransactionCurrencies[0]?.transactioncurrencyid,
        creditlimit: 1000.25,
        statecode: 1,
      },
    ]);
    expect(dataset.transactioncurrencies.length).toBe(defaultTransactionCurrencies.length);
    expect(dataset.businessunits.map((unit) => unit.name)).toContain('DEMF');
  });

  it('reports each bad row and column', () => {
    const attempt = () =>
      parseAccountsDataset({
        accounts: [
          { name: 'fine' },
          { name: 'N'.repeat(161), customertypecode: 99, creditlimit: -1, unknowncolumn: 1 },
          { accountid: '11111111-1111-4111-8111-111111111111', name: 'a', _owningbusinessunit_value: '99999999-9999-4999-8999-999999999999' },
          { accountid: '11111111-1111-4111-8111-111111111111', name: 'b', _transactioncurrencyid_value: 'not-a-guid' },
        ],
      });
    expect(attempt).toThrowError(/accounts\[1\]\.name/);
    expect(attempt).toThrowError(/accounts\[1\]\.customertypecode/);
    expect(attempt).toThrowError(/accounts\[1\]\.creditlimit/);
    expect(attempt).toThrowError("accounts[1]: 'unknowncolumn' is not a column of the Dataverse account table");
    expect(attempt).toThrowError(/accounts\[3\]\._transactioncurrencyid_value/);
    expect(() =>
      parseAccountsDataset({
        accounts: [
          { accountid: '11111111-1111-4111-8111-111111111111', name: 'a', _owningbusinessunit_value: '99999999-9999-4999-8999-999999999999' },
          { accountid: '11111111-1111-4111-8111-111111111111', name: 'b' },
        ],
      }),
    ).toThrowError(/accounts\[0\]\._owningbusinessunit_value: no business unit[\s\S]*accounts\[1\]\.accountid: .* appears more than once/);
    expect(() => parseAccountsDataset({ rows: [] })).toThrowError(/accounts/);
  });
});

describe('F&O reference data', () => {
  it('has the template defaults in usmf and demf and every ISO country', () => {
    const data = defaultFnoReferenceData();
    for (const company of ['usmf', 'demf']) {
      const reference = data.companies[company];
      expect(reference?.customerGroups.map((group) => group.id)).toContain('10');
      expect(reference?.sites.map((site) => site.id)).toContain('1');
      expect(reference?.warehouses.find((warehouse) => warehouse.id === '13')?.siteId).toBe('1');
      expect(reference?.paymentTerms.map((terms) => terms.id)).toEqual(expect.arrayContaining(['Net10', 'Net30', 'Net45', 'Net60']));
      expect(reference?.deliveryTerms.map((terms) => terms.id)).toEqual(expect.arrayContaining(['FOB', 'CIF', 'EXW', 'DDP']));
    }
    expect(data.languages.map((language) => language.id)).toContain('en-us');
    expect(data.countries.length).toBeGreaterThan(240);
    expect(data.countries.find((country) => country.id === 'USA')?.isoCode).toBe('US');
    expect(data.countries.find((country) => country.id === 'DEU')?.isoCode).toBe('DE');
  });

  it('is overridden section by section and validated', () => {
    const base = defaultFnoReferenceData();
    const merged = mergeFnoReference(base, {
      languages: [{ id: 'en-us', description: 'English' }],
      companies: {
        FRRT: {
          name: 'France retail',
          customerGroups: [{ id: '10', description: 'Retail' }],
          sites: [{ id: 'PAR', name: 'Paris' }],
          warehouses: [{ id: 'PAR1', name: 'Paris 1', siteId: 'PAR' }],
          paymentTerms: [],
          deliveryTerms: [],
          deliveryModes: [],
        },
      },
    });
    expect(Object.keys(merged.companies).sort()).toEqual(['demf', 'frrt', 'usmf']);
    expect(merged.languages).toHaveLength(1);
    expect(merged.currencies).toEqual(base.currencies);
    expect(() => mergeFnoReference(base, { companies: { usmf: { ...base.companies.usmf, warehouses: [{ id: 'X', name: 'x', siteId: 'NOSITE' }] } } })).toThrowError(
      /warehouse 'X' belongs to site 'NOSITE'/,
    );
    expect(() => mergeFnoReference(base, { currencies: [{ code: 'TOOLONG', name: 'x' }] })).toThrowError(/currencies/);
    expect(() => mergeFnoReference(base, { extra: true })).toThrowError(/extra/);
  });
});
