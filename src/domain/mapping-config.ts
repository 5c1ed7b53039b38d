import { z } from 'zod';
import { countryCodesOf } from './country-codes';
import { countryNameKey } from './country-name-key';
import {
  CUSTOMER_FIELD_MAX_LENGTHS,
  CUSTOMER_FIELDS,
  maxLengthOf,
  type CustomerField,
  type LengthLimitedField,
} from './customer-row';
import { ACCOUNT_COLUMNS } from './source-account';
import { stateNameKey, type StateOverrides } from './state-codes';
import { VALUE_MAP_FALLBACKS, valueMapKey, type ValueMap } from './value-map';

/**
 * The mapping part of the sync configuration (embedded by src/config under `mapping:`). Everything that would make
 * every record fail, or write codes F&O cannot hold, is refused here, before anything is written — each problem
 * with its path.
 */

/** The template's defaults (contract §4). Configured defaults are laid over them; `null` removes one. */
export const TEMPLATE_DEFAULTS = { CustomerGroupId: '10', SiteId: '1', WarehouseId: '13', LanguageId: 'en-us' } as const;

export const LENGTH_POLICIES = ['reject', 'truncate'] as const;
export type LengthPolicy = (typeof LENGTH_POLICIES)[number];

/** Fields whose value is fixed by the product, with the reason shown when a configuration tries to set them. */
const FIXED_FIELDS = {
  dataAreaId: 'is the company of the run (sync configuration), not a mapping value',
  CustomerAccount: 'is the customer key: always the Account Number',
  PartyType: "is always 'Organization' (accounts are organisations)",
  IsExternallyMaintained: "is always 'Yes', so invoice sync back to Sales finds the customer",
  CreditLimit: 'always comes from the account credit limit (0 when it has none)',
  AddressCountryRegionId: 'comes from address1_country; map spellings in mapping.countries',
  AddressCountryRegionISOCode: 'comes from address1_country; map spellings in mapping.countries',
} as const satisfies Partial<Record<CustomerField, string>>;

type FixedField = keyof typeof FIXED_FIELDS;
/** Fields a default or a value map may set. */
export type ConfigurableField = Exclude<CustomerField, FixedField>;

export const CONFIGURABLE_FIELDS = CUSTOMER_FIELDS.filter(
  (field): field is ConfigurableField => !Object.hasOwn(FIXED_FIELDS, field),
);

/**
 * Never shortened: keys (two numbers cut to the same prefix would become one customer) and the codes of F&O's
 * state and county tables (a cut name such as 'Pennsylvan' is no code).
 */
const NEVER_TRUNCATED = ['dataAreaId', 'CustomerAccount', 'AddressState', 'AddressCounty'] as const satisfies readonly LengthLimitedField[];

/** What happens to a state/province that is no known state of the address's country: the record fails, or the state is left out. */
export const UNKNOWN_STATE_POLICIES = ['fail', 'omit'] as const;
export type UnknownStatePolicy = (typeof UNKNOWN_STATE_POLICIES)[number];

export interface MappingConfig {
  /** Template defaults merged with configured ones. */
  defaults: Partial<Record<ConfigurableField, string>>;
  valueMaps: Partial<Record<ConfigurableField, ValueMap>>;
  /** Country/region text → ISO alpha-3 or alpha-2 code, on top of the ISO names. */
  countries: Readonly<Record<string, string>>;
  /** Per ISO alpha-2 country: state/province text (compared as a name key) → F&O state code, before ISO 3166-2. */
  states: StateOverrides;
  unknownState: UnknownStatePolicy;
  lengthPolicy: { default: LengthPolicy; fields: Partial<Record<LengthLimitedField, LengthPolicy>> };
}

const list = (values: readonly string[]) => values.join(', ');

/** An F&O code for `field`: text or a number (YAML reads `SiteId: 1` as one), trimmed, not empty, not too long. */
function codeSchema(field: CustomerField) {
  const max = maxLengthOf(field);
  return z
    .union([z.string(), z.number()], { error: `must be an F&O ${field} code (text)` })
    .transform((value) => String(value).trim())
    .superRefine((code, ctx) => {
      if (code === '') ctx.addIssue({ code: 'custom', message: `must not be empty: ${field} needs an F&O code` });
      else if (max !== undefined && code.length > max) {
        ctx.addIssue({
          code: 'custom',
          message: `'${code}' is ${code.length} characters; ${field} allows at most ${max}`,
        });
      }
    });
}

