import { z } from 'zod';
import { isValidAccountNumber } from '../domain/account-number';
import { ACCOUNT_COLUMNS, sourceAccountSchema, type SourceAccount } from '../domain/source-account';
import type { ChangeWatermark, WorkUnit } from '../domain/work-unit';
import { quoteLiteral } from '@p2c-sync/odata-wire';
import type { DataverseClient } from './dataverse-client';
import { ConnectorError } from './errors';
import { keySlices } from './key-slices';
import { parseRows } from './parse-rows';

// Dataverse `accounts` reads by purpose. Each read owns its `$filter`, `$select`, order and key slicing, and parses
// its rows with the schema beside it: callers (the activities) ask for what they need and get typed rows.

/** What the reads need of the client (tests may hand in a wrapped one). */
export type AccountSource = Pick<DataverseClient, 'queryAll' | 'readPage'>;

const ENTITY_SET = 'accounts';
/** Rows per page of the scans that read every account (Dataverse's largest page). */
const SCAN_PAGE_SIZE = 5000;
/** Active accounts only: inactive ones are not synchronised. */
const ACTIVE = 'statecode eq 0';
/** Account Numbers in key order; ties (a duplicated number) by id, so every read sees them in the same order. */
const KEY_ORDER = 'accountnumber asc,accountid asc';

const accountIdSchema = z.guid();
const versionSchema = z.union([z.number().int().nonnegative().transform(String), z.string().regex(/^\d+$/)]);

// ---------------------------------------------------------------------------------------------------------------
// A work unit's accounts

/** A row Dataverse returned in a shape the sync cannot read: reported for its account, never a crash. */
export interface UnreadableAccountRow {
  row: unknown;
  error: z.ZodError;
}

export interface UnitAccountsPage {
  /** Readable accounts of the unit, each once, in the order Dataverse returned them. */
  accounts: SourceAccount[];
  unreadable: UnreadableAccountRow[];
}

/**
 * The unit's active accounts, every column the sync maps, a page at a time: a range by Account Number, or a key list
 * by Account Number plus the accounts it lists by id (invalid numbers cannot be written in a query). A key list also
 * matches invalid look-alikes of its keys (`K-KELVIN` finds the Kelvin-sign one, SQL Server's `CASE-1` finds
 * `CASE-1 `): those belong to the unit that lists them by id and are left out elsewhere. An account found both by
 * its number and by its id comes once.
 */
export async function* readUnitAccounts(dataverse: AccountSource, unit: WorkUnit): AsyncGenerator<UnitAccountsPage> {
  const listedById = unit.kind === 'keys' ? new Set((unit.accountIds ?? []).map((id) => id.toLowerCase())) : undefined;
  const belongsHere = (account: SourceAccount) =>
    !listedById || account.accountnumber === null || isValidAccountNumber(account.accountnumber) || listedById.has(account.accountid.toLowerCase());
  const seen = new Set<string>();
  for (const filter of unitFilters(unit)) {
    for await (const rows of dataverse.queryAll({
      entitySet: ENTITY_SET,
      select: [...ACCOUNT_COLUMNS],
      filter: `${ACTIVE} and ${filter}`,
      orderby: KEY_ORDER,
    })) {
      const page: UnitAccountsPage = { accounts: [], unreadable: [] };
      for (const row of rows) {
        const parsed = sourceAccountSchema.safeParse(row);
        if (!parsed.success) page.unreadable.push({ row, error: parsed.error });
        else if (belongsHere(parsed.data) && !seen.has(parsed.data.accountid)) {
          seen.add(parsed.data.accountid);
          page.accounts.push(parsed.data);
        }
      }
      yield page;
    }
  }
}

/**
 * Ids (lower case) of the unit's active accounts that also match an operator's filter (a company's scope): Dataverse
 * evaluates the filter, with the same semantics as when the operator tried it.
 */
export async function readUnitAccountIdsMatching(dataverse: AccountSource, unit: WorkUnit, filter: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const unitFilter of unitFilters(unit)) {
    for await (const rows of dataverse.queryAll({
      entitySet: ENTITY_SET,
      select: ['accountid'],
      filter: `${ACTIVE} and ${unitFilter} and (${filter})`,
    })) {
      for (const row of parseRows(idRowSchema, rows, 'an account id')) ids.add(row.accountid.toLowerCase());
    }
  }
  return ids;
}

