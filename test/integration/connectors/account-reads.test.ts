import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountDeltaPage,
  countUnnumberedAccounts,
  readAccountKeysByIds,
  readHighestVersion,
  readNumbersChangedSince,
  readUnitAccountIdsMatching,
  readUnitAccounts,
  readUnnumberedPage,
  readAccountDelta,
  readActiveAccountNumbersAmong,
  scanAccountKeys,
  scanActiveAccountNumbers,
  scanNumberedAccounts,
  tryAccountFilter,
} from '../../../src/connectors/account-reads';
import { DataverseClient } from '../../../src/connectors/dataverse-client';
import { ConnectorError } from '../../../src/connectors/errors';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import { TokenProvider } from '../../../src/connectors/token-provider';
import { businessUnitIds, currencyIdOf } from '@p2c-sync/emulators';
import type { AccountInput } from '@p2c-sync/emulators';
import { type ConnectorEmulators, rejectionOf, startConnectorEmulators } from './emulator-fixture';

// The typed account reads against the Dataverse emulator over real HTTP: each read's filter, order, key slicing and
// row parsing. Accounts are written out here; expectations are literal.

function id(index: number): string {
  return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
}

function account(index: number, accountnumber: string | null, name: string, statecode = 0): AccountInput {
  return {
    accountid: id(index),
    accountnumber,
    name,
    _transactioncurrencyid_value: currencyIdOf('USD'),
    _owningbusinessunit_value: businessUnitIds.usmf,
    statecode,
  };
}

const KELVIN = '\u212a-KELVIN';
/** Accounts S-001 … S-120, more than two slices of keys. */
const SLICED = Array.from({ length: 120 }, (_, i) => account(100 + i, `S-${String(i + 1).padStart(3, '0')}`, `Sliced ${i + 1}`));

let env: ConnectorEmulators;
let client: DataverseClient;

beforeAll(async () => {
  env = await startConnectorEmulators();
  const tokens = new TokenProvider({ ...env.dataverse, resource: env.dataverse.url, http: env.http });
  client = new DataverseClient({ connection: env.dataverse, http: env.http, tokens, gate: new ThrottleGate({ service: 'dataverse' }) });
  env.emulators.dataverse.store.insertAccounts([
    account(1, 'A-1', 'Alpha'),
    account(2, 'A-2', 'Beta'),
    account(3, 'A-3', 'Gamma one'),
    account(4, 'A-3', 'Gamma two'),
    account(5, 'A-4', 'Delta'),
    account(6, 'A-5', 'Inactive', 1),
    account(7, 'K-KELVIN', 'Plain K'),
    account(8, KELVIN, 'Kelvin sign'),
    account(9, null, 'Unnumbered one'),
    account(10, null, 'Unnumbered two'),
    account(11, null, 'Unnumbered inactive', 1),
    account(12, 'ACC-00042-ABCDEF', 'Numbered by the script'),
    ...SLICED,
  ]);
});

afterAll(async () => env?.close());

const gets = () => env.emulators.dataverse.admin.counters.snapshot().requests.byMethodAndStatus['GET 200'] ?? 0;

async function all<T>(pages: AsyncGenerator<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for await (const page of pages) rows.push(...page);
  return rows;
}

async function unitAccounts(unit: Parameters<typeof readUnitAccounts>[1]) {
  const accounts: [string | null, string | null][] = [];
  let unreadable = 0;
  for await (const page of readUnitAccounts(client, unit)) {
    accounts.push(...page.accounts.map((a): [string | null, string | null] => [a.accountnumber, a.name]));
    unreadable += page.unreadable.length;
  }
  return { accounts, unreadable };
}

