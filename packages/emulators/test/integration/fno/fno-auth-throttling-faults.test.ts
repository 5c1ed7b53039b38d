import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBatchRequest } from '@p2c-sync/odata-wire';
import { customer, type FnoServer, startFno } from './fno-server';

let fno: FnoServer | undefined;

afterEach(async () => {
  await fno?.close();
  fno = undefined;
});

async function failureCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'answered';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('F&O auth, throttling and faults', () => {
  it('answers 401 in the F&O error shape for missing, malformed, expired and misdirected tokens', async () => {
    const server = (fno = await startFno());
    const now = Math.floor(Date.now() / 1000);
    const answers = await Promise.all([
      server.call('GET', '/data/CustomersV2', { token: null }),
      server.call('GET', '/data/CustomersV2', { token: 'not.a.jwt' }),
      server.call('GET', '/data/CustomersV2', { token: server.token({ exp: now - 5 }) }),
      server.call('GET', '/data/CustomersV2', { token: server.token({ aud: 'https://org.crm.dynamics.com' }) }),
      server.call('GET', '/data/$metadata', { token: null }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    for (const answer of answers) {
      expect(answer.json).toMatchObject({ error: { code: '', message: 'Authorization has been denied for this request.' } });
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    }
    expect((await server.call('GET', '/data/CustomersV2')).status).toBe(200);
    expect(server.emulator.admin.counters.snapshot().requests.byMethodAndStatus['GET 401']).toBe(5);
  });

  it('refuses requests over the concurrency ceiling with 429 and Retry-After', async () => {
    const server = (fno = await startFno({ limits: { maxConcurrentRequests: 2 }, faults: { latencyMs: 300 } }));
    const answers = await Promise.all(Array.from({ length: 5 }, () => server.call('GET', '/data/CustomerGroups?$top=1')));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused?.headers['retry-after']).toBe('1');
    expect(server.emulator.admin.counters.snapshot().throttled).toBe(3);
    // Slots are given back when responses finish.
    expect(server.emulator.admin.throttle.inFlight()).toBe(0);
    expect((await server.call('GET', '/data/CustomerGroups?$top=1')).status).toBe(200);
  });

  it('commits a create and then resets the connection: the client cannot tell, a retry meets the duplicate', async () => {
    const server = (fno = await startFno({ faults: { commitThenTimeoutRate: 1, commitThenTimeoutMode: 'reset', maxFaults: 1 } }));
    const code = await failureCode(server.call('POST', '/data/CustomersV2', { body: customer('AMB-1') }));
    expect(code).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
    expect(server.emulator.store.get('usmf', 'AMB-1')).toBeDefined();
    const retry = await server.call('POST', '/data/CustomersV2', { body: customer('AMB-1') });
    expect(retry.status).toBe(500);
    expect(retry.text).toContain('The record already exists.');
  });

  it('commits a $batch and then holds the answer until the client gives up', async () => {
    const server = (fno = await startFno({ faults: { commitThenTimeoutRate: 1, commitThenTimeoutMode: 'hang' } }));
    const { contentType, body } = encodeBatchRequest([
      { changeSet: [{ method: 'POST', url: 'CustomersV2', body: customer('HANG-1') }] },
      { changeSet: [{ method: 'POST', url: 'CustomersV2', body: customer('HANG-2') }] },
    ]);
    const code = await failureCode(
      request(`${server.url}/data/$batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token()}`, 'content-type': contentType },
        body,
        headersTimeout: 300,
      }),
    );
    expect(code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(server.emulator.store.size).toBe(2);
    expect(server.emulator.admin.faults.status().injected.commitThenTimeouts).toBe(1);
  });

  it('injects 5xx in the F&O shape before anything is written', async () => {
    const server = (fno = await startFno({ faults: { errorRate: 1, errorStatus: 500, methods: ['POST'] } }));
    const answer = await server.call('POST', '/data/CustomersV2', { body: customer('E-1') });
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({ error: { code: '', message: 'An error has occurred.' } });
    expect(server.emulator.store.size).toBe(0);
  });
});
