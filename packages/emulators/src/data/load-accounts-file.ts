import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ACCOUNT_COLUMNS, type AccountColumn } from '../dataverse/account-columns';
import { ACCOUNT_TABLE_COLUMN_NAMES } from '../dataverse/account-table-columns';
import { GUID_PATTERN } from '../dataverse/account-row';
import type { AccountSeed, DataverseDataset } from './account-generator';
import { defaultBusinessUnits, defaultTransactionCurrencies } from './dataverse-defaults';

const guid = z.string().regex(GUID_PATTERN, 'not a GUID');
/** Columns the service sets itself: accepted in a file (exports carry them) and ignored. */
const serviceColumns = new Set(['modifiedon', 'createdon', 'versionnumber']);

function columnSchema(column: AccountColumn): z.ZodType {
  switch (column.kind) {
    case 'string':
      return column.name === 'name' ? z.string().min(1).max(column.maxLength) : z.string().max(column.maxLength).nullable();
    case 'money':
      return z.number().min(column.min).max(column.max).nullable();
    case 'boolean':
      return z.boolean().nullable();
    case 'choice':
      return z
        .number()
        .int()
        .refine((value) => column.options.has(value), { message: `not one of ${[...column.options].join(', ')}` })
        .nullable();
    case 'guid':
    case 'lookup':
      return guid.nullable();
    default:
      return z.unknown();
  }
}

const modeledColumns = new Set(ACCOUNT_COLUMNS.filter((column) => !serviceColumns.has(column.name)).map((column) => column.name));
const isAnnotation = (name: string) => name.includes('@');

/**
 * One account in the Web API's row shape, with Dataverse's own limits on the columns the emulator models (taken
 * from the Dataverse emulator's column table, so the file is refused exactly where the emulator would refuse it).
 * A real export carries every column of the `account` table (`statuscode`, `address2_*`, `_ownerid_value`, …):
 * those are accepted and ignored, like annotations (`@odata.etag`, `…@OData.Community.Display.V1.FormattedValue`)
 * and service-set columns. Only a name the account table does not have is an error.
 */
const accountSchema = z.preprocess(
  (raw) =>
    raw && typeof raw === 'object' && !Array.isArray(raw)
      ? Object.fromEntries(
          Object.entries(raw).filter(([name]) => !isAnnotation(name) && (modeledColumns.has(name) || !ACCOUNT_TABLE_COLUMN_NAMES.has(name))),
        )
      : raw,
  // What is left besides the modeled columns is no column of the table at all: refused, naming it.
  z.strictObject(
    Object.fromEntries(
      ACCOUNT_COLUMNS.filter((column) => modeledColumns.has(column.name)).map((column) => [
        column.name,
        column.name === 'name' ? columnSchema(column) : columnSchema(column).optional(),
      ]),
    ),
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `${issue.keys.map((key) => `'${key}'`).join(', ')} ${issue.keys.length > 1 ? 'are not columns' : 'is not a column'} of the Dataverse account table`
          : undefined,
    },
  ),
);

const fileSchema = z.strictObject({
  accounts: z.array(accountSchema),
  transactioncurrencies: z
    .array(z.strictObject({ transactioncurrencyid: guid, isocurrencycode: z.string().min(3).max(5), currencyname: z.string().min(1) }))
    .min(1)
    .optional(),
  businessunits: z.array(z.strictObject({ businessunitid: guid, name: z.string().min(1) })).min(1).optional(),
});

const maxReportedIssues = 20;

/**
 * Reads `{ "accounts": [...], "transactioncurrencies"?: [...], "businessunits"?: [...] }` (currencies and business
 * units default to the fixed defaults). Every problem is reported with its row and column, e.g.
 * `accounts[12].address1_city: Too big: expected string to have <=80 characters`, including lookups to currencies
 * or business units the file does not define and repeated account ids.
 */
export function parseAccountsDataset(json: unknown, source = 'accounts file'): DataverseDataset {
  const parsed = fileSchema.safeParse(json);
  const issues: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(`${formatPath(issue.path)}: ${issue.message}`);
    throw datasetError(source, issues);
  }
  const currencies = parsed.data.transactioncurrencies ?? defaultTransactionCurrencies.map((currency) => ({ ...currency }));
  const units = parsed.data.businessunits ?? defaultBusinessUnits.map((unit) => ({ ...unit }));
  const currencyIds = new Set(currencies.map((currency) => currency.transactioncurrencyid.toLowerCase()));
  const unitIds = new Set(units.map((unit) => unit.businessunitid.toLowerCase()));
  const seenIds = new Set<string>();
  const accounts = parsed.data.accounts.map((raw, index) => {
    const account = { ...raw, accountid: (typeof raw.accountid === 'string' ? raw.accountid : randomUUID()).toLowerCase() } as AccountSeed;
    if (seenIds.has(account.accountid)) issues.push(`accounts[${index}].accountid: '${account.accountid}' appears more than once`);
    seenIds.add(account.accountid);
    const currency = account._transactioncurrencyid_value;
    if (currency && !currencyIds.has(currency.toLowerCase())) {
      issues.push(`accounts[${index}]._transactioncurrencyid_value: no transaction currency '${currency}'`);
    }
    const unit = account._owningbusinessunit_value;
    if (unit && !unitIds.has(unit.toLowerCase())) issues.push(`accounts[${index}]._owningbusinessunit_value: no business unit '${unit}'`);
    return account;
  });
  if (issues.length > 0) throw datasetError(source, issues);
  return { accounts, transactioncurrencies: currencies, businessunits: units };
}

export function loadAccountsFile(file: string): DataverseDataset {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the accounts file ${file}: ${(error as Error).message}`);
  }
  return parseAccountsDataset(json, file);
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '') || '(file)';
}

function datasetError(source: string, issues: string[]): Error {
  const shown = issues.slice(0, maxReportedIssues);
  const more = issues.length > shown.length ? `\n… and ${issues.length - shown.length} more` : '';
  return new Error(`${source} has ${issues.length} problem(s):\n${shown.join('\n')}${more}`);
}