function fixedFieldSchema(field: FixedField, section: string) {
  return z.never({ error: `${field} ${FIXED_FIELDS[field]}; it cannot be set in ${section}` }).optional();
}

/**
 * For `.catchall`: refuses any extra key with an issue at the key's own path (zod reports `z.never()` catch-alls as
 * one "unrecognized keys" issue on the parent instead).
 */
function refusedKey(message: string) {
  return z.unknown().superRefine((_value, ctx) => {
    ctx.addIssue({ code: 'custom', message });
  });
}

function unknownFieldSchema(section: string) {
  return refusedKey(`is not a CustomersV2 field ${section} can set; fields: ${list(CONFIGURABLE_FIELDS)}`);
}

function fieldShape<T extends z.ZodType>(section: string, schemaFor: (field: ConfigurableField) => T) {
  const shape: Record<string, z.ZodType> = {};
  for (const field of CUSTOMER_FIELDS) {
    shape[field] = Object.hasOwn(FIXED_FIELDS, field)
      ? fixedFieldSchema(field as FixedField, section)
      : schemaFor(field as ConfigurableField).optional();
  }
  return shape;
}

const defaultsSchema = z
  .object(fieldShape('mapping.defaults', (field) => codeSchema(field).nullable()))
  .catchall(unknownFieldSchema('mapping.defaults'))
  .transform((configured) => {
    const merged: Record<string, string> = { ...TEMPLATE_DEFAULTS };
    for (const [field, value] of Object.entries(configured)) {
      if (value === null) delete merged[field];
      else if (typeof value === 'string') merged[field] = value;
    }
    return merged as Partial<Record<ConfigurableField, string>>;
  });

function valueMapSchema(field: ConfigurableField) {
  return z.object({
    source: z.enum(ACCOUNT_COLUMNS, {
      error: (issue) =>
        issue.input === undefined
          ? 'is required: the Dataverse account column whose value is mapped'
          : `'${String(issue.input)}' is not an account column the sync reads; columns: ${list(ACCOUNT_COLUMNS)}`,
    }),
    values: z
      .record(z.string(), codeSchema(field), { error: 'must be an object of Sales value → F&O code' })
      .superRefine((values, ctx) => {
        const seen = new Map<string, string>();
        for (const from of Object.keys(values)) {
          const key = valueMapKey(from);
          if (key === '') {
            ctx.addIssue({ code: 'custom', path: [from], message: 'a Sales value must not be blank (blanks follow otherwise)' });
            continue;
          }
          const earlier = seen.get(key);
          if (earlier !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [from],
              message: `'${from}' and '${earlier}' are the same Sales value (compared trimmed and case-insensitively)`,
            });
          } else seen.set(key, from);
        }
      }),
    otherwise: z
      .enum(VALUE_MAP_FALLBACKS, { error: `must be one of ${list(VALUE_MAP_FALLBACKS)}` })
      .default('fail'),
  }).catchall(refusedKey('is not a value map setting; settings: source, values, otherwise'));
}

const valueMapsSchema = z
  .object(fieldShape('mapping.valueMaps', valueMapSchema))
  .catchall(unknownFieldSchema('mapping.valueMaps'))
  .transform((maps) => maps as Partial<Record<ConfigurableField, ValueMap>>);

const countriesSchema = z
  .record(z.string(), z.string({ error: 'must be an ISO 3166-1 alpha-3 or alpha-2 code such as "DEU" or "DE"' }), {
    error: 'must be an object of country/region text → ISO code',
  })
  .superRefine((countries, ctx) => {
    const seen = new Map<string, string>();
    for (const [text, code] of Object.entries(countries)) {
      const key = countryNameKey(text);
      if (key === '') ctx.addIssue({ code: 'custom', path: [text], message: 'country/region text must not be blank' });
      else if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [text],
          message: `'${text}' and '${seen.get(key)}' are the same text once case, accents and punctuation are ignored`,
        });
      } else seen.set(key, text);
      if (!countryCodesOf(code)) {
        ctx.addIssue({ code: 'custom', path: [text], message: `'${code}' is not an ISO 3166-1 alpha-3 or alpha-2 code` });
      }
    }
  });

const stateCodeSchema = codeSchema('AddressState');