/** Asks Dataverse for one active account matching an operator's filter; a filter it refuses throws its answer. */
export async function tryAccountFilter(dataverse: AccountSource, filter: string): Promise<void> {
  await dataverse.readPage({ entitySet: ENTITY_SET, select: ['accountid'], filter: `${ACTIVE} and (${filter})`, pageSize: 1 });
}

/** `$filter` clauses selecting a unit's accounts: by Account Number, and by id for invalid numbers of a key list. */
function unitFilters(unit: WorkUnit): string[] {
  if (unit.kind === 'range') {
    const bounds = [
      unit.after === null ? 'accountnumber ne null' : `accountnumber gt ${quoteLiteral(unit.after)}`,
      ...(unit.upTo === null ? [] : [`accountnumber le ${quoteLiteral(unit.upTo)}`]),
    ];
    return [bounds.join(' and ')];
  }
  return [
    ...keySlices(unit.keys).map((keys) => inFilter('accountnumber', keys)),
    ...keySlices(unit.accountIds ?? []).map((ids) => inFilter('accountid', ids)),
  ];
}

function inFilter(column: string, values: readonly string[]): string {
  return `Microsoft.Dynamics.CRM.In(PropertyName='${column}',PropertyValues=[${values.map(quoteLiteral).join(',')}])`;
}

const idRowSchema = z.object({ accountid: accountIdSchema });

// ---------------------------------------------------------------------------------------------------------------
// Key scans (planning): Account Numbers in order, keys only

/** An Account Number as a scan returns it, with the account's id when the scan asked for ids. */
export interface AccountKey {
  accountNumber: string;
  accountId?: string;
}

export interface AccountKeyScan {
  /** Start after this Account Number (as Dataverse compares); null from the first. */
  after: string | null;
  /** Only accounts changed since this watermark (an incremental run). */
  changedSince?: ChangeWatermark;
  /** Also return each account's id (one more column). */
  withIds: boolean;
  pageSize: number;
}

/** Active, numbered accounts' Account Numbers in key order, a page at a time: one column (two with ids). */
export async function* scanAccountKeys(dataverse: AccountSource, scan: AccountKeyScan): AsyncGenerator<AccountKey[]> {
  const filter = [
    ACTIVE,
    'accountnumber ne null',
    ...(scan.after !== null ? [`accountnumber gt ${quoteLiteral(scan.after)}`] : []),
    ...(scan.changedSince ? [changedSinceFilter(scan.changedSince)] : []),
  ].join(' and ');
  const schema = scan.withIds ? keyWithIdRowSchema : keyRowSchema;
  for await (const rows of dataverse.queryAll({
    entitySet: ENTITY_SET,
    select: scan.withIds ? ['accountnumber', 'accountid'] : ['accountnumber'],
    filter,
    orderby: KEY_ORDER,
    pageSize: scan.pageSize,
  })) {
    yield parseRows(schema, rows, 'an Account Number').map(toAccountKey);
  }
}

/**
 * The current Account Numbers of the given accounts (by id) that are active and numbered, a page at a time; ids are
 * asked for in slices so URLs stay far below server limits.
 */
export async function* readAccountKeysByIds(
  dataverse: AccountSource,
  accountIds: readonly string[],
  pageSize: number,
): AsyncGenerator<Required<AccountKey>[]> {
  for (const ids of keySlices(accountIds)) {
    for await (const rows of dataverse.queryAll({
      entitySet: ENTITY_SET,
      select: ['accountnumber', 'accountid'],
      filter: `${ACTIVE} and accountnumber ne null and ${inFilter('accountid', ids)}`,
      pageSize,
    })) {
      yield parseRows(keyWithIdRowSchema, rows, 'an Account Number').map((row) => ({ accountNumber: row.accountnumber, accountId: row.accountid }));
    }
  }
}

function changedSinceFilter(since: ChangeWatermark): string {
  if (since.kind === 'version') return `versionnumber gt ${rowVersion(since.value)}`;
  if (Number.isNaN(Date.parse(since.value))) throw notReadable(`'${since.value}' is not a date-time to read changes since`);
  return `modifiedon gt ${since.value}`;
}

const keyRowSchema = z.object({ accountnumber: z.string() });
const keyWithIdRowSchema = z.object({ accountnumber: z.string(), accountid: accountIdSchema });

function toAccountKey(row: { accountnumber: string; accountid?: string }): AccountKey {
  return { accountNumber: row.accountnumber, ...(row.accountid !== undefined ? { accountId: row.accountid } : {}) };
}

