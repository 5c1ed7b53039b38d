import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../src/connectors/dataverse-client';
import { ConnectorError } from '../../../src/connectors/errors';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import { TokenProvider } from '../../../src/connectors/token-provider';
import { type ConnectorEmulators, startConnectorEmulators } from './emulator-fixture';

// Service protection scaled down: 5 requests per user per 3 s window. Three seconds, not one: on a loaded machine the
// requests a test sends together must still fall into one window, and a Retry-After (whole seconds) must leave time
// to observe the wait.
const LIMITS = { windowMs: 3_000, maxRequests: 5 };
let env: ConnectorEmulators;
let tokens: TokenProvider;

beforeAll(async () => {
  env = await startConnectorEmulators({ generate: { count: 10, seed: 5 }, dataverse: { limits: LIMITS } });
  tokens = new TokenProvider({ ...env.dataverse, resource: env.dataverse.url, http: env.http });
  await tokens.getToken();
});

afterAll(async () => {
  await env?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const requestsSeen = () => env.emulators.dataverse.admin.counters.snapshot().requests.total;

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

/** Waits until the window has emptied, so each test starts with the full budget. */
async function windowDrained(): Promise<void> {
  await sleep(LIMITS.windowMs + 100);
}

describe('DataverseClient under service protection', () => {
  it('every concurrent request waits out a Retry-After, none is sent during the wait, and all succeed', async () => {
    await windowDrained();
    const gate = new ThrottleGate({ service: 'dataverse' });
    const client = new DataverseClient({ connection: env.dataverse, http: env.http, tokens, gate, maxWaitMs: 20_000 });
    const throttledBefore = env.emulators.dataverse.admin.counters.snapshot().throttled;

    const reads = Array.from({ length: 10 }, () => client.readPage({ entitySet: 'accounts', select: ['accountid'], pageSize: 2 }));
    // Settled whatever happens below, so a failing expectation does not leave requests running into the next test.
    const settled = Promise.allSettled(reads);
    await until(() => gate.metrics().blockedUntil > 0, 10_000);
    // Requests sent before the first 429 came back may still be on their way: wait until every one has its answer
    // (the gate holds no request in flight), however long a loaded machine takes; from then on the gate sends nothing.
    await until(() => gate.metrics().inFlight === 0, 10_000);
    const blockedUntil = gate.metrics().blockedUntil;
    expect(blockedUntil - Date.now()).toBeGreaterThan(300);
    const duringWaitStart = requestsSeen();
    // Requests started during the wait never saw a 429 themselves; the shared gate holds them back too.
    const late = Array.from({ length: 3 }, () => client.readPage({ entitySet: 'accounts', select: ['accountid'], pageSize: 2 }));
    const lateSettled = Promise.allSettled(late);
    try {
      await sleep(blockedUntil - Date.now() - 100);
      expect(requestsSeen()).toBe(duringWaitStart);
      expect(gate.metrics().queued + gate.metrics().inFlight).toBe(0);
    } finally {
      await Promise.all([settled, lateSettled]);
    }

    const pages = await Promise.all([...reads, ...late]);
    for (const page of pages) expect(page.rows).toHaveLength(2);
    const metrics = gate.metrics();
    expect(metrics.throttledResponses).toBeGreaterThanOrEqual(1);
    // Every request held back waited, not only those that were refused.
    expect(metrics.waitedMs).toBeGreaterThan(1_000);
    expect(env.emulators.dataverse.admin.counters.snapshot().throttled - throttledBefore).toBe(metrics.throttledResponses);
  });

  it('a request that would wait longer than allowed fails as throttled with the wait still due', async () => {
    await windowDrained();
    const gate = new ThrottleGate({ service: 'dataverse' });
    const client = new DataverseClient({ connection: env.dataverse, http: env.http, tokens, gate, maxWaitMs: 200 });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => client.readPage({ entitySet: 'accounts', select: ['accountid'], pageSize: 1 })),
    );
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(LIMITS.maxRequests);
    expect(failures).toHaveLength(8 - LIMITS.maxRequests);
    for (const error of failures) {
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error).toMatchObject({ kind: 'throttled', service: 'dataverse', status: 429 });
      expect((error as ConnectorError).retryAfterMs).toBeGreaterThan(0);
      expect((error as ConnectorError).message).toContain('Number of requests exceeded');
    }
  });

  it('throttled writes are resent after the wait (a 429 means the request was not processed)', async () => {
    await windowDrained();
    const gate = new ThrottleGate({ service: 'dataverse' });
    const client = new DataverseClient({ connection: env.dataverse, http: env.http, tokens, gate, maxWaitMs: 20_000 });
    const accounts = env.emulators.dataverse.store.listAccounts().slice(0, 8);
    await Promise.all(accounts.map((row, i) => client.update('accounts', row.accountid, { name: `Throttled write ${i}` })));
    accounts.forEach((row, i) => expect(env.emulators.dataverse.store.getAccount(row.accountid)?.name).toBe(`Throttled write ${i}`));
    expect(gate.metrics().throttledResponses).toBeGreaterThanOrEqual(1);
    const byMethodAndStatus = env.emulators.dataverse.admin.counters.snapshot().requests.byMethodAndStatus;
    expect(byMethodAndStatus['PATCH 204']).toBe(8);
  });
});
