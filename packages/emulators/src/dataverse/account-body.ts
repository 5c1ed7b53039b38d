import { z } from 'zod';
import { ACCOUNT_COLUMNS, type AccountColumn, READ_ONLY_COLUMNS } from './account-columns';
import { type AccountValues, GUID_PATTERN } from './account-row';
import type { AccountStore } from './account-store';
import { type DataverseError, errors } from './dataverse-error';

/** A validated write: the columns to set and, for a create, the id the client chose (if any). */
export interface AccountWrite {
  values: AccountValues;
  accountid?: string;
}

const guid = z.string().regex(GUID_PATTERN);

function columnSchema(column: AccountColumn): z.ZodType {
  switch (column.kind) {
    case 'string':
      return z.string().max(column.maxLength).nullable();
    case 'money':
      return z.number().nullable();
    case 'boolean':
      return z.boolean().nullable();
    case 'choice':
      return z.number().int().nullable();
    case 'guid':
    case 'lookup':
      return guid.nullable();
    case 'datetime':
    case 'version':
      return z.never();
  }
}

const writableColumns = ACCOUNT_COLUMNS.filter((column) => !READ_ONLY_COLUMNS.has(column.name) && column.kind !== 'lookup');
const lookupColumns = ACCOUNT_COLUMNS.filter((column): column is AccountColumn & { kind: 'lookup' } => column.kind === 'lookup');

/** What a client sends: plain columns, lookups only as `<navigation>@odata.bind`. */
const httpBodySchema = z.strictObject({
  ...Object.fromEntries(writableColumns.map((column) => [column.name, columnSchema(column).optional()])),
  ...Object.fromEntries(lookupColumns.map((column) => [`${column.navigation}@odata.bind`, z.string().nullable().optional()])),
});

/** What the store API takes (tests, benchmarks, seed data): lookups as their `_…_value` GUIDs. */
const storeValuesSchema = z.strictObject({
  ...Object.fromEntries(writableColumns.map((column) => [column.name, columnSchema(column).optional()])),
  ...Object.fromEntries(lookupColumns.map((column) => [column.name, guid.nullable().optional()])),
});

/**
 * Validates a POST/PATCH body with the service's own errors: unknown property, over-length (0x80044331), wrong
 * type, out-of-range choice or money, unknown lookup target. Annotations and read-only columns are ignored, as
 * Dataverse ignores them.
 */
export function parseAccountBody(body: unknown, store: AccountStore, mode: 'create' | 'update'): AccountWrite {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw errors.payload('The request body must be a JSON object.');
  }
  const kept: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@') || READ_ONLY_COLUMNS.has(key)) continue;
    if (key.includes('@') && !key.endsWith('@odata.bind')) continue;
    if (lookupColumns.some((column) => column.name === key)) {
      throw errors.payload(`Invalid property '${key}' was found in entity 'Microsoft.Dynamics.CRM.account'.`);
    }
    kept.push([key, value]);
  }
  // fromEntries defines own properties: a `__proto__` key stays a (refused) key instead of becoming a prototype.
  const parsed = parseWith(httpBodySchema, Object.fromEntries(kept));
  const values: Record<string, unknown> = {};
  let accountid: string | undefined;
  for (const [key, value] of Object.entries(parsed)) {
    if (value === undefined) continue;
    if (key === 'accountid') {
      if (typeof value === 'string') accountid = value.toLowerCase();
      continue;
    }
    const lookup = lookupColumns.find((column) => `${column.navigation}@odata.bind` === key);
    if (lookup !== undefined) {
      values[lookup.name] = value === null ? null : resolveBind(lookup, String(value), store);
      continue;
    }
    values[key] = value;
  }
  checkValues(values, mode);
  return accountid === undefined ? { values: values as AccountValues } : { values: values as AccountValues, accountid };
}

