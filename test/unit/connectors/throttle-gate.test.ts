import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../src/connectors/errors';
import { sharedThrottleGate, ThrottleGate } from '../../../src/connectors/throttle-gate';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ThrottleGate', () => {
  it('holds back every request of the identity until the block ends, not just the one that was throttled', async () => {
    const gate = new ThrottleGate({ service: 'dataverse' });
    const blockedAt = Date.now();
    gate.blockFor(150);
    const startedAt: number[] = [];
    await Promise.all(
      [1, 2, 3].map(() =>
        gate.run(async () => {
          startedAt.push(Date.now());
        }),
      ),
    );
    expect(startedAt).toHaveLength(3);
    for (const at of startedAt) expect(at - blockedAt).toBeGreaterThanOrEqual(145);
    const metrics = gate.metrics();
    expect(metrics.throttledResponses).toBe(1);
    expect(metrics.waitedMs).toBeGreaterThanOrEqual(3 * 140);
  });

  it('a longer block lengthens the wait of requests already waiting; a shorter one does not shorten it', async () => {
    const gate = new ThrottleGate({ service: 'fno' });
    const blockedAt = Date.now();
    gate.blockFor(100);
    const ran = gate.run(async () => Date.now());
    await new Promise((resolve) => setTimeout(resolve, 30));
    gate.blockFor(250);
    gate.blockFor(10);
    const at = await ran;
    expect(at - blockedAt).toBeGreaterThanOrEqual(245);
    expect(gate.metrics().throttledResponses).toBe(3);
  });

  it('runs at once when open and keeps no block afterwards', async () => {
    const gate = new ThrottleGate({ service: 'fno' });
    expect(await gate.run(async () => 42)).toBe(42);
    expect(gate.remainingBlockMs()).toBe(0);
    expect(gate.metrics()).toMatchObject({ blockedUntil: 0, inFlight: 0, throttledResponses: 0 });
  });

  it('fails as throttled instead of waiting past a deadline, with the wait still due', async () => {
    const gate = new ThrottleGate({ service: 'dataverse' });
    gate.blockFor(5_000);
    let ran = false;
    const error = await gate
      .run(
        async () => {
          ran = true;
        },
        { deadline: Date.now() + 100 },
      )
      .catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: 'throttled', service: 'dataverse' });
    expect((error as ConnectorError).retryAfterMs).toBeGreaterThan(4_000);
  });

  it('a block arriving while waiting beyond the deadline fails the waiter early', async () => {
    const gate = new ThrottleGate({ service: 'fno' });
    gate.blockFor(50);
    const started = Date.now();
    const waiting = gate.run(async () => 'sent', { deadline: Date.now() + 5_000 }).catch((e: unknown) => e);
    await tick();
    gate.blockFor(60_000);
    const error = await waiting;
    expect(error).toMatchObject({ kind: 'throttled' });
    // Early: long before the 5 s deadline (a loaded machine adds milliseconds, not seconds).
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('limits concurrency and releases slots when a request fails', async () => {
    const gate = new ThrottleGate({ service: 'fno', maxConcurrency: 2 });
    let inFlight = 0;
    let peak = 0;
    const work = async (fail: boolean) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight -= 1;
      if (fail) throw new Error('boom');
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => gate.run(() => work(i % 2 === 0))));
    expect(peak).toBe(2);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(3);
    expect(gate.metrics()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('adapts: halves the limit on a 429 and grows it back one at a time', async () => {
    const gate = new ThrottleGate({ service: 'fno', maxConcurrency: 8, adaptive: { min: 1 } });
    expect(gate.metrics().concurrencyLimit).toBe(8);
    gate.blockFor(0);
    expect(gate.metrics().concurrencyLimit).toBe(4);
    gate.blockFor(0);
    gate.blockFor(0);
    gate.blockFor(0);
    expect(gate.metrics().concurrencyLimit).toBe(1);
    for (let i = 0; i < 1; i += 1) await gate.run(async () => undefined);
    expect(gate.metrics().concurrencyLimit).toBe(2);
    for (let i = 0; i < 2; i += 1) await gate.run(async () => undefined);
    expect(gate.metrics().concurrencyLimit).toBe(3);
  });

  it('refuses a concurrency limit below one', () => {
    expect(() => new ThrottleGate({ service: 'fno', maxConcurrency: 0 })).toThrow(RangeError);
  });
});

describe('sharedThrottleGate', () => {
  it('is one gate per service, client id and origin', () => {
    const a = sharedThrottleGate({ service: 'dataverse', clientId: 'app-a', url: 'https://org.crm.dynamics.com' });
    expect(sharedThrottleGate({ service: 'dataverse', clientId: 'app-a', url: 'https://org.crm.dynamics.com/api/data/v9.2/' })).toBe(a);
    expect(sharedThrottleGate({ service: 'dataverse', clientId: 'app-b', url: 'https://org.crm.dynamics.com' })).not.toBe(a);
    expect(sharedThrottleGate({ service: 'fno', clientId: 'app-a', url: 'https://org.crm.dynamics.com' })).not.toBe(a);
    expect(sharedThrottleGate({ service: 'dataverse', clientId: 'app-a', url: 'https://other.crm.dynamics.com' })).not.toBe(a);
  });
});
