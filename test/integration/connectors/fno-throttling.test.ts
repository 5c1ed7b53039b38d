import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../src/connectors/errors';
import { type CustomerWrite, FnoClient } from '../../../src/connectors/fno-client';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import { TokenProvider } from '../../../src/connectors/token-provider';
import { type ConnectorEmulators, rejectionOf, startConnectorEmulators } from './emulator-fixture';

// Resource throttling scaled down: 6 operations per second for the whole environment, throttled per operation
// inside a batch (the emulator's alternative to throttling the whole request, which fno-throttling-whole-batch
// covers): the connector handles both.
const LIMITS = { requestBudget: 6, budgetWindowMs: 1_000, batchThrottling: 'operation' } as const;
let env: ConnectorEmulators;
let tokens: TokenProvider;

beforeAll(async () => {
  env = await startConnectorEmulators({ fno: { limits: LIMITS } });
  tokens = new TokenProvider({ ...env.fno, resource: env.fno.url, http: env.http });
  await tokens.getToken();
});

afterAll(async () => {
  await env?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const counters = () => env.emulators.fno.admin.counters.snapshot();
const store = () => env.emulators.fno.store;

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

const budgetRefilled = () => sleep(LIMITS.budgetWindowMs + 100);

function creates(prefix: string, count: number): CustomerWrite[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'create',
    row: { dataAreaId: 'usmf', CustomerAccount: `${prefix}-${i}`, OrganizationName: `${prefix} ${i}`, CustomerGroupId: '10', SalesCurrencyCode: 'USD' },
  }));
}

function client(gate: ThrottleGate, maxWaitMs: number): FnoClient {
  return new FnoClient({ connection: env.fno, http: env.http, tokens, gate, maxWaitMs });
}

describe('FnoClient under resource throttling', () => {
  it('operations throttled inside a batch (answered 429, not executed) are sent again after the wait', async () => {
    await budgetRefilled();
    const gate = new ThrottleGate({ service: 'fno' });
    const throttledBefore = counters().throttled;
    const results = await client(gate, 20_000).writeCustomers(creates('INNER', 10));
    expect(results).toEqual(Array.from({ length: 10 }, () => ({ ok: true, status: 204 })));
    for (let i = 0; i < 10; i += 1) expect(store().get('usmf', `INNER-${i}`)).toBeDefined();
    expect(counters().throttled - throttledBefore).toBeGreaterThanOrEqual(4);
    expect(gate.metrics().throttledResponses).toBeGreaterThanOrEqual(1);
    expect(counters().writes).toBe(10);
  });

  it('a batch refused whole with 429 holds back every request, none is sent during the wait, and all succeed', async () => {
    await budgetRefilled();
    const gate = new ThrottleGate({ service: 'fno' });
    const fno = client(gate, 20_000);
    // Spend the whole budget.
    expect((await fno.writeCustomers(creates('SPEND', LIMITS.requestBudget))).every((r) => r.ok)).toBe(true);
    const customersBefore = store().countIn('usmf');

    const write = fno.writeCustomers(creates('WHOLE', 2));
    await until(() => gate.metrics().blockedUntil > 0, 5_000);
    const readAll = async () => {
      const rows: unknown[] = [];
      for await (const page of fno.queryCustomers({ dataAreaId: 'usmf', select: ['CustomerAccount'] })) rows.push(...page);
      return rows;
    };
    const reads = Promise.all([readAll(), readAll()]);
    const single = fno.getCustomer('usmf', 'SPEND-0');
    await sleep(100);
    const blockedUntil = gate.metrics().blockedUntil;
    expect(blockedUntil - Date.now()).toBeGreaterThan(300);
    const seen = counters().requests.total;
    await sleep(blockedUntil - Date.now() - 100);
    expect(counters().requests.total).toBe(seen);

    expect(await write).toEqual([
      { ok: true, status: 204 },
      { ok: true, status: 204 },
    ]);
    const [first, second] = await reads;
    // The reads and the two creates were released together: a read sees the creates or not, nothing in between.
    for (const rows of [first, second]) expect([customersBefore, customersBefore + 2]).toContain(rows.length);
    expect(await single).toMatchObject({ CustomerAccount: 'SPEND-0' });
    expect(counters().requests.byMethodAndStatus['POST 429']).toBeGreaterThanOrEqual(1);
  });

  it('past the longest allowed wait, throttled operations come back as throttled results, the rest are written', async () => {
    await budgetRefilled();
    const results = await client(new ThrottleGate({ service: 'fno' }), 200).writeCustomers(creates('IMPATIENT', 8));
    expect(results.filter((r) => r.ok)).toHaveLength(LIMITS.requestBudget);
    const throttled = results.filter((r) => !r.ok);
    expect(throttled).toHaveLength(8 - LIMITS.requestBudget);
    for (const result of throttled) {
      if (result.ok) continue;
      expect(result.error).toMatchObject({ kind: 'throttled', service: 'fno', status: 429 });
      expect(result.error.retryAfterMs).toBeGreaterThan(0);
    }
    expect(store().get('usmf', 'IMPATIENT-7')).toBeUndefined();
  });

  it('past the longest allowed wait, a batch refused whole throws throttled with the wait still due', async () => {
    await budgetRefilled();
    const fno = client(new ThrottleGate({ service: 'fno' }), 200);
    await fno.writeCustomers(creates('SPEND-AGAIN', LIMITS.requestBudget));
    const error = await rejectionOf(fno.writeCustomers(creates('REFUSED', 1)));
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: 'throttled', service: 'fno', status: 429, ambiguous: false });
    expect((error as ConnectorError).retryAfterMs).toBeGreaterThan(0);
    expect(store().get('usmf', 'REFUSED-0')).toBeUndefined();
  });
});
