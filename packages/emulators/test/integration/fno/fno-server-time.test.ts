import { afterEach, describe, expect, it } from 'vitest';
import { type BatchRequestItem, decodeBatchResponse, encodeBatchRequest } from '@p2c-sync/odata-wire';
import { customer, type FnoServer, startFno } from './fno-server';

let fno: FnoServer | undefined;

afterEach(async () => {
  await fno?.close();
  fno = undefined;
});

const counters = async (server: FnoServer) => (await server.call('GET', '/_admin/counters', { token: null })).json as { other: Record<string, number> };

describe('F&O per-operation server time (the serverTime option, like the Dataverse emulator\'s)', () => {
  it('waits each $batch operation\'s read or write time in turn, holding the slot, and counts the operations by kind', async () => {
    const server = (fno = await startFno({ limits: { maxConcurrentRequests: 1 }, serverTime: { readMs: 10, writeMs: 60, jitterMs: 0 } }));
    const items: BatchRequestItem[] = [
      { method: 'GET', url: 'CustomerGroups?$top=1', contentId: 'r1' },
      { changeSet: ['ST-1', 'ST-2', 'ST-3', 'ST-4', 'ST-5'].map((account, index) => ({ method: 'POST' as const, url: 'CustomersV2', body: customer(account), contentId: `c${index}` })) },
    ];
    const { contentType, body } = encodeBatchRequest(items);
    const started = performance.now();
    const batch = server.call('POST', '/data/$batch', { rawBody: body, headers: { 'content-type': contentType } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // 10 ms + 5 x 60 ms: still running, so the one slot is taken.
    expect((await server.call('GET', '/data/CustomerGroups?$top=1')).status).toBe(429);
    const answer = await batch;
    const elapsedMs = performance.now() - started;
    expect(answer.status).toBe(200);
    const header = answer.headers['content-type'];
    expect(decodeBatchResponse(typeof header === 'string' ? header : undefined, answer.text).map((part) => part.status)).toEqual([200, 201, 201, 201, 201, 201]);
    expect(elapsedMs).toBeGreaterThanOrEqual(10 + 5 * 60);
    expect((await counters(server)).other).toMatchObject({ readOperations: 1, writeOperations: 5, batchOperations: 6 });
  });

  it('waits a plain request\'s server time too', async () => {
    const server = (fno = await startFno({ serverTime: { readMs: 150, writeMs: 0, jitterMs: 0 } }));
    const started = performance.now();
    expect((await server.call('GET', '/data/CustomerGroups?$top=1')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect((await counters(server)).other).toMatchObject({ readOperations: 1 });
  });

  it('refuses settings out of range', async () => {
    await expect(startFno({ serverTime: { readMs: -1 } })).rejects.toThrow(/readMs/);
  });
});
