import type { ColumnType, ColumnTypes } from '../odata-filter';

/** How a column is validated on write and compared on read. Facts from the contract's `account` table (§2). */
export type AccountColumn =
  | { name: string; kind: 'string'; maxLength: number }
  | { name: string; kind: 'money'; min: number; max: number }
  | { name: string; kind: 'boolean' }
  | { name: string; kind: 'choice'; options: ReadonlySet<number> }
  | { name: string; kind: 'guid' }
  | { name: string; kind: 'lookup'; target: 'transactioncurrencies' | 'businessunits'; navigation: string }
  | { name: string; kind: 'datetime' }
  | { name: string; kind: 'version' };

const text = (name: string, maxLength: number): AccountColumn => ({ name, kind: 'string', maxLength });
const choice = (name: string, options: number[]): AccountColumn => ({ name, kind: 'choice', options: new Set(options) });

export const ACCOUNT_COLUMNS: readonly AccountColumn[] = [
  { name: 'accountid', kind: 'guid' },
  text('accountnumber', 20),
  text('name', 160),
  text('address1_line1', 250),
  text('address1_line2', 250),
  text('address1_line3', 250),
  text('address1_city', 80),
  text('address1_stateorprovince', 50),
  text('address1_postalcode', 20),
  text('address1_county', 50),
  text('address1_country', 80),
  text('telephone1', 50),
  text('fax', 50),
  text('emailaddress1', 100),
  text('websiteurl', 200),
  text('description', 2000),
  { name: 'creditlimit', kind: 'money', min: 0, max: 100_000_000_000_000 },
  { name: 'creditonhold', kind: 'boolean' },
  { name: '_transactioncurrencyid_value', kind: 'lookup', target: 'transactioncurrencies', navigation: 'transactioncurrencyid' },
  // 1 Competitor … 12 Other, as in a default organisation.
  choice('customertypecode', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
  choice('paymenttermscode', [1, 2, 3, 4]),
  choice('address1_freighttermscode', [1, 2]),
  choice('address1_shippingmethodcode', [1, 2, 3, 4, 5, 6, 7]),
  choice('statecode', [0, 1]),
  { name: 'modifiedon', kind: 'datetime' },
  { name: 'createdon', kind: 'datetime' },
  { name: 'versionnumber', kind: 'version' },
  { name: '_owningbusinessunit_value', kind: 'lookup', target: 'businessunits', navigation: 'owningbusinessunit' },
];

export const ACCOUNT_COLUMN_BY_NAME: ReadonlyMap<string, AccountColumn> = new Map(ACCOUNT_COLUMNS.map((column) => [column.name, column]));

export const ACCOUNT_COLUMN_NAMES: readonly string[] = ACCOUNT_COLUMNS.map((column) => column.name);

/** Columns the service maintains; a client cannot write them. */
export const READ_ONLY_COLUMNS: ReadonlySet<string> = new Set(['modifiedon', 'createdon', 'versionnumber']);

function filterType(column: AccountColumn): ColumnType {
  switch (column.kind) {
    case 'string':
      return 'string';
    case 'money':
    case 'choice':
    case 'version':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'guid':
    case 'lookup':
      return 'guid';
    case 'datetime':
      return 'datetime';
  }
}

/** What `$filter` / `$orderby` may name, with the comparison type of each. */
export const ACCOUNT_FILTER_COLUMNS: ColumnTypes = Object.fromEntries(ACCOUNT_COLUMNS.map((column) => [column.name, filterType(column)]));

export const CURRENCY_FILTER_COLUMNS: ColumnTypes = { transactioncurrencyid: 'guid', isocurrencycode: 'string', currencyname: 'string' };

export const BUSINESS_UNIT_FILTER_COLUMNS: ColumnTypes = { businessunitid: 'guid', name: 'string' };
