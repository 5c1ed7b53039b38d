import { ACCOUNT_NUMBER_MAX_LENGTH } from './account-number';
import { resolveCountry } from './country';
import { resolveState } from './state-codes';
import { maxLengthOf, type CustomerRow } from './customer-row';
import { CONFIGURABLE_FIELDS, type ConfigurableField, type LengthPolicy, type MappingConfig } from './mapping-config';
import {
  quoteValue,
  recordFailure,
  recordWarning,
  type FailureCode,
  type RecordFailure,
  type RecordIdentity,
  type RecordWarning,
} from './record-failure';
import type { SourceAccount } from './source-account';
import { compileValueMap, sourceValueText, valueMapKey, type CompiledValueMap } from './value-map';

/**
 * The template mapping "Accounts (Sales to Fin and Ops) - Direct" (contract §4), plus the configured defaults,
 * value maps, country spellings and length policy. Every problem of a record is reported, not just the first, so
 * one round of fixes in Sales is enough.
 */

export interface MappingContext {
  /** The company (F&O `dataAreaId`) the account belongs to. */
  dataAreaId: string;
  config: MappingConfig;
  /** Dataverse `transactioncurrencyid` → `isocurrencycode`. */
  currencyCodeById: ReadonlyMap<string, string>;
}

export type MappingResult =
  | { ok: true; customer: CustomerRow; warnings: RecordWarning[] }
  | { ok: false; failures: RecordFailure[]; warnings: RecordWarning[] };

/** Fields F&O will not create a customer without (beyond the key). */
const REQUIRED_FIELDS: ReadonlySet<ConfigurableField> = new Set(['OrganizationName', 'SalesCurrencyCode', 'CustomerGroupId']);

type TextColumn = {
  [K in keyof SourceAccount]: SourceAccount[K] extends string | null ? (K extends `@${string}` ? never : K) : never;
}[keyof SourceAccount];

/** Template fields copied from one text column. */
const DIRECT_SOURCES: Partial<Record<ConfigurableField, TextColumn>> = {
  OrganizationName: 'name',
  AddressCity: 'address1_city',
  AddressZipCode: 'address1_postalcode',
  PrimaryContactPhone: 'telephone1',
  PrimaryContactFax: 'fax',
  PrimaryContactEmail: 'emailaddress1',
  PrimaryContactURL: 'websiteurl',
};

const STREET_COLUMNS = 'address1_line1..3';
const STATE_COLUMN = 'address1_stateorprovince';
const CURRENCY_COLUMN = '_transactioncurrencyid_value';

interface CompiledMapping {
  valueMaps: ReadonlyMap<ConfigurableField, CompiledValueMap>;
  defaults: MappingConfig['defaults'];
  lengthPolicies: ReadonlyMap<string, LengthPolicy>;
  defaultLengthPolicy: LengthPolicy;
}

// A run maps every record with the same configuration object: prepare its lookups once.
const compiledMappings = new WeakMap<MappingConfig, CompiledMapping>();

function compile(config: MappingConfig): CompiledMapping {
  let compiled = compiledMappings.get(config);
  if (compiled) return compiled;
  const valueMaps = new Map<ConfigurableField, CompiledValueMap>();
  for (const field of CONFIGURABLE_FIELDS) {
    const map = config.valueMaps[field];
    if (map) valueMaps.set(field, compileValueMap(map));
  }
  compiled = {
    valueMaps,
    defaults: config.defaults,
    lengthPolicies: new Map(Object.entries(config.lengthPolicy.fields)),
    defaultLengthPolicy: config.lengthPolicy.default,
  };
  compiledMappings.set(config, compiled);
  return compiled;
}