/** Every Account Number an active account carries, keys only, a page at a time (in no particular order). */
export async function* scanActiveAccountNumbers(dataverse: AccountSource): AsyncGenerator<string[]> {
  for await (const rows of dataverse.queryAll({
    entitySet: ENTITY_SET,
    select: ['accountnumber'],
    filter: `${ACTIVE} and accountnumber ne null`,
    pageSize: SCAN_PAGE_SIZE,
  })) {
    yield parseRows(keyRowSchema, rows, 'an Account Number').map((row) => row.accountnumber);
  }
}

/** Those of the given Account Numbers that an active account carries now (as Dataverse compares), a page at a time. */
export async function* readActiveAccountNumbersAmong(dataverse: AccountSource, accountNumbers: readonly string[]): AsyncGenerator<string[]> {
  for (const numbers of keySlices(accountNumbers)) {
    for await (const rows of dataverse.queryAll({
      entitySet: ENTITY_SET,
      select: ['accountnumber'],
      filter: `${ACTIVE} and ${inFilter('accountnumber', numbers)}`,
    })) {
      yield parseRows(keyRowSchema, rows, 'an Account Number').map((row) => row.accountnumber);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Row versions

/**
 * The highest row version of any account now ('0' when there are none). Every later change gets a higher
 * `versionnumber`, so reading changes above it cannot miss one made after this read.
 */
export async function readHighestVersion(dataverse: AccountSource): Promise<string> {
  const page = await dataverse.readPage({ entitySet: ENTITY_SET, select: ['versionnumber'], orderby: 'versionnumber desc', pageSize: 1 });
  const [top] = parseRows(versionRowSchema, page.rows, 'a row version');
  return top?.versionnumber ?? '0';
}

const versionRowSchema = z.object({ versionnumber: versionSchema });

// ---------------------------------------------------------------------------------------------------------------
// The account delta (change tracking)

/**
 * The columns a delta link carries: Dataverse fixes `$select` at the first read of change tracking, and every later
 * delta returns those columns of each changed row. Enough to tell an edit (active, with its Account Number) from a
 * deactivation (statecode ≠ 0): keys only.
 */
export const TRACKED_ACCOUNT_COLUMNS = ['accountid', 'accountnumber', 'statecode'] as const;

export interface TrackedAccount {
  accountid: string;
  accountnumber: string | null;
  statecode: number;
}

const trackedAccountSchema = z
  .object({ accountid: z.string().min(1), accountnumber: z.string().nullable().optional(), statecode: z.number().int() })
  .transform((row): TrackedAccount => ({ accountid: row.accountid, accountnumber: row.accountnumber ?? null, statecode: row.statecode }));

/**
 * One page of the account delta: a start (every account, the tracked columns) or a later read (a next or delta link
 * exactly as Dataverse gave it). `expired` when Dataverse no longer honours the link, or the link was started with
 * other columns than the tracked ones (it cannot tell deactivations apart): either way, start again.
 */
export type AccountDeltaPage =
  | { expired: true; reason: string }
  | { expired: false; changed: TrackedAccount[]; removed: string[]; nextLink?: string; deltaLink?: string };

export async function readAccountDelta(
  dataverse: Pick<DataverseClient, 'readChanges'>,
  from: { start: true } | { link: string },
  pageSize: number,
): Promise<AccountDeltaPage> {
  const read =
    'link' in from
      ? await dataverse.readChanges({ link: from.link, primaryKey: 'accountid', pageSize })
      : await dataverse.readChanges({ entitySet: ENTITY_SET, primaryKey: 'accountid', select: [...TRACKED_ACCOUNT_COLUMNS], pageSize });
  if (read.expired) return read;
  const changed: TrackedAccount[] = [];
  for (const row of read.changed) {
    const parsed = trackedAccountSchema.safeParse(row);
    if (!parsed.success) {
      return { expired: true, reason: `the delta link does not carry ${TRACKED_ACCOUNT_COLUMNS.join(', ')} for each account (it was started with another $select)` };
    }
    changed.push(parsed.data);
  }
  return {
    expired: false,
    changed,
    removed: read.removed,
    ...(read.nextLink !== undefined ? { nextLink: read.nextLink } : {}),
    ...(read.deltaLink !== undefined ? { deltaLink: read.deltaLink } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The upgrade script: numbered accounts, numbers written since a version, unnumbered pages

export interface NumberedAccount {
  accountid: string;
  accountnumber: string;
  statecode: number;
  createdon: string | null;
  /** `W/"<version>"`, for an update of exactly the version read. */
  etag: string;
}

const numberedAccountRowSchema = z
  .looseObject({
    '@odata.etag': z.string().min(1),
    accountid: accountIdSchema,
    accountnumber: z.string(),
    statecode: z.number().int(),
    createdon: z.string().nullable(),
  })
  .transform(({ '@odata.etag': etag, accountid, accountnumber, statecode, createdon }): NumberedAccount => ({
    accountid,
    accountnumber,
    statecode,
    createdon,
    etag,
  }));

/**
 * Every numbered account, inactive ones too (their numbers are taken as well), in key order, a page at a time: what
 * the upgrade script needs to find the highest number in use and the duplicated ones.
 */
export async function* scanNumberedAccounts(dataverse: AccountSource): AsyncGenerator<NumberedAccount[]> {
  for await (const rows of dataverse.queryAll({
    entitySet: ENTITY_SET,
    select: ['accountid', 'accountnumber', 'statecode', 'createdon', 'versionnumber'],
    filter: 'accountnumber ne null',
    orderby: KEY_ORDER,
    pageSize: SCAN_PAGE_SIZE,
  })) {
    yield parseRows(numberedAccountRowSchema, rows, 'a numbered account');
  }
}

/** Accounts whose Account Number starts with `prefix` and that changed after row version `version`, a page at a time. */
export async function* readNumbersChangedSince(
  dataverse: AccountSource,
  version: string,
  prefix: string,
): AsyncGenerator<{ accountid: string; accountnumber: string }[]> {
  for await (const rows of dataverse.queryAll({
    entitySet: ENTITY_SET,
    select: ['accountid', 'accountnumber'],
    filter: `versionnumber gt ${rowVersion(version)} and startswith(accountnumber,${quoteLiteral(prefix)})`,
    pageSize: SCAN_PAGE_SIZE,
  })) {
    yield parseRows(numberRowSchema, rows, 'an Account Number');
  }
}

const numberRowSchema = z.object({ accountid: accountIdSchema, accountnumber: z.string() });

/** How many active accounts have no Account Number. */
export async function countUnnumberedAccounts(dataverse: AccountSource): Promise<number> {
  let count = 0;
  for await (const rows of dataverse.queryAll({
    entitySet: ENTITY_SET,
    select: ['accountid'],
    filter: `${ACTIVE} and accountnumber eq null`,
    pageSize: SCAN_PAGE_SIZE,
  })) {
    count += rows.length;
  }
  return count;
}

export interface UnnumberedAccount {
  accountid: string;
  etag: string;
}

/**
 * One page of active accounts without an Account Number, in id order after `after` (an explicit keyset position,
 * not a server cursor: the set shrinks as numbers are written, and reading again from the same position after an
 * uncertain write is the recovery the upgrade script wants).
 */
export async function readUnnumberedPage(dataverse: AccountSource, after: string | undefined, pageSize: number): Promise<UnnumberedAccount[]> {
  const page = await dataverse.readPage({
    entitySet: ENTITY_SET,
    select: ['accountid', 'versionnumber'],
    filter: `${ACTIVE} and accountnumber eq null${after !== undefined ? ` and accountid gt ${guid(after)}` : ''}`,
    orderby: 'accountid asc',
    pageSize,
  });
  return parseRows(unnumberedRowSchema, page.rows, 'an unnumbered account');
}

const unnumberedRowSchema = z
  .looseObject({ '@odata.etag': z.string().min(1), accountid: accountIdSchema })
  .transform((row): UnnumberedAccount => ({ accountid: row.accountid, etag: row['@odata.etag'] }));

// ---------------------------------------------------------------------------------------------------------------

/** A row version as written in a filter: digits only, so nothing else can reach the URL. */
function rowVersion(value: string): string {
  if (!/^\d{1,19}$/.test(value)) throw notReadable(`'${value}' is not a row version`);
  return value;
}

function guid(value: string): string {
  if (!accountIdSchema.safeParse(value).success) throw notReadable(`'${value}' is not an account id`);
  return value;
}

function notReadable(message: string): ConnectorError {
  return new ConnectorError(`Dataverse accounts cannot be read: ${message}`, { kind: 'configuration', service: 'dataverse' });
}
