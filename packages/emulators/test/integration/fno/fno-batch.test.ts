import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type BatchRequestItem, decodeBatchResponse, encodeBatchRequest } from '@p2c-sync/odata-wire';
import { customer, type FnoServer, keyPath, startFno } from './fno-server';

let fno: FnoServer | undefined;

afterEach(async () => {
  await fno?.close();
  fno = undefined;
});

async function batch(server: FnoServer, items: BatchRequestItem[], headers: Record<string, string> = {}) {
  const { contentType, body } = encodeBatchRequest(items);
  const response = await request(`${server.url}/data/$batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token()}`, 'content-type': contentType, ...headers },
    body,
  });
  const text = await response.body.text();
  const contentTypeHeader = String(response.headers['content-type'] ?? '');
  return {
    status: response.statusCode,
    headers: response.headers,
    text,
    parts: response.statusCode === 200 ? decodeBatchResponse(contentTypeHeader, text) : [],
  };
}

const post = (account: string, extra: Record<string, unknown> = {}, contentId?: string) => ({
  method: 'POST' as const,
  url: 'CustomersV2',
  body: customer(account, extra),
  ...(contentId ? { contentId } : {}),
});

describe('F&O $batch', () => {
  it('answers 200 with each part’s own status; a failed change set is undone whole', async () => {
    const server = (fno = await startFno());
    server.emulator.store.insert(customer('EXISTING') as never);
    const result = await batch(server, [
      { changeSet: [post('B-1', {}, '1')] },
      { changeSet: [post('B-2', {}, '2'), post('B-3', { CustomerGroupId: 'ZZ' }, '3')] },
      { changeSet: [post('existing', {}, '4')] },
      { changeSet: [{ method: 'PATCH', url: `${server.url}${keyPath('usmf', 'EXISTING')}`, body: { OrganizationName: 'Patched' }, contentId: '5' }] },
      { method: 'GET', url: `/data/CustomersV2?$select=CustomerAccount&$filter=${encodeURIComponent("CustomerAccount eq 'B-1'")}` },
    ], { prefer: 'odata.continue-on-error' });
    expect(result.status).toBe(200);
    // The multipart type as set (no charset added), the length in bytes.
    expect(result.headers['content-type']).toMatch(/^multipart\/mixed; boundary=batchresponse_[0-9a-f-]{36}$/);
    expect(result.headers['content-length']).toBe(String(Buffer.byteLength(result.text)));
    expect(result.parts.map((part) => [part.status, part.contentId])).toEqual([
      [201, '1'],
      [500, '3'],
      [500, '4'],
      [204, '5'],
      [200, undefined],
    ]);
    expect(JSON.parse(result.parts[1]?.body ?? '{}')).toMatchObject({
      error: { innererror: { message: expect.stringContaining("The value 'ZZ' in field 'Customer group'") } },
    });
    expect(JSON.parse(result.parts[2]?.body ?? '{}')).toMatchObject({
      error: { innererror: { message: expect.stringContaining('The record already exists.') } },
    });
    expect(JSON.parse(result.parts[4]?.body ?? '{}')).toMatchObject({ value: [{ CustomerAccount: 'B-1' }] });
    // B-2 was written inside the failed change set and rolled back with it.
    expect(server.emulator.store.get('usmf', 'B-2')).toBeUndefined();
    expect(server.emulator.store.get('usmf', 'B-1')).toBeDefined();
    expect(server.emulator.store.get('usmf', 'EXISTING')?.row.OrganizationName).toBe('Patched');
    const counters = server.emulator.admin.counters.snapshot();
    expect(counters.writes).toBe(2);
    expect(counters.other.batchOperations).toBe(6);
  });

  it('takes 5000 operations and refuses 5001; refuses malformed multipart with 400', async () => {
    const server = (fno = await startFno());
    const many = Array.from({ length: 5000 }, (_, i) => ({ changeSet: [post(`M-${i}`)] }));
    // CPU time of this process (client and emulator both run in it), not wall-clock time: a loaded machine's other
    // processes do not count against the bound.
    const started = process.cpuUsage();
    const full = await batch(server, many);
    expect(full.status).toBe(200);
    expect(full.parts).toHaveLength(5000);
    expect(full.parts.every((part) => part.status === 201)).toBe(true);
    expect(server.emulator.store.size).toBe(5000);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1_000).toBeLessThan(10_000);

    const tooMany = await batch(server, [...many, { changeSet: [post('M-extra')] }]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain('at most 5000');
    expect(server.emulator.store.size).toBe(5000);

    const malformed = await request(`${server.url}/data/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token()}`, 'content-type': 'multipart/mixed; boundary=abc' },
      body: 'this is not multipart',
    });
    expect(malformed.statusCode).toBe(400);
    expect(await malformed.body.json()).toMatchObject({ error: { code: '', innererror: { message: expect.stringContaining('not valid') } } });
  });

  it('batchThrottling operation: one unit of the request budget per operation, operations beyond it get 429 inside a 200 batch', async () => {
    const server = (fno = await startFno({ limits: { requestBudget: 5, budgetWindowMs: 60_000, batchThrottling: 'operation' } }));
    const result = await batch(server, [
      { changeSet: [post('Q-1')] },
      { changeSet: [post('Q-2')] },
      { changeSet: [post('Q-3'), post('Q-4')] },
      { changeSet: [post('Q-5'), post('Q-6')] },
      { changeSet: [post('Q-7')] },
    ], { prefer: 'odata.continue-on-error' });
    expect(result.status).toBe(200);
    // 1 + 1 + 2 units fit; the next change set needs 2 of the 1 left and is refused whole (one part, not run);
    // the last operation takes the last unit.
    expect(result.parts.map((part) => [part.status, part.contentId ?? null])).toEqual([
      [201, null],
      [201, null],
      [201, null],
      [201, null],
      [429, null],
      [201, null],
    ]);
    const throttled = result.parts[4];
    expect(Number(throttled?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(server.emulator.store.get('usmf', 'Q-5')).toBeUndefined();
    expect(server.emulator.store.size).toBe(5);
    expect(server.emulator.admin.counters.snapshot().throttled).toBe(2);
    // The budget is spent: the next request is refused whole.
    const next = await server.call('GET', '/data/CustomersV2');
    expect(next.status).toBe(429);
    expect(Number(next.headers['retry-after'])).toBeGreaterThan(50);
  });

  it('batchThrottling request (the default): a batch the budget has no room for is refused whole with 429, nothing run', async () => {
    const server = (fno = await startFno({ limits: { requestBudget: 5, budgetWindowMs: 60_000 } }));
    const first = await batch(server, [{ changeSet: [post('R-1')] }, { changeSet: [post('R-2')] }, { changeSet: [post('R-3')] }]);
    expect(first.parts.map((part) => part.status)).toEqual([201, 201, 201]);
    // 2 units left, 3 operations: the request is throttled, not its operations.
    const refused = await batch(server, [{ changeSet: [post('R-4')] }, { changeSet: [post('R-5')] }, { changeSet: [post('R-6')] }]);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: '', message: expect.stringContaining('throttled') } });
    expect(server.emulator.store.size).toBe(3);
    // Two fit, and run whole.
    const fits = await batch(server, [{ changeSet: [post('R-4')] }, { changeSet: [post('R-5')] }]);
    expect(fits.parts.map((part) => part.status)).toEqual([201, 201]);
    expect(server.emulator.store.size).toBe(5);
    // One throttled response, no throttled operations.
    expect(server.emulator.admin.counters.snapshot().throttled).toBe(1);
  });

  it('batchThrottling request: a batch larger than the whole budget runs once the whole budget is free', async () => {
    const server = (fno = await startFno({ limits: { requestBudget: 2, budgetWindowMs: 60_000 } }));
    const result = await batch(server, [{ changeSet: [post('L-1')] }, { changeSet: [post('L-2')] }, { changeSet: [post('L-3')] }]);
    expect(result.parts.map((part) => part.status)).toEqual([201, 201, 201]);
  });
});
