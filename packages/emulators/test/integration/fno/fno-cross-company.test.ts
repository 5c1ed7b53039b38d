import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type BatchRequestItem, decodeBatchResponse, encodeBatchRequest } from '@p2c-sync/odata-wire';
import { customer, type FnoServer, keyPath, startFno } from './fno-server';

// F&O: without `cross-company=true` a request sees only the caller's default company; an update or delete by key of
// a record in another company is answered "not found" (learn.microsoft.com …/data-entities/odata; see
// docs/fidelity.md), inside `$batch` too.
let fno: FnoServer | undefined;

afterEach(async () => {
  await fno?.close();
  fno = undefined;
});

const NOT_FOUND = { error: { code: '', message: "Resource not found for the segment 'CustomersV2'." } };

async function withCustomers(defaultCompany?: string): Promise<FnoServer> {
  const server = await startFno(defaultCompany ? { defaultCompany } : {});
  server.emulator.store.insert(customer('US-1') as never);
  server.emulator.store.insert(customer('DE-1', { dataAreaId: 'demf', SalesCurrencyCode: 'EUR' }) as never);
  server.emulator.store.insert(customer('DE-2', { dataAreaId: 'demf', SalesCurrencyCode: 'EUR' }) as never);
  return server;
}

async function batch(server: FnoServer, items: BatchRequestItem[]) {
  const { contentType, body } = encodeBatchRequest(items);
  const response = await request(`${server.url}/data/$batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token()}`, 'content-type': contentType, prefer: 'odata.continue-on-error' },
    body,
  });
  const text = await response.body.text();
  expect(response.statusCode).toBe(200);
  return decodeBatchResponse(String(response.headers['content-type']), text);
}

describe('F&O writes by key and the default company', () => {
  it('answers 404 to PATCH and DELETE of another company’s record without cross-company=true, and changes nothing', async () => {
    const server = (fno = await withCustomers());
    const patch = await server.call('PATCH', keyPath('demf', 'DE-1'), { body: { OrganizationName: 'Changed' } });
    expect(patch.status).toBe(404);
    expect(patch.json).toEqual(NOT_FOUND);
    const remove = await server.call('DELETE', keyPath('demf', 'DE-1'));
    expect(remove.status).toBe(404);
    expect(remove.json).toEqual(NOT_FOUND);
    // cross-company=false is the same as leaving it out.
    expect((await server.call('PATCH', `${keyPath('demf', 'DE-1')}?cross-company=false`, { body: { NameAlias: 'x' } })).status).toBe(404);
    expect(server.emulator.store.get('demf', 'DE-1')?.row.OrganizationName).toBe('Org DE-1');
    expect(server.emulator.store.get('demf', 'DE-1')?.row.NameAlias ?? '').toBe('');
    expect(server.emulator.admin.counters.snapshot().writes).toBe(0);
  });

  it('writes another company’s record with cross-company=true, and the default company’s either way', async () => {
    const server = (fno = await withCustomers());
    const patch = await server.call('PATCH', `${keyPath('demf', 'DE-1')}?cross-company=true`, { body: { OrganizationName: 'Changed' } });
    expect(patch.status).toBe(204);
    expect(server.emulator.store.get('demf', 'DE-1')?.row.OrganizationName).toBe('Changed');
    expect((await server.call('DELETE', `${keyPath('demf', 'DE-2')}?cross-company=TRUE`)).status).toBe(204);
    expect(server.emulator.store.get('demf', 'DE-2')).toBeUndefined();
    expect((await server.call('PATCH', keyPath('usmf', 'US-1'), { body: { NameAlias: 'plain' } })).status).toBe(204);
    expect((await server.call('PATCH', `${keyPath('usmf', 'US-1')}?cross-company=true`, { body: { OrganizationName: 'Both' } })).status).toBe(204);
    expect(server.emulator.store.get('usmf', 'US-1')?.row).toMatchObject({ NameAlias: 'plain', OrganizationName: 'Both' });
    expect(server.emulator.admin.counters.snapshot().writes).toBe(4);
  });

  it('applies the same rule to each operation inside $batch', async () => {
    const server = (fno = await withCustomers());
    const parts = await batch(server, [
      { changeSet: [{ method: 'PATCH', url: `${server.url}${keyPath('demf', 'DE-1')}`, body: { NameAlias: 'no flag' }, contentId: '1' }] },
      { changeSet: [{ method: 'PATCH', url: `${server.url}${keyPath('demf', 'DE-2')}?cross-company=true`, body: { NameAlias: 'flag' }, contentId: '2' }] },
      { changeSet: [{ method: 'DELETE', url: `${keyPath('demf', 'DE-1').slice('/data/'.length)}`, contentId: '3' }] },
      { changeSet: [{ method: 'PATCH', url: `${server.url}${keyPath('usmf', 'US-1')}`, body: { NameAlias: 'home' }, contentId: '4' }] },
    ]);
    expect(parts.map((part) => [part.status, part.contentId])).toEqual([
      [404, '1'],
      [204, '2'],
      [404, '3'],
      [204, '4'],
    ]);
    expect(JSON.parse(parts[0]?.body ?? '{}')).toEqual(NOT_FOUND);
    expect(server.emulator.store.get('demf', 'DE-1')?.row.NameAlias ?? '').toBe('');
    expect(server.emulator.store.get('demf', 'DE-2')?.row.NameAlias).toBe('flag');
    expect(server.emulator.store.get('usmf', 'US-1')?.row.NameAlias).toBe('home');
  });

  it('takes the default company from its setting', async () => {
    const server = (fno = await withCustomers('DEMF'));
    expect((await server.call('PATCH', keyPath('demf', 'DE-1'), { body: { NameAlias: 'home' } })).status).toBe(204);
    expect((await server.call('PATCH', keyPath('usmf', 'US-1'), { body: { NameAlias: 'away' } })).status).toBe(404);
    expect((await server.call('PATCH', `${keyPath('usmf', 'US-1')}?cross-company=true`, { body: { NameAlias: 'away' } })).status).toBe(204);
    expect(server.emulator.store.get('usmf', 'US-1')?.row.NameAlias).toBe('away');
  });
});