describe("a unit's accounts", () => {
  it('a range (after, upTo]: active accounts only, every account of a shared number, in key order', async () => {
    expect(await unitAccounts({ kind: 'range', after: 'A-1', upTo: 'A-5', expected: 4 })).toEqual({
      accounts: [
        ['A-2', 'Beta'],
        ['A-3', 'Gamma one'],
        ['A-3', 'Gamma two'],
        ['A-4', 'Delta'],
      ],
      unreadable: 0,
    });
  });

  it('a key list leaves out look-alikes of its keys unless it lists them by id, and reads an account once', async () => {
    expect((await unitAccounts({ kind: 'keys', keys: ['K-KELVIN', 'A-4'] })).accounts).toEqual([
      ['A-4', 'Delta'],
      ['K-KELVIN', 'Plain K'],
    ]);
    // Listed by id and matched by number too: once.
    expect((await unitAccounts({ kind: 'keys', keys: ['K-KELVIN'], accountIds: [id(8), id(7)] })).accounts).toEqual([
      ['K-KELVIN', 'Plain K'],
      [KELVIN, 'Kelvin sign'],
    ]);
  });

  it('a long key list is read in slices of 50 keys', async () => {
    const before = gets();
    const { accounts } = await unitAccounts({ kind: 'keys', keys: SLICED.map((a) => a.accountnumber as string) });
    expect(accounts).toHaveLength(120);
    expect(accounts[0]).toEqual(['S-001', 'Sliced 1']);
    expect(accounts[119]).toEqual(['S-120', 'Sliced 120']);
    expect(gets() - before).toBe(3);
  });

  it('parses every column the sync maps', async () => {
    const pages = [];
    for await (const page of readUnitAccounts(client, { kind: 'range', after: 'A-3', upTo: 'A-4', expected: 1 })) pages.push(page);
    expect(pages).toHaveLength(1);
    const [delta] = pages[0]?.accounts ?? [];
    expect(delta).toMatchObject({ accountid: id(5), accountnumber: 'A-4', name: 'Delta', statecode: 0, creditlimit: null, _owningbusinessunit_value: businessUnitIds.usmf });
    expect(delta?.['@odata.etag']).toMatch(/^W\/"\d+"$/);
  });

  it("ids of a unit's accounts that match an operator's filter, in lower case", async () => {
    const ids = await readUnitAccountIdsMatching(client, { kind: 'range', after: null, upTo: 'A-4', expected: 5 }, "startswith(name,'Gamma') or name eq 'Alpha'");
    expect([...ids].sort()).toEqual([id(1), id(3), id(4)]);
  });

  it('a filter Dataverse refuses throws its answer, classified', async () => {
    await expect(tryAccountFilter(client, "name eq 'Alpha'")).resolves.toBeUndefined();
    const error = await rejectionOf(tryAccountFilter(client, 'nosuchcolumn eq 1'));
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: 'configuration', service: 'dataverse', status: 400 });
  });
});

describe('key scans', () => {
  it('Account Numbers of active, numbered accounts in key order after a cursor, keys only', async () => {
    const keys = await all(scanAccountKeys(client, { after: 'A-2', withIds: false, pageSize: 50 }));
    expect(keys.slice(0, 5)).toEqual([{ accountNumber: 'A-3' }, { accountNumber: 'A-3' }, { accountNumber: 'A-4' }, { accountNumber: 'ACC-00042-ABCDEF' }, { accountNumber: 'K-KELVIN' }]);
    expect(keys.map((k) => k.accountNumber)).toContain(KELVIN);
    expect(keys).toHaveLength(5 + 1 + 120);
  });

  it('changed since a row version, with ids', async () => {
    const version = await readHighestVersion(client);
    env.emulators.dataverse.store.updateAccount(id(2), { name: 'Beta changed' });
    env.emulators.dataverse.store.updateAccount(id(6), { name: 'Inactive changed' });
    const keys = await all(scanAccountKeys(client, { after: null, changedSince: { kind: 'version', value: version }, withIds: true, pageSize: 50 }));
    expect(keys).toEqual([{ accountNumber: 'A-2', accountId: id(2) }]);
  });

  it('a watermark that is not a row version never reaches the URL', async () => {
    const before = gets();
    const error = await rejectionOf(all(scanAccountKeys(client, { after: null, changedSince: { kind: 'version', value: '1 or true' }, withIds: true, pageSize: 50 })));
    expect(error).toMatchObject({ kind: 'configuration', message: expect.stringContaining("'1 or true' is not a row version") });
    expect(gets()).toBe(before);
  });

  it('the current numbers of selected accounts: active and numbered ones only', async () => {
    const keys = await all(readAccountKeysByIds(client, [id(1), id(6), id(9), id(8)], 50));
    expect(keys.sort((a, b) => a.accountId.localeCompare(b.accountId))).toEqual([
      { accountNumber: 'A-1', accountId: id(1) },
      { accountNumber: KELVIN, accountId: id(8) },
    ]);
  });
});

describe('Account Numbers carried by active accounts (holds)', () => {
  it('every one, and those among given numbers (as Dataverse compares them)', async () => {
    const numbers = await all(scanActiveAccountNumbers(client));
    expect(numbers).toHaveLength(5 + 1 + 1 + 1 + 120);
    expect(numbers).not.toContain('A-5');
    const among = await all(readActiveAccountNumbersAmong(client, ['A-1', 'A-5', 'NOT-THERE', 'a-3']));
    expect(among.sort()).toEqual(['A-1', 'A-3', 'A-3']);
  });
});

