import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { type PlatformApp, send, startPlatformApp } from './platform-app';

let service: PlatformApp | undefined;

afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function start(...args: Parameters<typeof startPlatformApp>): Promise<PlatformApp> {
  service = await startPlatformApp(...args);
  return service;
}

async function putFaults(target: PlatformApp, settings: unknown) {
  const response = await request(`${target.url}/_admin/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code ?? String(error);
  }
  return 'no error';
}

describe('emulator platform over HTTP', () => {
  it('authenticates, counts by method and status, and resets counters', async () => {
    const app = await start();
    expect((await send(app, 'GET', '/items')).status).toBe(200);
    const missing = await send(app, 'GET', '/items', { token: null });
    expect(missing).toMatchObject({ status: 401, body: { error: { message: 'missing Authorization header' } } });
    const wrongAudience = await send(app, 'GET', '/items', { token: app.token({ aud: 'http://elsewhere' }) });
    expect(wrongAudience.status).toBe(401);
    const expired = await send(app, 'GET', '/items', { token: app.token({ exp: Math.floor(Date.now() / 1000) - 1 }) });
    expect(expired.body).toMatchObject({ error: { message: 'the token has expired' } });
    expect((await send(app, 'POST', '/items', { body: { name: 'a' } })).status).toBe(201);

    const counters = await request(`${app.url}/_admin/counters`).then((r) => r.body.json());
    expect(counters).toMatchObject({
      service: 'test',
      requests: { total: 5, byMethod: { GET: 4, POST: 1 }, byMethodAndStatus: { 'GET 200': 1, 'GET 401': 3, 'POST 201': 1 } },
      writes: 1,
      throttled: 0,
    });
    const health = await request(`${app.url}/_admin/health`).then((r) => r.body.json());
    expect(health).toMatchObject({ status: 'ok', service: 'test', rows: 1 });
    expect((await request(`${app.url}/_admin/reset-counters`, { method: 'POST' })).statusCode).toBe(204);
    expect(app.counters.snapshot().requests.total).toBe(0);
  });

  it('validates fault settings and reports them', async () => {
    const app = await start();
    const bad = await putFaults(app, { errorRate: 2, unknown: true });
    expect(bad.status).toBe(400);
    const good = await putFaults(app, { errorRate: 0.25, methods: ['post'], seed: 9 });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ settings: { errorRate: 0.25, methods: ['POST'], seed: 9, latencyMs: 0 } });
    const read = await request(`${app.url}/_admin/faults`).then((r) => r.body.json());
    expect(read).toEqual(good.body);
  });

  it('records the most requests in flight at once (what several workers put on the service together)', async () => {
    const app = await start({ latencyMs: 200 });
    await Promise.all(Array.from({ length: 5 }, () => send(app, 'GET', '/items')));
    await send(app, 'GET', '/items');
    const counters = (await request(`${app.url}/_admin/counters`).then((r) => r.body.json())) as { inFlight: number; peakInFlight: number };
    expect(counters).toMatchObject({ inFlight: 0, peakInFlight: 5 });
    expect((await request(`${app.url}/_admin/reset-counters`, { method: 'POST' })).statusCode).toBe(204);
    expect(app.counters.snapshot()).toMatchObject({ inFlight: 0, peakInFlight: 0 });
  });

  it('adds latency with jitter', async () => {
    const app = await start({ latencyMs: 150, jitterMs: 50 });
    const started = performance.now();
    expect((await send(app, 'GET', '/items')).status).toBe(200);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(145);
    // Generous: 150 + 50 ms at most, plus whatever a loaded machine adds; a unit mix-up would be seconds.
    expect(elapsed).toBeLessThan(3_000);
    expect(app.faults.status().injected.delayed).toBe(1);
  });

  it('never delays admin routes', async () => {
    // A latency far above what a loaded machine adds to a local request, so the bound below cannot be hit by load.
    const app = await start({ latencyMs: 20_000 });
    const started = performance.now();
    await request(`${app.url}/_admin/health`).then((r) => r.body.dump());
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(app.faults.status().injected.delayed).toBe(0);
  });

  it('answers 5xx before handling, only for the chosen methods, up to maxFaults', async () => {
    const app = await start({ errorRate: 1, errorStatus: 502, methods: ['POST'], maxFaults: 2 });
    expect((await send(app, 'GET', '/items')).status).toBe(200);
    const first = await send(app, 'POST', '/items', { body: { name: 'x' } });
    expect(first).toMatchObject({ status: 502, body: { error: { code: 'injected', status: 502 } } });
    expect((await send(app, 'POST', '/items', { body: { name: 'y' } })).status).toBe(502);
    expect((await send(app, 'POST', '/items', { body: { name: 'z' } })).status).toBe(201);
    expect(app.committed).toEqual(['z']);
  });

  it('draws the same faults for the same seed', async () => {
    const app = await start();
    const pattern = async () => {
      await putFaults(app, { errorRate: 0.5, seed: 1234 });
      const statuses: number[] = [];
      for (let i = 0; i < 24; i += 1) statuses.push((await send(app, 'GET', '/items')).status);
      return statuses;
    };
    const first = await pattern();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await pattern()).toEqual(first);
  });

  it('resets connections before handling', async () => {
    const app = await start({ resetRate: 1, maxFaults: 1 });
    const code = await failure(send(app, 'POST', '/items', { body: { name: 'lost' } }));
    expect(code).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
    expect(app.committed).toEqual([]);
    expect((await send(app, 'GET', '/items')).status).toBe(200);
  });

  it('commits then resets: the write happened but the client saw no answer', async () => {
    const app = await start({ commitThenTimeoutRate: 1, commitThenTimeoutMode: 'reset', methods: ['POST'] });
    const code = await failure(send(app, 'POST', '/items', { body: { name: 'ambiguous' } }));
    expect(code).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
    expect(app.committed).toEqual(['ambiguous']);
    expect(app.faults.status().injected.commitThenTimeouts).toBe(1);
  });

  it('commits then hangs until the client gives up', async () => {
    const app = await start({ commitThenTimeoutRate: 1, commitThenTimeoutMode: 'hang', methods: ['POST'] });
    const started = performance.now();
    const code = await failure(send(app, 'POST', '/items', { body: { name: 'held' }, headersTimeout: 300 }));
    expect(code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(app.committed).toEqual(['held']);
  });

  it('answers 503 with Retry-After during an outage window, then recovers', async () => {
    const app = await start();
    await putFaults(app, { outages: [{ durationMs: 400, mode: '503' }] });
    const during = await send(app, 'GET', '/items');
    expect(during.status).toBe(503);
    expect(during.headers['retry-after']).toBe('1');
    expect((await request(`${app.url}/_admin/health`)).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await send(app, 'GET', '/items')).status).toBe(200);
  });

  it('refuses connections during a refuse outage that starts later, then listens again', async () => {
    const app = await start();
    await putFaults(app, { outages: [{ startInMs: 100, durationMs: 500, mode: 'refuse' }] });
    expect((await send(app, 'GET', '/items')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const code = await failure(send(app, 'GET', '/items'));
    expect(code).toMatch(/ECONNREFUSED|UND_ERR_SOCKET|ECONNRESET/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await send(app, 'GET', '/items')).status).toBe(200);
  });

  it('closes cleanly while refusing', async () => {
    const app = await start({ outages: [{ durationMs: 60_000, mode: 'refuse' }] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await failure(send(app, 'GET', '/items'))).toBe('ECONNREFUSED');
  });
});
