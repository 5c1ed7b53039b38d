import { DynamicsWebApi, type RequestError } from 'dynamics-web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataverseHarness, sampleAccount, startDataverse } from './dataverse-harness';

/**
 * A third-party client written against the real Dataverse Web API pages, filters, tracks changes and writes
 * through the emulator unmodified: only its server URL and token callback point here.
 */
describe('Dataverse emulator through the dynamics-web-api client', () => {
  let dv: DataverseHarness;
  let client: DynamicsWebApi;
  let tokenRequests = 0;
  beforeAll(async () => {
    dv = await startDataverse();
    dv.emulator.store.insertAccounts(Array.from({ length: 45 }, (_, i) => sampleAccount(i + 1)));
    client = new DynamicsWebApi({
      serverUrl: `${dv.origin}/`,
      dataApi: { version: '9.2' },
      // Refusals arrive as errors (status, code) rather than the legacy `false`/`null` results.
      propagateErrors: true,
      onTokenRefresh: async () => {
        tokenRequests += 1;
        return dv.token();
      },
    });
  });
  afterAll(async () => dv?.close());

  type Account = { accountid: string; name: string; accountnumber: string; statecode: number; '@odata.etag': string };

  it('pages with maxPageSize and nextLink, filtering and ordering', async () => {
    const first = await client.retrieveMultiple<Account>({
      collection: 'accounts',
      select: ['name', 'accountnumber'],
      filter: "statecode eq 0 and accountnumber gt 'ACC-00010'",
      orderBy: ['accountnumber desc'],
      maxPageSize: 10,
      count: true,
    });
    expect(first.value).toHaveLength(10);
    expect(first['@odata.count']).toBe(28);
    expect(first.value[0]?.accountnumber).toBe('ACC-00044-TEST01');
    const next = first.oDataNextLink ?? first['@odata.nextLink'];
    expect(next).toBeDefined();
    // As against the real service, the page size is a preference of each request, the next link's one included.
    const second = await client.retrieveMultiple<Account>({ collection: 'accounts', maxPageSize: 10 }, next);
    expect(second.value).toHaveLength(10);
    expect((second.value[0]?.accountnumber ?? '') < (first.value[9]?.accountnumber ?? '')).toBe(true);
    expect(tokenRequests).toBeGreaterThan(0);
  });

  it('reads everything with retrieveAll across pages', async () => {
    const all = await client.retrieveAll<Account>({ collection: 'accounts', select: ['name'], maxPageSize: 7 });
    expect(all.value).toHaveLength(45);
    expect(new Set(all.value.map((row) => row.accountid)).size).toBe(45);
  });

  it('creates, retrieves, updates with If-Match and sees 412 when stale', async () => {
    const id = await client.create<{ name: string }, string>({ collection: 'accounts', data: { name: 'Created by dynamics-web-api' } });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const created = await client.retrieve<Account>({ collection: 'accounts', key: id, select: ['name', 'accountnumber'] });
    expect(created.accountnumber).toMatch(/^ACC-\d{5}-[A-Z0-9]{6}$/);
    const etag = created['@odata.etag'];
    await client.update({ collection: 'accounts', key: id, data: { telephone1: '+1 555 0123' }, ifmatch: etag });
    const error = (await client
      .update({ collection: 'accounts', key: id, data: { telephone1: '+1 555 0124' }, ifmatch: etag })
      .then(() => undefined, (caught: unknown) => caught)) as RequestError | undefined;
    expect(error?.status).toBe(412);
    expect(error?.code).toBe('0x80060882');
    expect(dv.emulator.store.getAccount(id)?.telephone1).toBe('+1 555 0123');
  });

  it('reports a validation error from the service with its code', async () => {
    const error = (await client
      .create({ collection: 'accounts', data: { name: 'x', accountnumber: 'A'.repeat(21) } })
      .then(() => undefined, (caught: unknown) => caught)) as RequestError;
    expect(error.status).toBe(400);
    expect(error.code).toBe('0x80044331');
  });

  it('tracks changes: a delta link from retrieveAll, then only what changed', async () => {
    const initial = await client.retrieveAll<Account>({ collection: 'accounts', select: ['name'], trackChanges: true, maxPageSize: 20 });
    expect(initial.oDataDeltaLink).toContain('$deltatoken=');
    await client.update({ collection: 'accounts', key: '00000000-0000-4000-8000-000000000007', data: { name: 'Changed' } });
    const delta = await client.retrieveMultiple<Account>({ collection: 'accounts' }, initial.oDataDeltaLink);
    expect(delta.value.map((row) => row.name)).toEqual(['Changed']);
  });

  it('runs a batch with a change set', async () => {
    client.startBatch();
    // Between startBatch and executeBatch the calls only queue requests; their results come from executeBatch.
    void client.update({ collection: 'accounts', key: '00000000-0000-4000-8000-000000000001', data: { fax: 'batch-1' } });
    void client.update({ collection: 'accounts', key: '00000000-0000-4000-8000-000000000002', data: { fax: 'batch-2' } });
    void client.retrieve({ collection: 'accounts', key: '00000000-0000-4000-8000-000000000003', select: ['name'] });
    const responses = await client.executeBatch();
    expect(responses).toHaveLength(3);
    expect((responses[2] as Account).name).toBe('Account 0003');
    expect(dv.emulator.store.getAccount('00000000-0000-4000-8000-000000000001')?.fax).toBe('batch-1');
    expect(dv.emulator.store.getAccount('00000000-0000-4000-8000-000000000002')?.fax).toBe('batch-2');
  });

  it('upserts create-only with If-None-Match', async () => {
    const key = '00000000-0000-4000-8000-00000000f00d';
    await client.upsert({ collection: 'accounts', key, data: { name: 'Upserted' }, ifnonematch: '*' });
    expect(dv.emulator.store.getAccount(key)?.name).toBe('Upserted');
    const again = (await client
      .upsert({ collection: 'accounts', key, data: { name: 'Twice' }, ifnonematch: '*' })
      .then(() => undefined, (caught: unknown) => caught)) as RequestError | undefined;
    expect(again?.status).toBe(412);
    expect(dv.emulator.store.getAccount(key)?.name).toBe('Upserted');
  });
});
