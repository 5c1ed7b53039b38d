import { z } from 'zod';

/**
 * How a record that is not written (or written with a change) is reported. Codes are stable identifiers for
 * reports, metrics and scripts; the reason is a full sentence for people: record, field, value, rule and what to do.
 */

/** The closed set of failure codes, each with the rule it stands for. */
export const FAILURE_CODES = {
  DUPLICATE_ACCOUNT_NUMBER: 'Another active account has the same Account Number (compared case-insensitively).',
  MISSING_ACCOUNT_NUMBER: 'The account has no Account Number, so it has no customer key.',
  INVALID_ACCOUNT_NUMBER:
    'The Account Number is not 1-20 printable ASCII characters without leading or trailing spaces, so it cannot be compared with F&O keys safely.',
  CUSTOMER_NOT_EXTERNALLY_MAINTAINED:
    'An F&O customer with this key exists but is not maintained from Sales (IsExternallyMaintained = No); it is left untouched.',
  NUMBERING_FAILED: 'Dataverse refused the Account Number the sync assigned to the account.',
  REQUIRED_MISSING: 'A field F&O requires has no value from the account or the mapping configuration.',
  TOO_LONG: 'A value is longer than the F&O field allows and the length policy is reject.',
  UNKNOWN_COUNTRY: 'The country/region text matches no ISO country and no mapping.countries entry.',
  UNKNOWN_STATE:
    "The state/province text is no ISO 3166-2 name or code of the address's country and no mapping.states entry (unknownState: fail).",
  UNKNOWN_CURRENCY: 'The account references a transaction currency that could not be read from Dataverse.',
  UNMAPPED_VALUE: 'A value has no entry in its value map and the map says otherwise: fail.',
  INVALID_VALUE: 'A value is outside what the F&O field accepts (for example a negative credit limit).',
  REFERENCE_NOT_FOUND: 'F&O refused a value that is not in its related table (customer group, terms, warehouse …).',
  OUT_OF_SCOPE: "The account's owning business unit maps to no company configured for the sync.",
  WRITE_CONFLICT: 'The customer changed in F&O while it was being written and re-reading did not settle it.',
  FNO_REJECTED: 'F&O refused the write for any other reason; the reason carries its message.',
} as const;

export type FailureCode = keyof typeof FAILURE_CODES;

/** Which record a failure or warning is about. */
export interface RecordIdentity {
  accountId: string;
  accountNumber?: string;
  company?: string;
}

/** A failure as it travels through workflow history and reports (continuation input, CLI exports). */
export const recordFailureSchema = z.object({
  accountId: z.string(),
  accountNumber: z.string().optional(),
  company: z.string().optional(),
  field: z.string().optional(),
  value: z.string().optional(),
  code: z.enum(Object.keys(FAILURE_CODES) as [FailureCode, ...FailureCode[]]),
  reason: z.string(),
});

export interface RecordFailure extends RecordIdentity {
  /** The Dataverse column (what to fix in Sales) or, for configured values, the CustomersV2 field. */
  field?: string;
  /** The offending value as received, truncated to MAX_REPORTED_VALUE_LENGTH. */
  value?: string;
  code: FailureCode;
  reason: string;
}

export const WARNING_CODES = {
  TRUNCATED: 'A value was longer than the F&O field allows and was shortened (length policy truncate).',
  STATE_OMITTED: "The state/province is no known state of the address's country and was left out (unknownState: omit).",
} as const;

export type WarningCode = keyof typeof WARNING_CODES;

export interface RecordWarning extends RecordIdentity {
  /** The Dataverse column the value came from. */
  field: string;
  /** The value as received, truncated to MAX_REPORTED_VALUE_LENGTH. */
  value: string;
  /** What was written instead (a TRUNCATED value); absent when the field was left out (STATE_OMITTED). */
  written?: string;
  code: WarningCode;
  reason: string;
}

export const WARNING_CODE_LIST = Object.keys(WARNING_CODES) as [WarningCode, ...WarningCode[]];

/** A warning as it travels through workflow history and reports (unit results, continuation input, CLI exports). */
export const recordWarningSchema = z.object({
  accountId: z.string(),
  accountNumber: z.string().optional(),
  company: z.string().optional(),
  field: z.string(),
  value: z.string(),
  written: z.string().optional(),
  code: z.enum(WARNING_CODE_LIST),
  reason: z.string(),
});

/** Keeps one bad memo from bloating a report: values are shown up to this many characters. */
export const MAX_REPORTED_VALUE_LENGTH = 200;

/** A value as it appears in a report: text as received, cut at MAX_REPORTED_VALUE_LENGTH with a marker. */
export function reportedValue(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : String(value);
  if (text.length <= MAX_REPORTED_VALUE_LENGTH) return text;
  return `${text.slice(0, MAX_REPORTED_VALUE_LENGTH)}… (${text.length} characters)`;
}

const LINE_BREAKS = /\r\n|\r|\n/g;

/** A value quoted for a one-line reason: truncated like reportedValue, line breaks shown as `\n`. */
export function quoteValue(value: unknown): string {
  return `'${reportedValue(value).replace(LINE_BREAKS, '\\n')}'`;
}

/** `Account 'ACC-01001-ABCDEF' (3f2…) for company 'usmf'` — the start of every reason. */
export function describeRecord(identity: RecordIdentity): string {
  const number = identity.accountNumber ? `'${identity.accountNumber}'` : 'without Account Number';
  const company = identity.company ? ` for company '${identity.company}'` : '';
  return `Account ${number} (${identity.accountId})${company}`;
}

function identityOf(identity: RecordIdentity): RecordIdentity {
  const result: RecordIdentity = { accountId: identity.accountId };
  if (identity.accountNumber) result.accountNumber = identity.accountNumber;
  if (identity.company) result.company = identity.company;
  return result;
}

/**
 * Builds a failure whose reason is `<record>: <problem>`. `problem` names the field, the value (via quoteValue),
 * the rule and what to do about it.
 */
export function recordFailure(
  identity: RecordIdentity,
  code: FailureCode,
  problem: string,
  detail: { field?: string; value?: unknown } = {},
): RecordFailure {
  const failure: RecordFailure = { ...identityOf(identity), code, reason: `${describeRecord(identity)}: ${problem}` };
  if (detail.field !== undefined) failure.field = detail.field;
  if (detail.value !== undefined && detail.value !== null) failure.value = reportedValue(detail.value);
  return failure;
}

export function recordWarning(
  identity: RecordIdentity,
  code: WarningCode,
  problem: string,
  detail: { field: string; value: unknown; written?: unknown },
): RecordWarning {
  return {
    ...identityOf(identity),
    field: detail.field,
    value: reportedValue(detail.value),
    ...(detail.written !== undefined ? { written: reportedValue(detail.written) } : {}),
    code,
    reason: `${describeRecord(identity)}: ${problem}`,
  };
}
