import { afterEach, describe, expect, it } from 'vitest';
import { type BatchRequestItem, decodeBatchResponse, encodeBatchRequest } from '@p2c-sync/odata-wire';
import { customer, type FnoServer, startFno } from './fno-server';

let fno: FnoServer | undefined;

afterEach(async () => {
  await fno?.close();
  fno = undefined;
});

/** Sends a `$batch` and measures how long its answer took. */
async function timedBatch(server: FnoServer, items: BatchRequestItem[]): Promise<{ elapsedMs: number; statuses: number[] }> {
  const { contentType, body } = encodeBatchRequest(items);
  const started = performance.now();
  const answer = await server.call('POST', '/data/$batch', { rawBody: body, headers: { 'content-type': contentType } });
  const elapsedMs = performance.now() - started;
  expect(answer.status).toBe(200);
  const contentTypeHeader = answer.headers['content-type'];
  const statuses = decodeBatchResponse(typeof contentTypeHeader === 'string' ? contentTypeHeader : undefined, answer.text).map((part) => part.status);
  return { elapsedMs, statuses };
}

const reads = (count: number): BatchRequestItem[] =>
  Array.from({ length: count }, (_, index) => ({ method: 'GET', url: 'CustomerGroups?$top=1', contentId: String(index + 1) }));

describe('F&O per-operation $batch latency', () => {
  it('delays each operation in turn when set at start, change set operations included', async () => {
    const server = (fno = await startFno({ faults: { operationLatencyMs: 40 } }));
    const items: BatchRequestItem[] = [
      ...reads(5),
      { changeSet: ['OL-1', 'OL-2', 'OL-3'].map((account, index) => ({ method: 'POST' as const, url: 'CustomersV2', body: customer(account), contentId: `c${index}` })) },
    ];
    const { elapsedMs, statuses } = await timedBatch(server, items);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 201, 201, 201]);
    expect(elapsedMs).toBeGreaterThanOrEqual(8 * 40);
    expect(server.emulator.store.size).toBe(3);
  });

  it('holds the concurrency slot for the whole batch', async () => {
    // 2.4 s of operations: long enough that, on a loaded machine too, the batch is still running when the second
    // request arrives (a fixed 100 ms pause and a 300 ms batch were not).
    const server = (fno = await startFno({ limits: { maxConcurrentRequests: 1 }, faults: { operationLatencyMs: 400 } }));
    const batch = timedBatch(server, reads(6));
    for (let polls = 0; server.emulator.admin.throttle.inFlight() === 0 && polls < 100; polls += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(server.emulator.admin.throttle.inFlight()).toBe(1);
    const meanwhile = await server.call('GET', '/data/CustomerGroups?$top=1');
    expect(meanwhile.status).toBe(429);
    const { elapsedMs } = await batch;
    expect(elapsedMs).toBeGreaterThanOrEqual(6 * 400);
    expect((await server.call('GET', '/data/CustomerGroups?$top=1')).status).toBe(200);
  });

  it('is set and cleared through PUT /_admin/faults, jitter included, and validated there', async () => {
    const server = (fno = await startFno());
    // 4 operations of 500 ms: the batch without latency must answer in under 2 s, which a loaded machine does not
    // come near (12 operations of 25 ms left it 300 ms).
    const put = await server.call('PUT', '/_admin/faults', { body: { operationLatencyMs: 500, operationJitterMs: 10 }, token: null });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ settings: { operationLatencyMs: 500, operationJitterMs: 10, latencyMs: 0 } });
    const slow = await timedBatch(server, reads(4));
    expect(slow.statuses).toEqual(Array.from({ length: 4 }, () => 200));
    expect(slow.elapsedMs).toBeGreaterThanOrEqual(4 * 500);

    const invalid = await server.call('PUT', '/_admin/faults', { body: { operationLatencyMs: -1 }, token: null });
    expect(invalid.status).toBe(400);
    expect(server.emulator.admin.faults.current().operationLatencyMs).toBe(500);

    expect((await server.call('PUT', '/_admin/faults', { body: {}, token: null })).status).toBe(200);
    const fast = await timedBatch(server, reads(4));
    expect(fast.elapsedMs).toBeLessThan(4 * 500);
  });
});
