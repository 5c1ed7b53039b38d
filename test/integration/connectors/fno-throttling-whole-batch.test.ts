import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustomerWrite, FnoClient } from '../../../src/connectors/fno-client';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import { type ConnectorEmulators, startConnectorEmulators } from './emulator-fixture';

// F&O throttles the request (429 with Retry-After), as Microsoft documents; the emulator's default
// (`batchThrottling: request`). The per-operation alternative is covered by fno-throttling.test.ts.
const LIMITS = { requestBudget: 6, budgetWindowMs: 1_000 };
let env: ConnectorEmulators;

beforeAll(async () => {
  env = await startConnectorEmulators({ fno: { limits: LIMITS } });
});

afterAll(async () => {
  await env?.close();
});

function creates(prefix: string, count: number): CustomerWrite[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'create',
    row: { dataAreaId: 'usmf', CustomerAccount: `${prefix}-${i}`, OrganizationName: `${prefix} ${i}`, CustomerGroupId: '10', SalesCurrencyCode: 'USD' },
  }));
}

describe('FnoClient when F&O throttles a whole $batch', () => {
  it('waits out the 429 and sends the batch again: every operation written once', async () => {
    const fno = env.emulators.fno;
    const gate = new ThrottleGate({ service: 'fno' });
    const client = new FnoClient({ connection: env.fno, http: env.http, gate, maxWaitMs: 20_000 });
    expect((await client.writeCustomers(creates('FIRST', 4))).every((result) => result.ok)).toBe(true);
    // 2 units left for 5 operations: refused whole, then accepted once the window has room.
    const results = await client.writeCustomers(creates('SECOND', 5));
    expect(results).toEqual(Array.from({ length: 5 }, () => ({ ok: true, status: 204 })));
    const counters = fno.admin.counters.snapshot();
    expect(counters.requests.byMethodAndStatus['POST 429']).toBeGreaterThanOrEqual(1);
    expect(counters.writes).toBe(9);
    expect(fno.store.countIn('usmf')).toBe(9);
    expect(gate.metrics().throttledResponses).toBeGreaterThanOrEqual(1);
  });
});
