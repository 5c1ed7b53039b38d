import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues } from '../../../src/domain/describe-issues';
import { DEFAULT_MAPPING_CONFIG, mappingConfigSchema, TEMPLATE_DEFAULTS } from '../../../src/domain/mapping-config';

function problemsOf(input: unknown): string[] {
  const parsed = mappingConfigSchema.safeParse(input);
  expect(parsed.success, 'configuration should have been refused').toBe(false);
  return parsed.success ? [] : describeIssues(parsed.error, 'mapping');
}

describe('mappingConfigSchema: accepted configurations', () => {
  it('gives the template mapping when nothing is configured', () => {
    expect(mappingConfigSchema.parse({})).toEqual({
      defaults: { CustomerGroupId: '10', SiteId: '1', WarehouseId: '13', LanguageId: 'en-us' },
      valueMaps: {},
      countries: {},
      states: {},
      unknownState: 'fail',
      lengthPolicy: { default: 'reject', fields: {} },
    });
    expect(DEFAULT_MAPPING_CONFIG.defaults).toEqual(TEMPLATE_DEFAULTS);
  });

  it('parses the documented example', () => {
    const config = mappingConfigSchema.parse({
      defaults: { CustomerGroupId: '10', SiteId: '1', WarehouseId: '13', LanguageId: 'en-us' },
      valueMaps: {
        PaymentTerms: { source: 'paymenttermscode', values: { '1': 'Net30', '2': '2%D10Net30', '3': 'Net45', '4': 'Net60' }, otherwise: 'omit' },
        DeliveryTerms: { source: 'address1_freighttermscode', values: { '1': 'FOB' }, otherwise: 'omit' },
        DeliveryMode: { source: 'address1_shippingmethodcode', values: { '4': 'UPS' }, otherwise: 'omit' },
        WarehouseId: { source: 'address1_city', values: { Seattle: '11' }, otherwise: 'default' },
      },
      countries: { Deutschland: 'DEU' },
      lengthPolicy: { default: 'reject', fields: { OrganizationName: 'truncate' } },
    });
    expect(config.valueMaps.PaymentTerms).toEqual({
      source: 'paymenttermscode',
      values: { '1': 'Net30', '2': '2%D10Net30', '3': 'Net45', '4': 'Net60' },
      otherwise: 'omit',
    });
    expect(config.valueMaps.WarehouseId?.otherwise).toBe('default');
    expect(config.countries).toEqual({ Deutschland: 'DEU' });
    expect(config.lengthPolicy).toEqual({ default: 'reject', fields: { OrganizationName: 'truncate' } });
  });

  it('lays configured defaults over the template ones; null removes one', () => {
    const config = mappingConfigSchema.parse({
      defaults: { SalesCurrencyCode: 'USD', WarehouseId: null, SiteId: ' 2 ', LanguageId: 'de' },
    });
    expect(config.defaults).toEqual({ CustomerGroupId: '10', SiteId: '2', LanguageId: 'de', SalesCurrencyCode: 'USD' });
  });

  it('reads numbers as codes (YAML turns SiteId: 1 into a number) and trims codes', () => {
    const config = mappingConfigSchema.parse({
      defaults: { SiteId: 2, CustomerGroupId: 20 },
      valueMaps: { WarehouseId: { source: 'address1_city', values: { Seattle: 11, Redmond: ' 12 ' } } },
    });
    expect(config.defaults).toMatchObject({ SiteId: '2', CustomerGroupId: '20' });
    expect(config.valueMaps.WarehouseId?.values).toEqual({ Seattle: '11', Redmond: '12' });
  });

  it("makes a value map's otherwise fail unless told otherwise", () => {
    const config = mappingConfigSchema.parse({ valueMaps: { PaymentTerms: { source: 'paymenttermscode', values: { 1: 'Net30' } } } });
    expect(config.valueMaps.PaymentTerms?.otherwise).toBe('fail');
  });

  it('accepts a customer group from a value map alone', () => {
    const config = mappingConfigSchema.parse({
      defaults: { CustomerGroupId: null },
      valueMaps: { CustomerGroupId: { source: 'customertypecode', values: { 3: '10', 8: '90' } } },
    });
    expect(config.defaults.CustomerGroupId).toBeUndefined();
    expect(config.valueMaps.CustomerGroupId?.values).toEqual({ '3': '10', '8': '90' });
  });

  it('embeds under mapping: with paths prefixed', () => {
    const outer = z.object({ mapping: mappingConfigSchema.prefault({}) });
    expect(outer.parse({}).mapping).toEqual(DEFAULT_MAPPING_CONFIG);
    const parsed = outer.safeParse({ mapping: { defaults: { SiteId: '' } } });
    expect(parsed.success).toBe(false);
    expect(describeIssues(parsed.error!)).toEqual(['mapping.defaults.SiteId: must not be empty: SiteId needs an F&O code']);
  });
});

