import { describe, expect, it } from 'vitest';
import { mapAccountToCustomer, type MappingContext, type MappingResult } from '../../../src/domain/map-account';
import { mappingConfigSchema, type MappingConfigInput } from '../../../src/domain/mapping-config';
import { resolveState } from '../../../src/domain/state-codes';
import { CURRENCIES, sourceAccount } from './account-fixture';

const RECORD = "Account 'ACC-01001-ABCDEF' (3f2504e0-4f89-41d3-9a0c-0305e82c3301) for company 'usmf'";

function context(config: MappingConfigInput = {}): MappingContext {
  return { dataAreaId: 'usmf', config: mappingConfigSchema.parse(config), currencyCodeById: CURRENCIES };
}

function mapState(state: string | null, country: string | null, config: MappingConfigInput = {}): MappingResult {
  return mapAccountToCustomer(sourceAccount({ address1_stateorprovince: state, address1_country: country }), context(config));
}

function stateOf(result: MappingResult): string | undefined {
  if (!result.ok) throw new Error(`unexpected failures: ${result.failures.map((f) => f.reason).join(' | ')}`);
  return result.customer.AddressState;
}

describe('resolveState: ISO 3166-2 names and codes of the country', () => {
  it.each([
    ['Pennsylvania', 'US', 'PA'],
    ['PA', 'US', 'PA'],
    ['pa ', 'US', 'PA'],
    ['US-PA', 'US', 'PA'],
    ['Washington', 'US', 'WA'],
    ['Ontario', 'CA', 'ON'],
    ['ON', 'CA', 'ON'],
    ['Québec', 'CA', 'QC'],
    ['Quebec', 'CA', 'QC'],
    ['Bayern', 'DE', 'BY'],
    ['BY', 'DE', 'BY'],
    ['Thüringen', 'DE', 'TH'],
    ['thuringen', 'DE', 'TH'],
    ['Nordrhein-Westfalen', 'DE', 'NW'],
  ])('%s in %s is %s', (text, country, code) => {
    expect(resolveState(text, country, {})).toEqual({ kind: 'resolved', code });
  });

  it.each([
    ['Pennsylvan', 'US'],
    ['Bavaria', 'DE'],
    ['Ontario', 'US'],
    ['PA', 'DE'],
    ['Washington State', 'US'],
  ])('%s in %s is unknown: never a shortened or foreign code', (text, country) => {
    expect(resolveState(text, country, {})).toEqual({ kind: 'unknown' });
  });

  it('mapping.states wins over ISO, compared like names', () => {
    const overrides = mappingConfigSchema.parse({ states: { DEU: { Bavaria: 'BY', 'Freistaat Bayern': 'BAY' } } }).states;
    expect(overrides).toEqual({ DE: { bavaria: 'BY', 'freistaat bayern': 'BAY' } });
    expect(resolveState('BAVARIA', 'DE', overrides)).toEqual({ kind: 'resolved', code: 'BY' });
    expect(resolveState('Freistaat  Bayern', 'DE', overrides)).toEqual({ kind: 'resolved', code: 'BAY' });
    expect(resolveState('Bayern', 'DE', overrides)).toEqual({ kind: 'resolved', code: 'BY' });
  });
});

