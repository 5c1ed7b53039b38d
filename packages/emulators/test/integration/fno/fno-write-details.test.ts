import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBatchRequest } from '@p2c-sync/odata-wire';
import { customer, field, type FnoServer, innerMessage, keyPath, rowsOf, startFno } from './fno-server';

// Details of CustomersV2 writes, reads and throttling that docs/fidelity.md lists and the other F&O tests do not pin.

let fno: FnoServer | undefined;

afterEach(async () => {
  await fno?.close();
  fno = undefined;
});

describe('F&O CustomersV2: write, format and throttling details', () => {
  it('answers PATCH with Prefer: return=representation with 200 and the entity', async () => {
    const server = (fno = await startFno());
    expect((await server.call('POST', '/data/CustomersV2', { body: customer('REP-1') })).status).toBe(201);
    const patched = await server.call('PATCH', keyPath('usmf', 'REP-1'), {
      body: { OrganizationName: 'Represented' },
      headers: { prefer: 'return=representation' },
    });
    expect(patched.status).toBe(200);
    expect(patched.headers['preference-applied']).toBe('return=representation');
    expect(patched.json).toMatchObject({
      '@odata.context': `${server.url}/data/$metadata#CustomersV2/$entity`,
      CustomerAccount: 'REP-1',
      OrganizationName: 'Represented',
    });
    expect(patched.headers.etag).toBe(field(patched, '@odata.etag'));
  });

  it('checks If-Match on DELETE: a stale ETag is 412 and deletes nothing, the current one or * deletes', async () => {
    const server = (fno = await startFno());
    const created = await server.call('POST', '/data/CustomersV2', { body: customer('DEL-1') });
    const firstEtag = String(field(created, '@odata.etag'));
    expect((await server.call('PATCH', keyPath('usmf', 'DEL-1'), { body: { NameAlias: 'moved' } })).status).toBe(204);
    const stale = await server.call('DELETE', keyPath('usmf', 'DEL-1'), { headers: { 'if-match': firstEtag } });
    expect(stale.status).toBe(412);
    expect(server.emulator.store.get('usmf', 'DEL-1')).toBeDefined();
    const current = String(field(await server.call('GET', keyPath('usmf', 'DEL-1')), '@odata.etag'));
    expect((await server.call('DELETE', keyPath('usmf', 'DEL-1'), { headers: { 'if-match': current } })).status).toBe(204);
    await server.call('POST', '/data/CustomersV2', { body: customer('DEL-2') });
    expect((await server.call('DELETE', keyPath('usmf', 'DEL-2'), { headers: { 'if-match': '*' } })).status).toBe(204);
  });

  it('reads unset fields as F&O does: empty strings, the first enum member, CreditLimit 0', async () => {
    const server = (fno = await startFno());
    const created = await server.call('POST', '/data/CustomersV2', {
      body: { CustomerAccount: 'MIN-1', CustomerGroupId: '10', SalesCurrencyCode: 'USD' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      dataAreaId: 'usmf',
      PartyType: 'Organization',
      IsExternallyMaintained: 'No',
      CreditLimit: 0,
      AddressCity: '',
      AddressState: '',
      PrimaryContactEmail: '',
    });
  });

  it('takes $format=json (and the JSON media type) and refuses other formats', async () => {
    const server = (fno = await startFno());
    await server.call('POST', '/data/CustomersV2', { body: customer('FMT-1') });
    for (const format of ['json', encodeURIComponent('application/json;odata.metadata=minimal')]) {
      const answer = await server.call('GET', `/data/CustomersV2?$format=${format}&$select=CustomerAccount`);
      expect(answer.status, format).toBe(200);
      expect(rowsOf(answer).map((row) => row.CustomerAccount)).toEqual(['FMT-1']);
    }
    expect((await server.call('GET', '/data/CustomersV2?$format=xml')).status).toBe(400);
  });

  it('puts the query with $skip (and what is left of $top) moved on into @odata.nextLink, and lists its sets at /data', async () => {
    const server = (fno = await startFno({ maxPageSize: 2 }));
    for (const account of ['NL-1', 'NL-2', 'NL-3', 'NL-4']) await server.call('POST', '/data/CustomersV2', { body: customer(account) });
    const first = await server.call('GET', '/data/CustomersV2?$select=CustomerAccount&$top=3');
    const next = new URL(String(field(first, '@odata.nextLink')));
    expect(`${next.origin}${next.pathname}`).toBe(`${server.url}/data/CustomersV2`);
    expect([...next.searchParams]).toEqual([
      ['$select', 'CustomerAccount'],
      ['$top', '1'],
      ['$skip', '2'],
    ]);
    const second = await server.call('GET', String(field(first, '@odata.nextLink')).replace(server.url, ''));
    expect(rowsOf(second).map((row) => row.CustomerAccount)).toEqual(['NL-3']);
    expect(field(second, '@odata.nextLink')).toBeUndefined();
    const root = await server.call('GET', '/data');
    expect(rowsOf(root)).toContainEqual({ name: 'CustomersV2', kind: 'EntitySet', url: 'CustomersV2' });
  });

  it('declares PartyType as a string, as real CustomersV2 metadata does, still taking only party type names', async () => {
    const server = (fno = await startFno());
    const metadata = await server.call('GET', '/data/$metadata');
    expect(metadata.text).toContain('<Property Name="PartyType" Type="Edm.String"/>');
    await server.call('POST', '/data/CustomersV2', { body: customer('PT-1', { PartyType: 'Organization' }) });
    const byType = await server.call('GET', `/data/CustomersV2?$select=CustomerAccount&$filter=${encodeURIComponent("PartyType eq 'Organization'")}`);
    expect(rowsOf(byType).map((row) => row.CustomerAccount)).toEqual(['PT-1']);
    const other = await server.call('GET', `/data/CustomersV2?$select=CustomerAccount&$filter=${encodeURIComponent("PartyType eq 'Team'")}`);
    expect(rowsOf(other)).toEqual([]);
    const refused = await server.call('POST', '/data/CustomersV2', { body: customer('PT-2', { PartyType: 'Team' }) });
    expect(refused.status).toBe(500);
    expect(innerMessage(refused)).toContain("The value 'Team' in field 'Party type' is not valid.");
  });

  it('refuses a whole $batch with 429 and Retry-After when the request budget is already spent', async () => {
    const server = (fno = await startFno({ limits: { requestBudget: 1, budgetWindowMs: 60_000 } }));
    expect((await server.call('GET', '/data/CustomerGroups?$top=1')).status).toBe(200);
    const { contentType, body } = encodeBatchRequest([{ method: 'POST', url: 'CustomersV2', body: customer('B-1') }]);
    const refused = await request(`${server.url}/data/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token()}`, 'content-type': contentType },
      body,
    });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await refused.body.json()).toMatchObject({ error: { message: expect.stringContaining('throttled') } });
    expect(server.emulator.store.size).toBe(0);
  });
});