const statesSchema = z
  .record(z.string(), z.record(z.string(), stateCodeSchema, { error: 'must be an object of state/province text → F&O state code' }), {
    error: 'must be an object of country (ISO alpha-2 or alpha-3 code) → { state/province text: F&O state code }',
  })
  .superRefine((states, ctx) => {
    for (const [country, spellings] of Object.entries(states)) {
      if (!countryCodesOf(country)) {
        ctx.addIssue({ code: 'custom', path: [country], message: `'${country}' is not an ISO 3166-1 alpha-2 or alpha-3 country code` });
      }
      const seen = new Map<string, string>();
      for (const text of Object.keys(spellings)) {
        const key = stateNameKey(text);
        if (key === '') ctx.addIssue({ code: 'custom', path: [country, text], message: 'state/province text must not be blank' });
        else if (seen.has(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [country, text],
            message: `'${text}' and '${seen.get(key)}' are the same text once case, accents and punctuation are ignored`,
          });
        } else seen.set(key, text);
      }
    }
  })
  .transform((states): StateOverrides => {
    // Countries by alpha-2 (alpha-3 accepted), texts by their comparison key: what resolveState looks up.
    const byCountry: Record<string, Record<string, string>> = {};
    for (const [country, spellings] of Object.entries(states)) {
      const alpha2 = countryCodesOf(country)?.alpha2 ?? country.toUpperCase();
      const target = (byCountry[alpha2] ??= {});
      for (const [text, code] of Object.entries(spellings)) target[stateNameKey(text)] = code;
    }
    return byCountry;
  });

const unknownStateSchema = z.enum(UNKNOWN_STATE_POLICIES, { error: `must be one of ${list(UNKNOWN_STATE_POLICIES)}` });

const lengthPolicySchema = z.enum(LENGTH_POLICIES, { error: `must be one of ${list(LENGTH_POLICIES)}` });
const lengthLimitedFields = Object.keys(CUSTOMER_FIELD_MAX_LENGTHS) as LengthLimitedField[];

const lengthPolicyFieldsShape: Record<string, z.ZodType> = {};
for (const field of lengthLimitedFields) {
  lengthPolicyFieldsShape[field] = (NEVER_TRUNCATED as readonly string[]).includes(field)
    ? z
        .literal('reject', {
          error: field.startsWith('Address')
            ? `${field} is a code of F&O's ${field === 'AddressState' ? 'state' : 'county'} table and is never truncated`
            : `${field} is part of the customer key and is never truncated`,
        })
        .optional()
    : lengthPolicySchema.optional();
}

const lengthPolicyConfigSchema = z.object({
  default: lengthPolicySchema.default('reject'),
  fields: z
    .object(lengthPolicyFieldsShape)
    .catchall(refusedKey(`is not a field with a length limit; fields: ${list(lengthLimitedFields)}`))
    .transform((fields) => fields as Partial<Record<LengthLimitedField, LengthPolicy>>)
    .prefault({}),
}).catchall(refusedKey('is not a length policy setting; settings: default, fields'));

const mappingSectionsSchema = z
  .object({
    defaults: defaultsSchema.prefault({}),
    valueMaps: valueMapsSchema.prefault({}),
    countries: countriesSchema.prefault({}),
    states: statesSchema.prefault({}),
    unknownState: unknownStateSchema.default('fail'),
    lengthPolicy: lengthPolicyConfigSchema.prefault({}),
  })
  .catchall(refusedKey('is not a mapping setting; settings: defaults, valueMaps, countries, states, unknownState, lengthPolicy'));

type MappingSections = z.output<typeof mappingSectionsSchema>;

// Checks across sections run only once every section is valid (a pipe stops at the first schema's issues), so
// they never report a consequence of a problem already listed.
export const mappingConfigSchema = mappingSectionsSchema.pipe(
  z
    .custom<MappingSections>()
    .superRefine((config, ctx) => {
      if (config.defaults.CustomerGroupId === undefined && config.valueMaps.CustomerGroupId === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['defaults', 'CustomerGroupId'],
          message: 'F&O requires a customer group: give CustomerGroupId a default or a value map',
        });
      }
    })
    .transform(
      (config): MappingConfig => ({
        defaults: config.defaults,
        valueMaps: config.valueMaps,
        countries: config.countries,
        states: config.states,
        unknownState: config.unknownState,
        lengthPolicy: config.lengthPolicy,
      }),
    ),
);

export type MappingConfigInput = z.input<typeof mappingConfigSchema>;

/** The template mapping with nothing configured. */
export const DEFAULT_MAPPING_CONFIG: MappingConfig = mappingConfigSchema.parse({});