/** Trimmed text, or undefined for null and blank. */
function text(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function street(account: SourceAccount): string | undefined {
  const lines: string[] = [];
  for (const line of [account.address1_line1, account.address1_line2, account.address1_line3]) {
    const cleaned = text(line);
    if (cleaned !== undefined) lines.push(cleaned);
  }
  return lines.length === 0 ? undefined : lines.join('\n');
}

const HIGH_SURROGATE = /[\uD800-\uDBFF]$/;

/** Cuts to `max` UTF-16 units (F&O counts them too) without splitting a surrogate pair or leaving trailing blanks. */
function truncate(value: string, max: number): string {
  let cut = value.slice(0, max);
  if (HIGH_SURROGATE.test(cut)) cut = cut.slice(0, -1);
  return cut.trimEnd();
}

/** Where a field's value came from, for reasons and the failure's `field`. */
interface Origin {
  /** The Dataverse column, or the configuration path of a default. */
  field: string;
  /** Phrase naming the origin in a reason. */
  label: string;
}

interface TakenValue {
  value: string | undefined;
  origin: Origin;
}

class RecordMapper {
  readonly failures: RecordFailure[] = [];
  readonly warnings: RecordWarning[] = [];
  readonly row: Record<string, string | number> = {};
  /** The address's country as ISO alpha-2 once mapCountry ran: 'blank', or 'unknown' when it failed. */
  country: string | 'blank' | 'unknown' = 'blank';

  constructor(
    readonly account: SourceAccount,
    readonly identity: RecordIdentity,
    readonly context: MappingContext,
    readonly mapping: CompiledMapping,
  ) {}

  fail(code: FailureCode, problem: string, detail: { field: string; value?: unknown }): void {
    this.failures.push(recordFailure(this.identity, code, problem, detail));
  }

  mapKey(): void {
    this.row.dataAreaId = this.context.dataAreaId;
    const accountNumber = this.identity.accountNumber;
    if (accountNumber === undefined) {
      this.fail(
        'MISSING_ACCOUNT_NUMBER',
        'accountnumber is blank; Account Number is the F&O customer key (CustomerAccount) — let the sync assign ' +
          'numbers (assignAccountNumbers) or give the account one.',
        { field: 'accountnumber' },
      );
    } else if (accountNumber.length > ACCOUNT_NUMBER_MAX_LENGTH) {
      this.fail(
        'TOO_LONG',
        `accountnumber ${quoteValue(accountNumber)} is ${accountNumber.length} characters; CustomerAccount allows ` +
          `at most ${ACCOUNT_NUMBER_MAX_LENGTH} and the key is never truncated — shorten the Account Number.`,
        { field: 'accountnumber', value: accountNumber },
      );
    } else {
      this.row.CustomerAccount = accountNumber;
    }
  }

  mapConfigurable(field: ConfigurableField): void {
    const map = this.mapping.valueMaps.get(field);
    const taken = map ? this.mappedValue(field, map) : this.templateValue(field);
    if (taken === 'failed') return;
    let { value, origin } = taken;
    if (value === undefined && (!map || map.otherwise === 'default')) {
      value = this.mapping.defaults[field];
      if (value !== undefined) origin = { field: `mapping.defaults.${field}`, label: `mapping.defaults.${field}` };
    }
    if (value === undefined) {
      if (REQUIRED_FIELDS.has(field)) this.requiredMissing(field, origin, map !== undefined);
      return;
    }
    this.setLimited(field, value, origin);
  }

  private mappedValue(field: ConfigurableField, map: CompiledValueMap): TakenValue | 'failed' {
    const source = sourceValueText(this.account[map.source]);
    const value = source === '' ? undefined : map.lookup.get(valueMapKey(source));
    if (value === undefined && map.otherwise === 'fail') {
      this.fail(
        'UNMAPPED_VALUE',
        `${source === '' ? `${map.source} is blank and` : `${map.source} ${quoteValue(source)}`} has no entry in ` +
          `mapping.valueMaps.${field} (otherwise: fail) — add it to the value map or change the account.`,
        { field: map.source, value: source === '' ? undefined : source },
      );
      return 'failed';
    }
    return { value, origin: { field: map.source, label: `${map.source} ${source === '' ? '(blank)' : quoteValue(source)}` } };
  }

  private templateValue(field: ConfigurableField): TakenValue | 'failed' {
    if (field === 'SalesCurrencyCode') return this.currency();
    if (field === 'AddressStreet') return { value: street(this.account), origin: { field: STREET_COLUMNS, label: STREET_COLUMNS } };
    if (field === 'AddressState') return this.state();
    const column = DIRECT_SOURCES[field];
    if (column === undefined) return { value: undefined, origin: { field, label: `${field} (no template source)` } };
    return { value: text(this.account[column]), origin: { field: column, label: column } };
  }

  /**
   * F&O's state is a code of its state table for the address's country; Sales' is free text. Resolved through
   * mapping.states and ISO 3166-2 (see state-codes.ts), never shortened. An unresolvable one fails the record
   * (UNKNOWN_STATE) or, by policy, is left out with a warning. Without a resolved country there is no table to look
   * in: a blank country makes the state unknown; an unknown country already failed the record.
   */
  private state(): TakenValue | 'failed' {
    const origin = { field: STATE_COLUMN, label: STATE_COLUMN };
    const given = text(this.account.address1_stateorprovince);
    if (given === undefined || this.country === 'unknown') return { value: undefined, origin };
    const resolution = this.country === 'blank' ? undefined : resolveState(given, this.country, this.context.config.states);
    if (resolution?.kind === 'resolved') return { value: resolution.code, origin };
    const problem =
      this.country === 'blank'
        ? `${STATE_COLUMN} ${quoteValue(given)} cannot be looked up: address1_country is blank, and F&O state codes belong to a country/region`
        : `${STATE_COLUMN} ${quoteValue(given)} is no ISO 3166-2 state/province name or code of ${this.country} and no mapping.states.${this.country} entry`;
    if (this.context.config.unknownState === 'omit') {
      this.warnings.push(
        recordWarning(this.identity, 'STATE_OMITTED', `${problem}; AddressState was left out (mapping.unknownState: omit).`, {
          field: STATE_COLUMN,
          value: given,
        }),
      );
      return { value: undefined, origin };
    }
    this.fail(
      'UNKNOWN_STATE',
      `${problem} — add it to mapping.states${this.country === 'blank' ? '' : `.${this.country}`}, fix the account, or set mapping.unknownState to omit.`,
      { field: STATE_COLUMN, value: given },
    );
    return 'failed';
  }

  private currency(): TakenValue | 'failed' {
    const id = this.account._transactioncurrencyid_value;
    const origin = { field: CURRENCY_COLUMN, label: `${CURRENCY_COLUMN} (transaction currency)` };
    if (id === null) return { value: undefined, origin };
    const code = this.context.currencyCodeById.get(id) ?? this.context.currencyCodeById.get(id.toLowerCase());
    if (code === undefined) {
      this.fail(
        'UNKNOWN_CURRENCY',
        `${CURRENCY_COLUMN} '${id}' is not a transaction currency known to this run (no such transactioncurrencies ` +
          'record was read from Dataverse) — check the account currency in Sales.',
        { field: CURRENCY_COLUMN, value: id },
      );
      return 'failed';
    }
    return { value: text(code), origin };
  }

  private requiredMissing(field: ConfigurableField, origin: Origin, mapped: boolean): void {
    const why = mapped
      ? `${origin.label} has no entry in mapping.valueMaps.${field} and mapping.defaults.${field} does not apply`
      : `${origin.label} is blank and mapping.defaults.${field} is not set`;
    this.fail(
      'REQUIRED_MISSING',
      `${field} is required by F&O but has no value: ${why} — fill it in Sales or configure a default.`,
      { field: origin.field },
    );
  }

  private setLimited(field: ConfigurableField, value: string, origin: Origin): void {
    const max = maxLengthOf(field);
    if (max === undefined || value.length <= max) {
      this.row[field] = value;
      return;
    }
    const policy = this.mapping.lengthPolicies.get(field) ?? this.mapping.defaultLengthPolicy;
    if (policy === 'reject') {
      this.fail(
        'TOO_LONG',
        `${origin.field} ${quoteValue(value)} is ${value.length} characters; ${field} allows at most ${max} ` +
          `(length policy reject) — shorten it in Sales or set mapping.lengthPolicy.fields.${field} to truncate.`,
        { field: origin.field, value },
      );
      return;
    }
    const truncated = truncate(value, max);
    this.row[field] = truncated;
    this.warnings.push(
      recordWarning(
        this.identity,
        'TRUNCATED',
        `${origin.field} is ${value.length} characters; ${field} allows at most ${max}, so it was written as ` +
          `${quoteValue(truncated)} (length policy truncate).`,
        { field: origin.field, value, written: truncated },
      ),
    );
  }

  mapCountry(): void {
    const country = resolveCountry(this.account.address1_country, this.context.config.countries);
    if (country.kind === 'resolved') {
      this.row.AddressCountryRegionId = country.alpha3;
      this.row.AddressCountryRegionISOCode = country.alpha2;
      this.country = country.alpha2;
    } else if (country.kind === 'unknown') {
      this.country = 'unknown';
      const meaning = country.candidates
        ? `could mean ${country.candidates.join(' or ')}`
        : 'is not a known country or region';
      this.fail(
        'UNKNOWN_COUNTRY',
        `address1_country ${quoteValue(country.text)} ${meaning}; add it to mapping.countries or fix the account.`,
        { field: 'address1_country', value: country.text },
      );
    }
  }

  mapCreditLimit(): void {
    const limit = this.account.creditlimit;
    if (limit === null) {
      this.row.CreditLimit = 0;
    } else if (!Number.isFinite(limit) || limit < 0) {
      this.fail(
        'INVALID_VALUE',
        `creditlimit ${quoteValue(limit)} is not a credit limit F&O accepts (a number of 0 or more) — fix the account.`,
        { field: 'creditlimit', value: limit },
      );
    } else {
      // F&O amounts have two decimals.
      this.row.CreditLimit = Math.round(limit * 100) / 100;
    }
  }
}

export function mapAccountToCustomer(account: SourceAccount, context: MappingContext): MappingResult {
  const identity: RecordIdentity = { accountId: account.accountid, company: context.dataAreaId };
  const accountNumber = text(account.accountnumber);
  if (accountNumber !== undefined) identity.accountNumber = accountNumber;
  const mapper = new RecordMapper(account, identity, context, compile(context.config));

  mapper.mapKey();
  mapper.row.PartyType = 'Organization';
  mapper.row.IsExternallyMaintained = 'Yes';
  mapper.mapCreditLimit();
  // The country first: the state is a code of the country's state table.
  mapper.mapCountry();
  for (const field of CONFIGURABLE_FIELDS) mapper.mapConfigurable(field);

  if (mapper.failures.length > 0) return { ok: false, failures: mapper.failures, warnings: mapper.warnings };
  return { ok: true, customer: mapper.row as unknown as CustomerRow, warnings: mapper.warnings };
}