/** Validates values given to the store API; throws DataverseError like a refused HTTP write. */
export function validateAccountValues(input: unknown, store: AccountStore, mode: 'create' | 'update'): AccountWrite {
  const parsed = parseWith(storeValuesSchema, input);
  const values: Record<string, unknown> = {};
  let accountid: string | undefined;
  for (const [key, value] of Object.entries(parsed)) {
    if (value === undefined) continue;
    if (key === 'accountid') accountid = String(value).toLowerCase();
    else values[key] = typeof value === 'string' && key.startsWith('_') ? value.toLowerCase() : value;
  }
  for (const lookup of lookupColumns) {
    const id = values[lookup.name];
    if (typeof id === 'string') ensureTargetExists(lookup, id, store);
  }
  checkValues(values, mode);
  return accountid === undefined ? { values: values as AccountValues } : { values: values as AccountValues, accountid };
}

function parseWith(schema: z.ZodType, input: unknown): Record<string, unknown> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as Record<string, unknown>;
  throw toDataverseError(result.error.issues, input);
}

/** The issue a client most needs to see first: a name that does not exist, then a wrong type, then a length. */
function toDataverseError(issues: readonly z.core.$ZodIssue[], input: unknown): DataverseError {
  const unknownKey = issues.find((issue) => issue.code === 'unrecognized_keys');
  if (unknownKey !== undefined && unknownKey.code === 'unrecognized_keys') return errors.unknownProperty(unknownKey.keys[0] ?? '');
  const typeIssue = issues.find((issue) => issue.code !== 'too_big');
  if (typeIssue !== undefined) {
    const column = String(typeIssue.path[0] ?? '');
    const value = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[column] : input;
    const expected = edmType(column);
    return errors.payload(`Cannot convert the literal '${JSON.stringify(value) ?? 'undefined'}' to the expected type '${expected}' for the property '${column}'.`);
  }
  const tooBig = issues[0];
  if (tooBig !== undefined && tooBig.code === 'too_big') return errors.tooLong(String(tooBig.path[0] ?? ''), Number(tooBig.maximum));
  return errors.payload('The request body is not valid.');
}

function edmType(column: string): string {
  const definition = ACCOUNT_COLUMNS.find((candidate) => candidate.name === column);
  switch (definition?.kind) {
    case 'string':
      return 'Edm.String';
    case 'money':
      return 'Edm.Decimal';
    case 'boolean':
      return 'Edm.Boolean';
    case 'choice':
      return 'Edm.Int32';
    case 'guid':
    case 'lookup':
      return 'Edm.Guid';
    default:
      return 'Edm.String';
  }
}

function checkValues(values: Record<string, unknown>, mode: 'create' | 'update'): void {
  for (const column of writableColumns) {
    const value = values[column.name];
    if (value === undefined || value === null) continue;
    if (column.kind === 'choice' && !column.options.has(value as number)) throw errors.outOfRange(column.name, value);
    if (column.kind === 'money') {
      const amount = value as number;
      if (!Number.isFinite(amount) || amount < column.min || amount > column.max) throw errors.outOfRange(column.name, amount);
      values[column.name] = Math.round(amount * 100) / 100;
    }
  }
  if (values['statecode'] === null) throw errors.required('statecode');
  const name = values['name'];
  if ((mode === 'create' && (name === undefined || name === null || name === '')) || (mode === 'update' && (name === null || name === ''))) {
    throw errors.required('name');
  }
}

function resolveBind(lookup: AccountColumn & { kind: 'lookup' }, reference: string, store: AccountStore): string {
  const match = new RegExp(`(?:^|/)${lookup.target}\\(([^)]*)\\)$`).exec(reference);
  const id = match?.[1];
  if (id === undefined || !GUID_PATTERN.test(id)) {
    throw errors.payload(`The value '${reference}' of '${lookup.navigation}@odata.bind' is not a reference to ${lookup.target}(<id>).`);
  }
  ensureTargetExists(lookup, id, store);
  return id.toLowerCase();
}

function ensureTargetExists(lookup: AccountColumn & { kind: 'lookup' }, id: string, store: AccountStore): void {
  const exists = lookup.target === 'transactioncurrencies' ? store.currency(id) !== undefined : store.businessUnit(id) !== undefined;
  if (!exists) throw errors.doesNotExist(lookup.target === 'transactioncurrencies' ? 'transactioncurrency' : 'businessunit', id);
}
