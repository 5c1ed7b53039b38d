import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchRequestItem, decodeBatchResponse, encodeBatchRequest } from '@p2c-sync/odata-wire';
import { type DataverseHarness, errorOf, sampleAccount, startDataverse } from './dataverse-harness';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('Dataverse emulator: $batch', () => {
  let dv: DataverseHarness;
  beforeAll(async () => {
    dv = await startDataverse();
    dv.emulator.store.insertAccounts(Array.from({ length: 10 }, (_, i) => sampleAccount(i + 1)));
  });
  afterAll(async () => dv?.close());

  const batch = async (items: BatchRequestItem[], headers: Record<string, string> = {}) => {
    const encoded = encodeBatchRequest(items);
    const response = await dv.send('POST', '$batch', { rawBody: encoded.body, headers: { 'content-type': encoded.contentType, ...headers } });
    const parts = response.status === 200 || response.headers['content-type']?.startsWith('multipart/mixed') ? decodeBatchResponse(response.headers['content-type'], response.text) : [];
    return { response, parts };
  };

  it('runs reads and a change set in order, with Content-ID references, answering each part', async () => {
    const { response, parts } = await batch([
      { method: 'GET', url: `accounts(${id(1)})?$select=name` },
      {
        changeSet: [
          { method: 'POST', url: 'accounts', body: { name: 'Created in batch' }, contentId: '1' },
          { method: 'PATCH', url: '$1', body: { telephone1: '+1 555 0199' }, contentId: '2' },
          { method: 'PATCH', url: `${dv.root}accounts(${id(2)})`, body: { name: 'Renamed in batch' }, headers: { 'If-Match': '*' }, contentId: '3' },
        ],
      },
      { method: 'GET', url: `/api/data/v9.2/accounts?$select=name&$filter=${encodeURIComponent("name eq 'Created in batch'")}` },
    ]);
    expect(response.status).toBe(200);
    expect(parts.map((part) => part.status)).toEqual([200, 204, 204, 204, 200]);
    expect(JSON.parse(parts[0]?.body ?? '{}')).toMatchObject({ name: 'Account 0001' });
    expect(parts.slice(1, 4).map((part) => part.contentId)).toEqual(['1', '2', '3']);
    const createdUrl = parts[1]?.headers['odata-entityid'] ?? '';
    const createdId = /\(([0-9a-f-]{36})\)$/.exec(createdUrl)?.[1] ?? '';
    expect(dv.emulator.store.getAccount(createdId)).toMatchObject({ name: 'Created in batch', telephone1: '+1 555 0199' });
    expect(JSON.parse(parts[4]?.body ?? '{}').value).toHaveLength(1);
    expect(dv.emulator.store.getAccount(id(2))?.name).toBe('Renamed in batch');
  });

  it('rolls a change set back entirely when one of its operations fails', async () => {
    const versionBefore = dv.emulator.store.maxVersion();
    const countBefore = dv.emulator.store.accountCount();
    const before3 = dv.emulator.store.getAccount(id(3));
    const { response, parts } = await batch(
      [
        {
          changeSet: [
            { method: 'PATCH', url: `accounts(${id(3)})`, body: { name: 'should not stick' }, contentId: 'a' },
            { method: 'POST', url: 'accounts', body: { name: 'should not exist' }, contentId: 'b' },
            { method: 'DELETE', url: `accounts(${id(4)})`, contentId: 'c' },
            { method: 'PATCH', url: `accounts(${id(5)})`, body: { accountnumber: 'X'.repeat(21) }, contentId: 'd' },
          ],
        },
        { method: 'PATCH', url: `accounts(${id(6)})`, body: { name: 'after the failed change set' } },
      ],
      { prefer: 'odata.continue-on-error' },
    );
    expect(response.status).toBe(200);
    expect(response.headers['preference-applied']).toBe('odata.continue-on-error');
    expect(parts.map((part) => part.status)).toEqual([400, 204]);
    expect(parts[0]?.contentId).toBe('d');
    expect(JSON.parse(parts[0]?.body ?? '{}').error.code).toBe('0x80044331');
    expect(dv.emulator.store.getAccount(id(3))).toEqual(before3);
    expect(dv.emulator.store.getAccount(id(4))).toBeDefined();
    expect(dv.emulator.store.accountCount()).toBe(countBefore);
    expect(dv.emulator.store.getAccount(id(6))?.name).toBe('after the failed change set');
    expect(dv.emulator.store.maxVersion()).toBe(versionBefore + 1);
    // The rolled-back versions left no trace in change tracking or in versionnumber queries.
    const changed = await dv.send('GET', `accounts?$select=name&$filter=versionnumber gt ${versionBefore}`);
    expect((changed.json as { value: unknown[] }).value).toHaveLength(1);
  });

  it('stops at the first failure without continue-on-error and answers 400 with the parts so far', async () => {
    const { response, parts } = await batch([
      { method: 'PATCH', url: `accounts(${id(7)})`, body: { fax: '1' } },
      { method: 'PATCH', url: `accounts(${id(8)})`, body: { fax: '2' }, headers: { 'If-Match': 'W/"1"' } },
      { method: 'PATCH', url: `accounts(${id(9)})`, body: { fax: '3' } },
    ]);
    expect(response.status).toBe(400);
    expect(parts.map((part) => part.status)).toEqual([204, 412]);
    expect(dv.emulator.store.getAccount(id(7))?.fax).toBe('1');
    expect(dv.emulator.store.getAccount(id(9))?.fax).toBeNull();
  });

  it('with continue-on-error answers 200 and every part its own status', async () => {
    const { response, parts } = await batch(
      [
        { method: 'GET', url: `accounts(${id(99)})` },
        { method: 'PATCH', url: `accounts(${id(9)})`, body: { nope: 1 } },
        { method: 'POST', url: 'accounts', rawBody: '{"name": ' },
        { method: 'PATCH', url: `accounts(${id(9)})`, body: { fax: '3' } },
        { method: 'GET', url: 'accounts?$skip=1' },
      ],
      { prefer: 'odata.continue-on-error' },
    );
    expect(response.status).toBe(200);
    expect(parts.map((part) => part.status)).toEqual([404, 400, 400, 204, 400]);
    expect(JSON.parse(parts[1]?.body ?? '{}').error.message).toBe("Could not find a property named 'nope' on type 'Microsoft.Dynamics.CRM.account'.");
    expect(dv.emulator.store.getAccount(id(9))?.fax).toBe('3');
  });

  it('reads a hand-written batch in the documented form', async () => {
    const body = [
      '--batch_AAA123',
      'Content-Type: multipart/mixed;boundary=changeset_BBB456',
      '',
      '--changeset_BBB456',
      'Content-Type: application/http',
      'Content-Transfer-Encoding:binary',
      'Content-ID: 1',
      '',
      `PATCH ${dv.root}accounts(${id(10)}) HTTP/1.1`,
      'Content-Type: application/json;type=entry',
      '',
      '{"websiteurl":"https://example.com"}',
      '--changeset_BBB456--',
      '--batch_AAA123',
      'Content-Type: application/http',
      'Content-Transfer-Encoding:binary',
      '',
      `GET ${dv.root}accounts(${id(10)})?$select=websiteurl HTTP/1.1`,
      'Accept: application/json',
      '',
      '--batch_AAA123--',
      '',
    ].join('\r\n');
    const response = await dv.send('POST', '$batch', { rawBody: body, headers: { 'content-type': 'multipart/mixed;boundary=batch_AAA123' } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^multipart\/mixed; boundary=batchresponse_[0-9a-f-]{36}$/);
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(response.text)));
    expect(response.text).toContain('--changesetresponse_');
    const parts = decodeBatchResponse(response.headers['content-type'], response.text);
    expect(parts.map((part) => part.status)).toEqual([204, 200]);
    expect(JSON.parse(parts[1]?.body ?? '{}').websiteurl).toBe('https://example.com');
  });

  it('refuses more than 1000 operations, malformed batches and nested batches', async () => {
    const tooMany = await batch(Array.from({ length: 1001 }, () => ({ method: 'GET' as const, url: 'WhoAmI()' })));
    expect(tooMany.response.status).toBe(400);
    expect(errorOf(tooMany.response).message).toContain('1000');
    const exactly = await batch(Array.from({ length: 1000 }, () => ({ method: 'GET' as const, url: 'WhoAmI()' })));
    expect(exactly.response.status).toBe(200);
    expect(exactly.parts).toHaveLength(1000);

    const malformed = await dv.send('POST', '$batch', { rawBody: '--x\r\nnot a part', headers: { 'content-type': 'multipart/mixed; boundary=x' } });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).code).toBe('0x80060888');
    const wrongType = await dv.send('POST', '$batch', { body: { requests: [] } });
    expect(wrongType.status).toBe(400);
    const nested = await batch([{ method: 'POST', url: '$batch', rawBody: 'x' }], { prefer: 'odata.continue-on-error' });
    expect(nested.parts.map((part) => part.status)).toEqual([400]);
    expect((await dv.send('GET', '$batch')).status).toBe(405);
  });
});
