import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountPage, type DataverseHarness, errorOf, page, sampleAccount, startDataverse } from './dataverse-harness';

const DAY = 24 * 3600_000;

describe('Dataverse emulator: change tracking', () => {
  let dv: DataverseHarness;
  let clockOffsetMs = 0;
  beforeAll(async () => {
    dv = await startDataverse({ now: () => new Date(Date.now() + clockOffsetMs), deltaTokenTtlMs: 7 * DAY });
    dv.emulator.store.insertAccounts(Array.from({ length: 30 }, (_, i) => sampleAccount(i + 1)));
  });
  afterAll(async () => dv?.close());

  const tracked = { prefer: 'odata.track-changes, odata.maxpagesize=8' };
  const readAll = async (url: string, headers: Record<string, string> = tracked) => {
    const items: Array<Record<string, unknown>> = [];
    let next: string | undefined = url;
    let last: AccountPage | undefined;
    while (next !== undefined) {
      last = page(await dv.send('GET', next, { headers }));
      items.push(...last.value);
      next = last['@odata.nextLink'];
    }
    return { items, deltaLink: last?.['@odata.deltaLink'] };
  };

  it('returns every row and a delta link; following it returns changes in full and deletions as tombstones', async () => {
    const first = await dv.send('GET', 'accounts?$select=name,accountnumber', { headers: tracked });
    expect(first.headers['preference-applied']?.split(',').sort()).toEqual(['odata.maxpagesize=8', 'odata.track-changes']);
    const initial = await readAll('accounts?$select=name,accountnumber');
    expect(initial.items).toHaveLength(30);
    expect(initial.deltaLink).toMatch(/\$deltatoken=\d+!/);
    expect(initial.deltaLink?.startsWith(`${dv.root}accounts?$select=name%2Caccountnumber&`)).toBe(true);

    const noChanges = page(await dv.send('GET', initial.deltaLink ?? '', { headers: tracked }));
    expect(noChanges.value).toEqual([]);
    expect(noChanges['@odata.context']).toBe(`${dv.root}$metadata#accounts(name,accountnumber)/$delta`);

    const updated = '00000000-0000-4000-8000-000000000003';
    const deleted = '00000000-0000-4000-8000-000000000004';
    const createdAndDeleted = '00000000-0000-4000-8000-000000000999';
    expect((await dv.send('PATCH', `accounts(${updated})`, { body: { name: 'Renamed' } })).status).toBe(204);
    expect((await dv.send('PATCH', `accounts(${updated})`, { body: { name: 'Renamed twice' } })).status).toBe(204);
    expect((await dv.send('DELETE', `accounts(${deleted})`)).status).toBe(204);
    const createdResponse = await dv.send('POST', 'accounts', { body: { name: 'Brand new' } });
    const created = /\(([0-9a-f-]{36})\)$/.exec(createdResponse.headers['odata-entityid'] ?? '')?.[1];
    expect((await dv.send('PATCH', `accounts(${createdAndDeleted})`, { body: { name: 'short-lived' } })).status).toBe(204);
    expect((await dv.send('DELETE', `accounts(${createdAndDeleted})`)).status).toBe(204);

    const changes = await readAll(initial.deltaLink ?? '');
    const byId = new Map(changes.items.map((item) => [String(item['accountid'] ?? item['id']), item]));
    expect(changes.items).toHaveLength(4);
    expect(byId.get(updated)).toMatchObject({ name: 'Renamed twice', accountnumber: 'ACC-00003-TEST01' });
    expect(byId.get(updated)?.['@odata.etag']).toBeDefined();
    expect(byId.get(created ?? '')).toMatchObject({ name: 'Brand new' });
    expect(byId.get(deleted)).toEqual({ '@odata.context': `${dv.root}$metadata#accounts/$deletedEntity`, id: deleted, reason: 'deleted' });
    expect(byId.get(createdAndDeleted)).toMatchObject({ id: createdAndDeleted, reason: 'deleted' });
    expect(changes.deltaLink).not.toBe(initial.deltaLink);

    const after = page(await dv.send('GET', changes.deltaLink ?? '', { headers: tracked }));
    expect(after.value).toEqual([]);
  });

  it('pages a large delta and misses nothing written while paging', async () => {
    const start = await readAll('accounts?$select=name');
    const ids = dv.emulator.store.listAccounts().map((row) => row.accountid);
    for (const id of ids) expect((await dv.send('PATCH', `accounts(${id})`, { body: { description: 'bulk' } })).status).toBe(204);
    const firstPage = page(await dv.send('GET', start.deltaLink ?? '', { headers: tracked }));
    expect(firstPage.value).toHaveLength(8);
    // A row not yet returned changes again while the delta is paged: it moves to the next delta, not lost.
    const lateId = ids[ids.length - 1] ?? '';
    expect((await dv.send('PATCH', `accounts(${lateId})`, { body: { description: 'late' } })).status).toBe(204);
    const rest = await readAll(firstPage['@odata.nextLink'] ?? '');
    const seen = [...firstPage.value, ...rest.items].map((item) => String(item['accountid']));
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(new Set(ids.filter((id) => id !== lateId)));
    const next = await readAll(rest.deltaLink ?? '');
    expect(next.items.map((item) => item['accountid'])).toEqual([lateId]);
  });

  it('rejects $filter, $orderby, $expand and $top together with track-changes, and with a delta token', async () => {
    const start = await readAll('accounts?$select=name');
    for (const option of ['$filter=statecode eq 0', '$orderby=name', '$expand=primarycontactid', '$top=5']) {
      const initial = await dv.send('GET', `accounts?$select=name&${option}`, { headers: tracked });
      expect(initial.status).toBe(400);
      expect(errorOf(initial).code).toBe('0x80060888');
      const delta = await dv.send('GET', `${start.deltaLink ?? ''}&${option}`, { headers: tracked });
      expect(delta.status).toBe(400);
    }
  });

  it('reproduces the rowversion race: a slow transaction commits a version below the highest one already seen', async () => {
    const [slowId, otherId] = dv.emulator.store.listAccounts().map((row) => row.accountid);
    const start = await readAll('accounts?$select=name');
    // The slow transaction takes its row version first ...
    const late = await dv.send('POST', `${dv.origin}/_admin/dataverse/accounts/${slowId}/late-update`, { body: { values: { name: 'Slow writer' }, commitAfterMs: 200 } });
    expect(late.status).toBe(202);
    const lateVersion = (late.json as { version: number }).version;
    // ... another write commits meanwhile, and a reader notes the highest version it can see.
    expect((await dv.send('PATCH', `accounts(${otherId})`, { body: { name: 'Fast writer' } })).status).toBe(204);
    expect((await dv.send('GET', `accounts(${slowId})?$select=name`)).json).not.toMatchObject({ name: 'Slow writer' });
    const highest = page(await dv.send('GET', 'accounts?$select=versionnumber&$orderby=versionnumber desc&$top=1')).value[0]?.['versionnumber'];
    expect(highest).toBeGreaterThan(lateVersion);
    await new Promise((resolve) => setTimeout(resolve, 400));

    const committed = (await dv.send('GET', `accounts(${slowId})?$select=name,versionnumber`)).json;
    expect(committed).toMatchObject({ name: 'Slow writer', versionnumber: lateVersion });
    // The watermark method misses the committed change for good ...
    const byVersion = page(await dv.send('GET', `accounts?$select=name&$filter=versionnumber gt ${String(highest)}`));
    expect(byVersion.value).toEqual([]);
    // ... change tracking delivers it, after the fast write, because it follows commits.
    const changes = await readAll(start.deltaLink ?? '');
    expect(changes.items.map((item) => [item['accountid'], item['name']])).toEqual([
      [otherId, 'Fast writer'],
      [slowId, 'Slow writer'],
    ]);
    expect(page(await dv.send('GET', changes.deltaLink ?? '', { headers: tracked })).value).toEqual([]);
  });

  it('refuses a malformed or future delta token', async () => {
    expect((await dv.send('GET', 'accounts?$select=name&$deltatoken=nonsense')).status).toBe(400);
    const future = `${dv.emulator.store.maxVersion() + 100}!01/01/2030 00:00:00`;
    expect((await dv.send('GET', `accounts?$select=name&$deltatoken=${encodeURIComponent(future)}`)).status).toBe(400);
  });

  it('expires tokens after the configured time: the client must read everything again', async () => {
    const start = await readAll('accounts?$select=name');
    clockOffsetMs = 6 * DAY;
    expect((await dv.send('GET', start.deltaLink ?? '', { headers: tracked })).status).toBe(200);
    clockOffsetMs = 7 * DAY + 60_000;
    const expired = await dv.send('GET', start.deltaLink ?? '', { headers: tracked });
    expect(expired.status).toBe(400);
    expect(errorOf(expired)).toEqual({ code: '0x80044352', message: 'Version stamp associated with the client has expired. Please perform a full sync.' });
    const fresh = await readAll('accounts?$select=name');
    expect(fresh.items.length).toBe(dv.emulator.store.accountCount());
    clockOffsetMs = 0;
  });
});