describe('mapAccountToCustomer: address1_stateorprovince becomes an F&O state code', () => {
  it('maps US, Canadian and German states by name and by code', () => {
    expect(stateOf(mapState('Pennsylvania', 'United States'))).toBe('PA');
    expect(stateOf(mapState('PA', 'USA'))).toBe('PA');
    expect(stateOf(mapState('Ontario', 'Canada'))).toBe('ON');
    expect(stateOf(mapState('on', 'CA'))).toBe('ON');
    expect(stateOf(mapState('Bayern', 'Deutschland'))).toBe('BY');
    expect(stateOf(mapState('BY', 'Germany'))).toBe('BY');
    expect(stateOf(mapState(null, 'Germany'))).toBeUndefined();
  });

  it('fails an unknown state with UNKNOWN_STATE, naming field, value and fix; never truncates it', () => {
    const result = mapState('Pennsylvaniaa', 'United States', { lengthPolicy: { default: 'truncate' } });
    expect(result).toEqual({
      ok: false,
      warnings: [],
      failures: [
        {
          accountId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
          accountNumber: 'ACC-01001-ABCDEF',
          company: 'usmf',
          field: 'address1_stateorprovince',
          value: 'Pennsylvaniaa',
          code: 'UNKNOWN_STATE',
          reason:
            `${RECORD}: address1_stateorprovince 'Pennsylvaniaa' is no ISO 3166-2 state/province name or code of US and no ` +
            'mapping.states.US entry — add it to mapping.states.US, fix the account, or set mapping.unknownState to omit.',
        },
      ],
    });
  });

  it('fails a state without a country to look it up in', () => {
    const result = mapState('Bayern', null);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failures.map((f) => [f.code, f.field, f.value, f.reason])).toEqual([
      [
        'UNKNOWN_STATE',
        'address1_stateorprovince',
        'Bayern',
        `${RECORD}: address1_stateorprovince 'Bayern' cannot be looked up: address1_country is blank, and F&O state codes ` +
          'belong to a country/region — add it to mapping.states, fix the account, or set mapping.unknownState to omit.',
      ],
    ]);
  });

  it('an unknown country fails once (UNKNOWN_COUNTRY), not again for its state', () => {
    const result = mapState('Bayern', 'Atlantis');
    expect(!result.ok && result.failures.map((f) => f.code)).toEqual(['UNKNOWN_COUNTRY']);
  });

  it('unknownState: omit leaves the state out with a STATE_OMITTED warning', () => {
    const result = mapState('Bavaria', 'Germany', { unknownState: 'omit' });
    expect(result.ok).toBe(true);
    expect(result.ok && result.customer.AddressState).toBeUndefined();
    expect(result.warnings).toEqual([
      {
        accountId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
        accountNumber: 'ACC-01001-ABCDEF',
        company: 'usmf',
        field: 'address1_stateorprovince',
        value: 'Bavaria',
        code: 'STATE_OMITTED',
        reason: `${RECORD}: address1_stateorprovince 'Bavaria' is no ISO 3166-2 state/province name or code of DE and no mapping.states.DE entry; AddressState was left out (mapping.unknownState: omit).`,
      },
    ]);
  });

  it('maps a configured spelling to the tenant code', () => {
    expect(stateOf(mapState('Bavaria', 'Germany', { states: { DE: { Bavaria: 'BY' } } }))).toBe('BY');
  });

  it('does not map address1_county by default (F&O counties are codes); a value map can', () => {
    const account = sourceAccount({ address1_county: 'King' });
    const plain = mapAccountToCustomer(account, context());
    expect(plain.ok && plain.customer.AddressCounty).toBeUndefined();
    const mapped = mapAccountToCustomer(account, context({ valueMaps: { AddressCounty: { source: 'address1_county', values: { King: 'KING' }, otherwise: 'omit' } } }));
    expect(mapped.ok && mapped.customer.AddressCounty).toBe('KING');
  });
});

describe('mappingConfigSchema: states', () => {
  it('refuses unknown countries, blank or clashing texts, codes too long, and truncating states or counties', () => {
    const result = mappingConfigSchema.safeParse({
      states: { Narnia: { North: 'N' }, US: { ' ': 'X', 'Penn.': 'PA', penn: 'PA', Pennsylvania: 'PENNSYLVANIA' } },
      unknownState: 'ignore',
      lengthPolicy: { fields: { AddressState: 'truncate', AddressCounty: 'truncate' } },
    });
    expect(result.success).toBe(false);
    const problems = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        "states.US.Pennsylvania: 'PENNSYLVANIA' is 12 characters; AddressState allows at most 10",
        'unknownState: must be one of fail, omit',
        "lengthPolicy.fields.AddressState: AddressState is a code of F&O's state table and is never truncated",
        "lengthPolicy.fields.AddressCounty: AddressCounty is a code of F&O's county table and is never truncated",
      ]),
    );
  });

  it('refuses unknown country keys and clashing spellings once the codes are valid', () => {
    const result = mappingConfigSchema.safeParse({ states: { Narnia: { North: 'N' }, US: { ' ': 'X', 'Penn.': 'PA', penn: 'PA' } } });
    const problems = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(problems).toEqual([
      "states.Narnia: 'Narnia' is not an ISO 3166-1 alpha-2 or alpha-3 country code",
      'states.US. : state/province text must not be blank',
      "states.US.penn: 'penn' and 'Penn.' are the same text once case, accents and punctuation are ignored",
    ]);
  });
});
