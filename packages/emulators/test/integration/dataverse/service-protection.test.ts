import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceProtectionLimits } from '../../../src/dataverse';
import { decodeBatchResponse, encodeBatchRequest } from '@p2c-sync/odata-wire';
import { type DataverseHarness, errorOf, sampleAccount, startDataverse } from './dataverse-harness';

describe('Dataverse emulator: service protection limits (scaled down)', () => {
  let dv: DataverseHarness | undefined;
  afterEach(async () => {
    await dv?.close();
    dv = undefined;
  });

  const start = async (limits: Partial<ServiceProtectionLimits>) => {
    dv = await startDataverse({ limits });
    dv.emulator.store.insertAccounts(Array.from({ length: 300 }, (_, i) => sampleAccount(i + 1)));
    return dv;
  };

  it('counts requests per user: 429 0x80072322 with Retry-After; obeying it recovers; other users are not affected', async () => {
    const service = await start({ windowMs: 1000, maxRequests: 5 });
    for (let i = 0; i < 5; i += 1) expect((await service.send('GET', 'WhoAmI()')).status).toBe(200);
    const throttled = await service.send('GET', 'WhoAmI()');
    expect(throttled.status).toBe(429);
    expect(errorOf(throttled)).toEqual({ code: '0x80072322', message: 'Number of requests exceeded the limit of 5 over time window of 1 seconds.' });
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(1);

    const otherUser = service.token({ appid: 'another-app' });
    expect((await service.send('GET', 'WhoAmI()', { token: otherUser })).status).toBe(200);

    await sleep(retryAfter * 1000 + 50);
    expect((await service.send('GET', 'WhoAmI()')).status).toBe(200);
    const counters = (await service.send('GET', `${service.origin}/_admin/counters`, { token: null })).json as { throttled: number };
    expect(counters.throttled).toBe(1);
  });

  it('lengthens the wait for a client that keeps sending while throttled', async () => {
    const service = await start({ windowMs: 1000, maxRequests: 5 });
    for (let i = 0; i < 5; i += 1) await service.send('GET', 'WhoAmI()');
    const first = await service.send('GET', 'WhoAmI()');
    expect(first.status).toBe(429);
    const announcedEnd = Date.now() + Number(first.headers['retry-after']) * 1000;
    let last = first;
    while (Date.now() < announcedEnd + 200) {
      last = await service.send('GET', 'WhoAmI()');
      await sleep(50);
    }
    // Past the first Retry-After, still throttled, with a fresh wait announced.
    expect(last.status).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await sleep(Number(last.headers['retry-after']) * 1000 + 50);
    expect((await service.send('GET', 'WhoAmI()')).status).toBe(200);
  });

  it('limits combined execution time: 429 0x80072321', async () => {
    const service = await start({ windowMs: 60_000, maxExecutionMs: 25, maxRequests: 100_000 });
    let refused: Awaited<ReturnType<typeof service.send>> | undefined;
    for (let i = 0; i < 500 && refused === undefined; i += 1) {
      const response = await service.send('GET', `accounts?$filter=${encodeURIComponent("contains(name,'9')")}`);
      if (response.status === 429) refused = response;
      else expect(response.status).toBe(200);
    }
    if (refused === undefined) throw new Error('the execution time limit was never reached');
    expect(errorOf(refused).code).toBe('0x80072321');
    expect(errorOf(refused).message).toContain('Combined execution time of incoming requests exceeded limit of 25 milliseconds');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('limits concurrent requests: 429 0x80072326 while two requests are in flight', async () => {
    const service = await start({ maxConcurrent: 2 });
    const token = service.token();
    // Two writes whose bodies arrive slowly keep their slots until the body is complete.
    const releases: Array<() => void> = [];
    const slow = (id: number) => {
      const body = new Readable({ read() {} });
      body.push('{"name":');
      releases.push(() => {
        body.push('"slow"}');
        body.push(null);
      });
      return request(`${service.root}accounts(00000000-0000-4000-8000-${String(id).padStart(12, '0')})`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
    };
    const inFlight = [slow(1), slow(2)];
    await sleep(200);
    const refused = await service.send('GET', 'WhoAmI()');
    expect(refused.status).toBe(429);
    expect(errorOf(refused)).toEqual({ code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 2.' });
    expect(refused.headers['retry-after']).toBeDefined();
    for (const release of releases) release();
    const done = await Promise.all(inFlight);
    expect(done.map((response) => response.statusCode)).toEqual([204, 204]);
    await Promise.all(done.map((response) => response.body.text()));
    await sleep(50);
    expect((await service.send('GET', 'WhoAmI()')).status).toBe(200);
  });

  it('counts requests waiting in injected latency as in flight, and their latency as execution time', async () => {
    dv = await startDataverse({ limits: { maxConcurrent: 2, maxExecutionMs: 1000, windowMs: 60_000 }, faults: { latencyMs: 300 } });
    const service = dv;
    const answers = await Promise.all([1, 2, 3].map(() => service.send('GET', 'WhoAmI()')));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 429]);
    const busy = answers.find((answer) => answer.status === 429);
    expect(busy === undefined ? undefined : errorOf(busy).code).toBe('0x80072326');
    // About 300 ms each (the refused one too): the 1000 ms budget is gone within a few more requests, where the
    // handling alone (well under a millisecond) would never exhaust it.
    let refused;
    let admitted = 0;
    for (let i = 0; i < 6 && refused === undefined; i += 1) {
      const answer = await service.send('GET', 'WhoAmI()');
      if (answer.status === 429) refused = answer;
      else admitted += 1;
    }
    expect(admitted).toBeLessThanOrEqual(2);
    expect(refused === undefined ? undefined : errorOf(refused).code).toBe('0x80072321');
  });

  it('counts a $batch once against the number of requests, however many operations it holds', async () => {
    const service = await start({ windowMs: 60_000, maxRequests: 10 });
    const encoded = encodeBatchRequest(Array.from({ length: 12 }, () => ({ method: 'GET' as const, url: 'WhoAmI()' })));
    const response = await service.send('POST', '$batch', {
      rawBody: encoded.body,
      headers: { 'content-type': encoded.contentType, prefer: 'odata.continue-on-error' },
    });
    expect(response.status).toBe(200);
    const parts = decodeBatchResponse(response.headers['content-type'], response.text);
    expect(parts.map((part) => part.status)).toEqual(Array(12).fill(200));
    // The $batch was the first of the ten requests: nine more pass, the tenth after it is refused.
    for (let i = 0; i < 9; i += 1) expect((await service.send('GET', 'WhoAmI()')).status).toBe(200);
    const refused = await service.send('GET', 'WhoAmI()');
    expect(refused.status).toBe(429);
    expect(errorOf(refused).code).toBe('0x80072322');
  });

  it("charges every operation's server time to the execution-time limit, a $batch's operations included", async () => {
    dv = await startDataverse({ limits: { windowMs: 60_000, maxExecutionMs: 1000 }, serverTime: { readMs: 60, writeMs: 0, jitterMs: 0 } });
    const service = dv;
    const encoded = encodeBatchRequest(Array.from({ length: 20 }, () => ({ method: 'GET' as const, url: 'WhoAmI()' })));
    const started = Date.now();
    const response = await service.send('POST', '$batch', { rawBody: encoded.body, headers: { 'content-type': encoded.contentType } });
    expect(response.status).toBe(200);
    // 20 operations x 60 ms of server time: the answer takes that long ...
    expect(Date.now() - started).toBeGreaterThanOrEqual(1150);
    await sleep(50);
    // ... and the 1,200 ms exceed the 1,000 ms budget: the next request is refused for execution time.
    const refused = await service.send('GET', 'WhoAmI()');
    expect(refused.status).toBe(429);
    expect(errorOf(refused)).toMatchObject({ code: '0x80072321' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The operations the limits model charges: 20 reads run, none for the refused request.
    const counters = (await service.send('GET', `${service.origin}/_admin/counters`, { token: null })).json as { other: Record<string, number> };
    expect(counters.other).toMatchObject({ readOperations: 20, batchOperations: 20 });
    expect(counters.other.writeOperations).toBeUndefined();
  });

  it('charges server time as the operations start: a request arriving while a long $batch still runs is refused', async () => {
    dv = await startDataverse({ limits: { windowMs: 60_000, maxExecutionMs: 1000 }, serverTime: { readMs: 0, writeMs: 100, jitterMs: 0 } });
    const service = dv;
    service.emulator.store.insertAccounts([sampleAccount(1)]);
    const id = '00000000-0000-4000-8000-000000000001';
    const encoded = encodeBatchRequest(Array.from({ length: 15 }, () => ({ method: 'PATCH' as const, url: `accounts(${id})`, body: { name: 'x' } })));
    const running = service.send('POST', '$batch', { rawBody: encoded.body, headers: { 'content-type': encoded.contentType } });
    await sleep(300);
    // 15 x 100 ms = 1,500 ms were charged when the batch started: over the 1,000 ms limit while it still runs.
    const refused = await service.send('GET', 'WhoAmI()');
    expect(refused.status).toBe(429);
    expect(errorOf(refused).code).toBe('0x80072321');
    expect((await running).status).toBe(200);
  });
});