describe('mappingConfigSchema: every problem listed with its path', () => {
  it('lists all problems of a bad configuration at once', () => {
    const problems = problemsOf({
      defaults: {
        CustomerAccount: 'X',
        dataAreaId: 'usmf',
        IsExternallyMaintained: 'No',
        PartyType: 'Person',
        Foo: 'y',
        WarehouseId: '',
        LanguageId: 'english-us',
      },
      valueMaps: {
        PaymentTerms: { source: 'paymenttermscode', values: { '1': 'Net30', ' 1 ': 'Net31', '2': 'WAYTOOLONGCODE' }, otherwise: 'maybe' },
        DeliveryMode: { source: 'shippingmethod', values: { '4': 'UPS' } },
        Bar: { source: 'name', values: {} },
        CustomerAccount: { source: 'name', values: {} },
        AddressCountryRegionId: { source: 'address1_country', values: { Deutschland: 'DEU' } },
        WarehouseId: { values: { Seattle: '' }, extra: true },
      },
      countries: { Deutschland: 'DEU', 'deutschland.': 'DE', Atlantis: 'ATL', '  ': 'US' },
      lengthPolicy: { default: 'cut', fields: { OrganizationName: 'truncate', CustomerAccount: 'truncate', Nope: 'reject', PartyType: 'reject' } },
      extra: 1,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'defaults.CustomerAccount: CustomerAccount is the customer key: always the Account Number; it cannot be set in mapping.defaults',
        'defaults.dataAreaId: dataAreaId is the company of the run (sync configuration), not a mapping value; it cannot be set in mapping.defaults',
        "defaults.IsExternallyMaintained: IsExternallyMaintained is always 'Yes', so invoice sync back to Sales finds the customer; it cannot be set in mapping.defaults",
        "defaults.PartyType: PartyType is always 'Organization' (accounts are organisations); it cannot be set in mapping.defaults",
        expect.stringMatching(/^defaults\.Foo: is not a CustomersV2 field mapping\.defaults can set; fields: OrganizationName, .*NameAlias, AddressCounty$/),
        'defaults.WarehouseId: must not be empty: WarehouseId needs an F&O code',
        "defaults.LanguageId: 'english-us' is 10 characters; LanguageId allows at most 7",
        "valueMaps.PaymentTerms.values. 1 : ' 1 ' and '1' are the same Sales value (compared trimmed and case-insensitively)",
        "valueMaps.PaymentTerms.values.2: 'WAYTOOLONGCODE' is 14 characters; PaymentTerms allows at most 10",
        'valueMaps.PaymentTerms.otherwise: must be one of default, omit, fail',
        expect.stringMatching(/^valueMaps\.DeliveryMode\.source: 'shippingmethod' is not an account column the sync reads; columns: accountid, .*address1_shippingmethodcode/),
        expect.stringMatching(/^valueMaps\.Bar: is not a CustomersV2 field mapping\.valueMaps can set/),
        'valueMaps.CustomerAccount: CustomerAccount is the customer key: always the Account Number; it cannot be set in mapping.valueMaps',
        'valueMaps.AddressCountryRegionId: AddressCountryRegionId comes from address1_country; map spellings in mapping.countries; it cannot be set in mapping.valueMaps',
        'valueMaps.WarehouseId.source: is required: the Dataverse account column whose value is mapped',
        'valueMaps.WarehouseId.values.Seattle: must not be empty: WarehouseId needs an F&O code',
        'valueMaps.WarehouseId.extra: is not a value map setting; settings: source, values, otherwise',
        "countries.deutschland.: 'deutschland.' and 'Deutschland' are the same text once case, accents and punctuation are ignored",
        "countries.Atlantis: 'ATL' is not an ISO 3166-1 alpha-3 or alpha-2 code",
        'countries.  : country/region text must not be blank',
        'lengthPolicy.default: must be one of reject, truncate',
        'lengthPolicy.fields.CustomerAccount: CustomerAccount is part of the customer key and is never truncated',
        expect.stringMatching(/^lengthPolicy\.fields\.Nope: is not a field with a length limit/),
        expect.stringMatching(/^lengthPolicy\.fields\.PartyType: is not a field with a length limit/),
        'extra: is not a mapping setting; settings: defaults, valueMaps, countries, states, unknownState, lengthPolicy',
      ]),
    );
    expect(problems).toHaveLength(25);
  });

  it('refuses a blank Sales value in a value map', () => {
    expect(problemsOf({ valueMaps: { PaymentTerms: { source: 'paymenttermscode', values: { ' ': 'Net30' } } } })).toEqual([
      'valueMaps.PaymentTerms.values. : a Sales value must not be blank (blanks follow otherwise)',
    ]);
  });

  it('refuses codes of the wrong type', () => {
    expect(problemsOf({ defaults: { SiteId: true }, countries: { Germany: 276 } })).toEqual([
      'defaults.SiteId: must be an F&O SiteId code (text)',
      'countries.Germany: must be an ISO 3166-1 alpha-3 or alpha-2 code such as "DEU" or "DE"',
    ]);
  });

  it('refuses sections of the wrong shape', () => {
    expect(problemsOf(null)).toEqual(['mapping: Invalid input: expected object, received null']);
    expect(problemsOf({ defaults: 3, valueMaps: [], countries: 'DE' })).toEqual([
      'defaults: Invalid input: expected object, received number',
      'valueMaps: Invalid input: expected object, received array',
      'countries: must be an object of country/region text → ISO code',
    ]);
  });

  it('requires a customer group, checked once the rest is valid', () => {
    expect(problemsOf({ defaults: { CustomerGroupId: null } })).toEqual([
      'defaults.CustomerGroupId: F&O requires a customer group: give CustomerGroupId a default or a value map',
    ]);
    // While another problem is open, the cross-check stays quiet rather than guessing.
    expect(problemsOf({ defaults: { CustomerGroupId: '10', Foo: 1 } })).toHaveLength(1);
  });
});