describe('the account delta', () => {
  /** Follows a delta read to its end: every page's rows, and the closing delta link. */
  async function toEnd(first: AccountDeltaPage) {
    let page = first;
    const changed = [];
    const removed = [];
    for (let pages = 0; pages < 100; pages += 1) {
      if (page.expired) return { expired: page.reason };
      changed.push(...page.changed);
      removed.push(...page.removed);
      if (page.nextLink === undefined) return { changed, removed, deltaLink: page.deltaLink };
      page = await readAccountDelta(client, { link: page.nextLink }, 50);
    }
    throw new Error('the delta did not end');
  }

  it('starts with every account (tracked columns only), then gives exactly the edits, deactivations and deletions', async () => {
    const start = await toEnd(await readAccountDelta(client, { start: true }, 50));
    expect(start.changed).toHaveLength(12 + 120);
    expect(start.changed?.find((row) => row.accountid === id(9))).toEqual({ accountid: id(9), accountnumber: null, statecode: 0 });
    const store = env.emulators.dataverse.store;
    store.updateAccount(id(3), { accountnumber: 'A-3B' });
    store.updateAccount(id(5), { statecode: 1 });
    store.deleteAccount(id(10));
    const delta = await toEnd(await readAccountDelta(client, { link: start.deltaLink as string }, 50));
    expect(delta.changed?.sort((a, b) => a.accountid.localeCompare(b.accountid))).toEqual([
      { accountid: id(3), accountnumber: 'A-3B', statecode: 0 },
      { accountid: id(5), accountnumber: 'A-4', statecode: 1 },
    ]);
    expect(delta.removed).toEqual([id(10)]);
    store.updateAccount(id(3), { accountnumber: 'A-3' });
    store.updateAccount(id(5), { statecode: 0 });
    store.insertAccount(account(10, null, 'Unnumbered two'));
  });

  it('a link started with other columns cannot tell deactivations apart: expired', async () => {
    let read = await client.readChanges({ entitySet: 'accounts', primaryKey: 'accountid', select: ['name'], pageSize: 5000 });
    while (!read.expired && read.nextLink !== undefined) read = await client.readChanges({ link: read.nextLink, primaryKey: 'accountid', pageSize: 5000 });
    if (read.expired || read.deltaLink === undefined) throw new Error('no delta link');
    env.emulators.dataverse.store.updateAccount(id(2), { name: 'Beta once more' });
    expect(await readAccountDelta(client, { link: read.deltaLink }, 50)).toEqual({
      expired: true,
      reason: 'the delta link does not carry accountid, accountnumber, statecode for each account (it was started with another $select)',
    });
  });
});

describe('row versions and the upgrade script', () => {
  it('the highest row version is the highest of any account, and moves with every write', async () => {
    const highest = () => Math.max(...env.emulators.dataverse.store.listAccounts().map((a) => a.versionnumber));
    expect(await readHighestVersion(client)).toBe(String(highest()));
    env.emulators.dataverse.store.updateAccount(id(1), { name: 'Alpha again' });
    expect(await readHighestVersion(client)).toBe(String(highest()));
  });

  it('numbered accounts, inactive ones too, with their state, creation time and etag', async () => {
    const rows = (await all(scanNumberedAccounts(client))).filter((row) => row.accountnumber.startsWith('A-'));
    expect(rows.map((row) => [row.accountnumber, row.accountid, row.statecode])).toEqual([
      ['A-1', id(1), 0],
      ['A-2', id(2), 0],
      ['A-3', id(3), 0],
      ['A-3', id(4), 0],
      ['A-4', id(5), 0],
      ['A-5', id(6), 1],
    ]);
    for (const row of rows) {
      expect(row.etag).toMatch(/^W\/"\d+"$/);
      expect(row.createdon).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
  });

  it('numbers with a prefix written after a row version', async () => {
    const version = await readHighestVersion(client);
    expect(await all(readNumbersChangedSince(client, version, 'ACC-'))).toEqual([]);
    env.emulators.dataverse.store.updateAccount(id(12), { name: 'Renamed' });
    env.emulators.dataverse.store.updateAccount(id(5), { name: 'Not ACC' });
    expect(await all(readNumbersChangedSince(client, version, 'ACC-'))).toEqual([{ accountid: id(12), accountnumber: 'ACC-00042-ABCDEF' }]);
  });

  it('unnumbered active accounts: counted, and paged in id order from a keyset position', async () => {
    expect(await countUnnumberedAccounts(client)).toBe(2);
    const first = await readUnnumberedPage(client, undefined, 1);
    expect(first.map((row) => row.accountid)).toEqual([id(9)]);
    expect(first[0]?.etag).toMatch(/^W\/"\d+"$/);
    expect((await readUnnumberedPage(client, id(9), 1)).map((row) => row.accountid)).toEqual([id(10)]);
    expect(await readUnnumberedPage(client, id(10), 1)).toEqual([]);
  });
});