describe('Dataverse emulator: the table setting "Track changes"', () => {
  let on: DataverseHarness;
  let off: DataverseHarness;
  beforeAll(async () => {
    [on, off] = await Promise.all([startDataverse(), startDataverse({ changeTrackingEnabled: false })]);
    for (const dv of [on, off]) dv.emulator.store.insertAccounts([sampleAccount(1), sampleAccount(2)]);
  });
  afterAll(async () => {
    await on?.close();
    await off?.close();
  });

  it('is read from EntityDefinitions(LogicalName=\'account\'), as Microsoft documents', async () => {
    const enabled = await on.send('GET', "EntityDefinitions(LogicalName='account')?$select=ChangeTrackingEnabled");
    expect(enabled.status).toBe(200);
    expect(enabled.json).toMatchObject({ ChangeTrackingEnabled: true, MetadataId: expect.any(String) });
    const disabled = await off.send('GET', "EntityDefinitions(LogicalName='account')?$select=ChangeTrackingEnabled");
    expect(disabled.json).toMatchObject({ ChangeTrackingEnabled: false });
    expect((await on.send('GET', "EntityDefinitions(LogicalName='contact')")).status).toBe(404);
    expect((await on.send('GET', "EntityDefinitions(LogicalName='account')?$select=NoSuchThing")).status).toBe(400);
  });

  it('gives no delta link when the table does not track changes', async () => {
    const tracked = await off.send('GET', 'accounts?$select=name', { headers: { prefer: 'odata.track-changes' } });
    expect(tracked.status).toBe(200);
    expect(page(tracked).value).toHaveLength(2);
    expect(page(tracked)['@odata.deltaLink']).toBeUndefined();
    expect(tracked.headers['preference-applied']).toBeUndefined();
  });
});
