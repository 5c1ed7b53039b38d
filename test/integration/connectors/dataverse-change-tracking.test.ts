import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChangeTrackingRead, DataverseClient } from '../../../src/connectors/dataverse-client';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import { TokenProvider } from '../../../src/connectors/token-provider';
import { type ConnectorEmulators, startConnectorEmulators } from './emulator-fixture';

const ACCOUNTS = 23;

function clientOf(env: ConnectorEmulators): DataverseClient {
  const tokens = new TokenProvider({ ...env.dataverse, resource: env.dataverse.url, http: env.http });
  return new DataverseClient({ connection: env.dataverse, http: env.http, tokens, gate: new ThrottleGate({ service: 'dataverse' }) });
}

function page(read: ChangeTrackingRead) {
  if (read.expired) throw new Error(`unexpected expiry: ${read.reason}`);
  return read;
}

/** Follows next links to the end of one change-tracking read; returns the changes and the closing delta link. */
async function readToEnd(client: DataverseClient, first: ChangeTrackingRead) {
  let current = page(first);
  const changed = [...current.changed];
  const removed = [...current.removed];
  let pages = 1;
  while (current.nextLink !== undefined) {
    current = page(await client.readChanges({ link: current.nextLink, primaryKey: 'accountid', pageSize: 5 }));
    changed.push(...current.changed);
    removed.push(...current.removed);
    pages += 1;
  }
  return { changed, removed, pages, deltaLink: current.deltaLink };
}

describe('DataverseClient change tracking', () => {
  let env: ConnectorEmulators;
  let client: DataverseClient;
  beforeAll(async () => {
    env = await startConnectorEmulators({ generate: { count: ACCOUNTS, seed: 5 } });
    client = clientOf(env);
  });
  afterAll(async () => env?.close());

  it('reads every row, then exactly the rows changed and removed since, with a new delta link each time', async () => {
    expect(await client.tracksChanges('account')).toBe(true);
    const initial = await readToEnd(client, await client.readChanges({ entitySet: 'accounts', primaryKey: 'accountid', select: ['name', 'statecode'], pageSize: 5 }));
    expect(initial.changed).toHaveLength(ACCOUNTS);
    expect(initial.pages).toBe(5);
    expect(initial.removed).toEqual([]);
    expect(initial.deltaLink).toBeDefined();

    const [edited, deactivated, deleted] = env.emulators.dataverse.store.listAccounts().map((row) => row.accountid);
    const store = env.emulators.dataverse.store;
    store.updateAccount(edited as string, { name: 'Edited name' });
    store.updateAccount(deactivated as string, { statecode: 1 });
    store.deleteAccount(deleted as string);

    const delta = await readToEnd(client, await client.readChanges({ link: initial.deltaLink as string, primaryKey: 'accountid', pageSize: 5 }));
    expect(delta.changed.map((row) => [row['accountid'], row['name'] === 'Edited name', row['statecode']]).sort()).toEqual(
      [
        [edited, true, 0],
        [deactivated, false, 1],
      ].sort(),
    );
    expect(delta.removed).toEqual([deleted]);
    expect(delta.deltaLink).not.toBe(initial.deltaLink);

    const quiet = await readToEnd(client, await client.readChanges({ link: delta.deltaLink as string, primaryKey: 'accountid' }));
    expect(quiet).toMatchObject({ changed: [], removed: [], pages: 1 });
  });

  it('answers an expired delta link as expired (the caller reads everything again), not as an error', async () => {
    const initial = await readToEnd(client, await client.readChanges({ entitySet: 'accounts', primaryKey: 'accountid', select: ['name'] }));
    // The service's token is `<version>!<issued at>`: one issued long ago is past its lifetime.
    const old = (initial.deltaLink as string).replace(/(\$deltatoken=\d+)(!|%21)[^&]*/, '$1$208%2F01%2F2020%2000%3A00%3A00');
    expect(old).not.toBe(initial.deltaLink);
    const read = await client.readChanges({ link: old, primaryKey: 'accountid' });
    expect(read).toEqual({ expired: true, reason: expect.stringContaining('Version stamp associated with the client has expired') });
  });
});

describe('DataverseClient change tracking on a table that does not track changes', () => {
  let env: ConnectorEmulators;
  beforeAll(async () => {
    env = await startConnectorEmulators({ generate: { count: 3, seed: 5 }, dataverse: { changeTrackingEnabled: false } });
  });
  afterAll(async () => env?.close());

  it('reports the table setting and gets no delta link', async () => {
    const client = clientOf(env);
    expect(await client.tracksChanges('account')).toBe(false);
    const read = page(await client.readChanges({ entitySet: 'accounts', primaryKey: 'accountid', select: ['name'] }));
    expect(read.changed).toHaveLength(3);
    expect(read.deltaLink).toBeUndefined();
  });
});
