import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../src/connectors/errors';
import { ExecutionPacer, RESERVE_CAP, RESERVE_FLOOR, RESERVE_GROWTH } from '../../../src/connectors/execution-pacer';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';

// The pacer's estimate of Dataverse's sliding windows, on a clock the tests move. Every expectation is worked out by
// hand in the comments.

function clock(start = 0) {
  const state = { now: start };
  return { now: () => state.now, set: (ms: number) => (state.now = ms) };
}

describe('ExecutionPacer', () => {
  it('charges an unmeasured kind its default, then the mean measured per unit, and holds until a charge leaves the window', () => {
    const time = clock();
    const pacer = new ExecutionPacer({ windowMs: 10_000, maxRequests: 5, maxExecutionMs: 1_000 }, { now: time.now, marginMs: 0, unknownRequestMs: 400 });
    expect(pacer.waitMs()).toBe(0);
    const first = pacer.start({ key: 'batch', units: 2 }); // unknown kind: 400
    const second = pacer.start({ key: 'batch', units: 2 }); // 800
    expect(pacer.waitMs()).toBe(0);
    const third = pacer.start({ key: 'batch', units: 2 }); // 1,200 >= 1,000
    // Only requests in flight in the window: the first would leave it at 0 + 10,000.
    expect(pacer.waitMs()).toBe(10_000);

    time.set(100);
    pacer.settle(first, 300); // 1,200 - 400 + 300 = 1,100; 150 ms per unit
    expect(pacer.metrics()).toMatchObject({ executionMs: 1_100, requests: 3, inFlight: 2 });
    time.set(200);
    pacer.settle(second, 200); // 1,100 - 400 + 200 = 900; 150 x 0.75 + 100 x 0.25 = 137.5 per unit
    expect(pacer.waitMs()).toBe(0);
    time.set(300);
    pacer.settle(third, 250); // 900 - 400 + 250 = 750; 137.5 x 0.75 + 125 x 0.25 = 134.375 per unit

    pacer.start({ key: 'batch', units: 4 }); // 4 x 134.375 = 537.5: 1,287.5
    expect(pacer.metrics().executionMs).toBe(1_287.5);
    time.set(400);
    // Without the first (at 0, 300 ms): 987.5 < 1,000, at 0 + 10,000, 9,600 ms from now.
    expect(pacer.waitMs()).toBe(9_600);
    time.set(10_000);
    expect(pacer.waitMs()).toBe(0);
    // The three sent at 0 have all left; the one sent at 300 is still in flight at its estimate.
    expect(pacer.metrics()).toMatchObject({ executionMs: 537.5, requests: 1, inFlight: 1 });
  });

  it('sends a kind not measured yet as many at a time as the limit\'s average in flight (budget / window) until the first of it ends', () => {
    const time = clock();
    // 4,000 ms of execution per 1,000 ms: 4 at a time.
    const pacer = new ExecutionPacer({ windowMs: 1_000, maxRequests: 100, maxExecutionMs: 4_000 }, { now: time.now, marginMs: 0, unknownRequestMs: 300 });
    const probe = pacer.start({ key: '$batch PATCH', units: 20 }); // 300 each
    for (let i = 0; i < 3; i++) pacer.start({ key: '$batch PATCH', units: 20 });
    // 1,200 of 4,000: room, but four of the kind are out and none has ended.
    expect(pacer.metrics()).toMatchObject({ executionMs: 1_200, inFlight: 4 });
    expect(pacer.waitMs({ key: '$batch PATCH' })).toBe(1_000);
    expect(pacer.waitMs({ key: 'GET' })).toBe(0);
    time.set(200);
    pacer.settle(probe, 200); // 1,200 - 300 + 200 = 1,100; 10 ms per unit
    expect(pacer.waitMs({ key: '$batch PATCH' })).toBe(0);
    // Measured now: the three still in flight keep their 300, a new one is charged 20 x 10 ms.
    pacer.start({ key: '$batch PATCH', units: 20 });
    pacer.start({ key: '$batch PATCH', units: 20 });
    expect(pacer.metrics()).toMatchObject({ executionMs: 1_500, inFlight: 5 });
  });

  it('sends a kind not measured yet one at a time when the budget is less than twice the window', () => {
    const time = clock();
    const pacer = new ExecutionPacer({ windowMs: 10_000, maxRequests: 100, maxExecutionMs: 100_000 / 6 }, { now: time.now, marginMs: 0, unknownRequestMs: 100 });
    const probe = pacer.start({ key: '$batch PATCH', units: 20 });
    expect(pacer.waitMs({ key: '$batch PATCH' })).toBe(1_000);
    time.set(200);
    pacer.settle(probe, 200);
    expect(pacer.waitMs({ key: '$batch PATCH' })).toBe(0);
  });

  it('counts requests against their own budget, whatever they cost, and adds the margin to their time in the window', () => {
    const time = clock(1_000);
    const pacer = new ExecutionPacer({ windowMs: 10_000, maxRequests: 2, maxExecutionMs: 1_000_000 }, { now: time.now, marginMs: 50 });
    pacer.settle(pacer.start({ key: 'GET', units: 1 }), 5);
    time.set(2_000);
    pacer.settle(pacer.start({ key: 'GET', units: 1 }), 5);
    time.set(3_000);
    // Two in the window: the first leaves at 1,000 + 10,000 + 50.
    expect(pacer.waitMs()).toBe(8_050);
    time.set(11_049);
    expect(pacer.waitMs()).toBe(1);
    time.set(11_050);
    expect(pacer.waitMs()).toBe(0);
    expect(pacer.metrics()).toMatchObject({ requests: 1, executionMs: 5 });
  });

  it('bulk requests leave the reserve to the others: 2 %, plus 1.25 times what the others charge in the window, at most 25 %', () => {
    expect(RESERVE_FLOOR).toBe(0.02);
    expect(RESERVE_GROWTH).toBe(1.25);
    expect(RESERVE_CAP).toBe(0.25);
    const time = clock();
    const pacer = new ExecutionPacer({ windowMs: 10_000, maxRequests: 1_000, maxExecutionMs: 1_000 }, { now: time.now, marginMs: 0 });
    // A read of 0 ms in the window: the bulk job shares it, so it is paced (alone it would not be, below).
    pacer.settle(pacer.start({ key: 'GET', units: 1 }), 0);
    // Bulk charges of 979 ms: below 98 % of 1,000.
    pacer.settle(pacer.start({ key: 'batch', units: 1, bulk: true }), 979);
    expect(pacer.waitMs({ bulk: true })).toBe(0);
    pacer.settle(pacer.start({ key: 'batch', units: 1, bulk: true }), 1); // 980: a bulk request waits, another goes
    expect(pacer.metrics().reserve).toBe(0.02);
    expect(pacer.waitMs({ bulk: true })).toBe(10_000);
    expect(pacer.waitMs({ bulk: false })).toBe(0);
    // A read of 50 ms: 1,030 in all, 50 of it others' — reserve 2 % + 1.25 x 50 / 1,000 = 8.25 %.
    pacer.settle(pacer.start({ key: 'GET', units: 1 }), 50);
    expect(pacer.metrics()).toMatchObject({ executionMs: 1_030, otherExecutionMs: 50 });
    expect(pacer.metrics().reserve).toBeCloseTo(0.0825, 10);
    expect(pacer.waitMs({ bulk: false })).toBe(10_000);
    // At 10,000 every charge (all made at 0) has left the window: the floor again.
    time.set(10_000);
    expect(pacer.waitMs({ bulk: true })).toBe(0);
    expect(pacer.metrics()).toMatchObject({ executionMs: 0, reserve: 0.02 });
    expect(pacer.sharedWithOthers()).toBe(false);
    // Others charging 100: reserve 2 % + 12.5 % = 14.5 %, so the bulk job's own charges stay below 855 — the others'
    // 100 are not counted against it a second time: 854 of bulk (954 in all) still lets one more go.
    pacer.settle(pacer.start({ key: 'GET', units: 1 }), 100);
    pacer.settle(pacer.start({ key: 'batch', units: 1, bulk: true }), 854);
    expect(pacer.metrics()).toMatchObject({ executionMs: 954, otherExecutionMs: 100 });
    expect(pacer.metrics().reserve).toBeCloseTo(0.145, 10);
    expect(pacer.waitMs({ bulk: true })).toBe(0);
    pacer.settle(pacer.start({ key: 'batch', units: 1, bulk: true }), 1);
    // 855 of bulk: held until the charges of 10,000 leave; the others still have 1,000 - 955 = 45 ms of room.
    expect(pacer.waitMs({ bulk: true })).toBe(10_000);
    expect(pacer.waitMs({ bulk: false })).toBe(0);
    // Others charging 150 of 1,000: 2 % + 18.75 % = 20.75 %; 200 would ask for 27 %: capped at 25 %.
    pacer.settle(pacer.start({ key: 'GET', units: 1 }), 50);
    expect(pacer.metrics().reserve).toBeCloseTo(0.2075, 10);
    pacer.settle(pacer.start({ key: 'GET', units: 1 }), 50);
    expect(pacer.metrics()).toMatchObject({ otherExecutionMs: 200, reserve: 0.25 });
  });

  it('does not pace a bulk job alone: charged, never held, until another request counts in the window or is held for room', () => {
    const time = clock();
    const pacer = new ExecutionPacer({ windowMs: 10_000, maxRequests: 100, maxExecutionMs: 1_000 }, { now: time.now, marginMs: 0 });
    // 1,500 ms of bulk charges, over the 1,000 ms budget: alone, the next bulk request still goes (the service's 429
    // and Retry-After hold it back), but a read would be held until that charge leaves the window at 10,000.
    pacer.settle(pacer.start({ key: 'batch', units: 1, bulk: true }), 1_500);
    expect(pacer.sharedWithOthers()).toBe(false);
    expect(pacer.waitMs({ bulk: true })).toBe(0);
    expect(pacer.waitMs({ bulk: false })).toBe(10_000);
    // That read held for room: the bulk job now shares the window and waits for it first.
    const held = pacer.holding({ bulk: false });
    expect(pacer.sharedWithOthers()).toBe(true);
    expect(pacer.waitMs({ bulk: true })).toBe(1_000);
    held.release();
    expect(pacer.sharedWithOthers()).toBe(false);
    // At 10,000 the charge has left. A read of 10 ms counts in the window until 20,000: reserve 2 % + 1.25 x 10 / 1,000
    // = 3.25 %, so the bulk job's own charges stay below 967.5; 980 of them hold the next until both leave at 20,000.
    time.set(10_000);
    pacer.settle(pacer.start({ key: 'GET', units: 1 }), 10);
    expect(pacer.sharedWithOthers()).toBe(true);
    pacer.settle(pacer.start({ key: 'batch', units: 1, bulk: true }), 980);
    expect(pacer.waitMs({ bulk: true })).toBe(10_000);
    expect(pacer.waitMs({ bulk: false })).toBe(0);
    // Once the read has left the window the bulk job is alone again.
    time.set(20_000);
    expect(pacer.sharedWithOthers()).toBe(false);
    expect(pacer.waitMs({ bulk: true })).toBe(0);
  });

  it('the requests budget has its own reserve, from the others\' requests', () => {
    const time = clock();
    const pacer = new ExecutionPacer({ windowMs: 10_000, maxRequests: 100, maxExecutionMs: 1_000_000 }, { now: time.now, marginMs: 0 });
    // 8 other requests: 2 % + 1.25 x 8 / 100 = 12 %, so bulk requests may have 88 of their own in the window.
    for (let i = 0; i < 8; i++) pacer.settle(pacer.start({ key: 'GET', units: 1 }), 0);
    for (let i = 0; i < 87; i++) pacer.settle(pacer.start({ key: 'batch', units: 1, bulk: true }), 0);
    expect(pacer.waitMs({ bulk: true })).toBe(0);
    pacer.settle(pacer.start({ key: 'batch', units: 1, bulk: true }), 0);
    expect(pacer.waitMs({ bulk: true })).toBe(10_000);
    // 96 of 100 in all: the others still go.
    expect(pacer.waitMs({ bulk: false })).toBe(0);
    // The execution budget's reserve is the floor: the others charged no time.
    expect(pacer.metrics()).toMatchObject({ requests: 96, reserve: 0.02 });
  });

  it('a request still in flight when its send time leaves the window keeps counting, and is charged from its end', () => {
    const time = clock();
    const pacer = new ExecutionPacer({ windowMs: 1_000, maxRequests: 100, maxExecutionMs: 500 }, { now: time.now, marginMs: 0, unknownRequestMs: 600 });
    const long = pacer.start({ key: 'slow', units: 1 });
    time.set(2_000);
    // Out of the window by its send time, but in flight: the estimate (600) still counts; its end is the event.
    expect(pacer.metrics()).toMatchObject({ executionMs: 600, requests: 1 });
    expect(pacer.waitMs()).toBe(1_000);
    pacer.settle(long, 2_000);
    // Charged at 2,000 with what it measured: 2,000 ms until 3,000.
    expect(pacer.metrics()).toMatchObject({ executionMs: 2_000, requests: 1, inFlight: 0 });
    expect(pacer.waitMs()).toBe(1_000);
    time.set(3_000);
    expect(pacer.waitMs()).toBe(0);
  });

  it('refuses a budget without a window or without room', () => {
    expect(() => new ExecutionPacer({ windowMs: 0, maxRequests: 1, maxExecutionMs: 1 })).toThrow(RangeError);
    expect(() => new ExecutionPacer({ windowMs: 1, maxRequests: 0, maxExecutionMs: 1 })).toThrow(RangeError);
  });
});

describe('ThrottleGate with a pacer', () => {
  it('holds bulk requests while another request is held for room, and wakes them when none is', async () => {
    const time = clock();
    const pacer = new ExecutionPacer({ windowMs: 10_000, maxRequests: 100, maxExecutionMs: 1_000 }, { now: time.now, marginMs: 0 });
    expect(pacer.waitMs({ bulk: true })).toBe(0);
    const bulkHold = pacer.holding({ bulk: true }); // a bulk request held changes nothing
    expect(pacer.waitMs({ bulk: true })).toBe(0);
    const held = pacer.holding({ bulk: false });
    // The window has room, but a read is held: bulk requests look again after a second (or when woken).
    expect(pacer.waitMs({ bulk: true })).toBe(1_000);
    expect(pacer.waitMs({ bulk: false })).toBe(0);
    const woken = pacer.changed();
    let wakes = 0;
    void woken.promise.then(() => (wakes += 1));
    held.release();
    held.release(); // once only
    bulkHold.release();
    await woken.promise;
    expect(wakes).toBe(1);
    expect(pacer.waitMs({ bulk: true })).toBe(0);
  });

  it('through the gate, a read held for room goes before the bulk requests held with it', async () => {
    // 600 ms of execution per 300 ms window: two bulk requests of ~300 ms measured fill it.
    const pacer = new ExecutionPacer({ windowMs: 300, maxRequests: 100, maxExecutionMs: 600 }, { marginMs: 0, unknownRequestMs: 300 });
    const gate = new ThrottleGate({ service: 'dataverse', maxConcurrency: 52, pacer });
    const order: string[] = [];
    const bulk = { key: 'batch', units: 1, bulk: true };
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 300));
    // A read in the window first: the bulk requests share it with others, so they are paced.
    await gate.run(async () => undefined, { cost: { key: 'GET', units: 1 } });
    // Fill the window: two bulk requests at once (300 ms each, estimated 300 each as an unmeasured kind, 2 probes).
    const filling = [gate.run(slow, { cost: bulk }), gate.run(slow, { cost: bulk })];
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Held: three bulk requests first, then a read.
    const waiting = [1, 2, 3].map((i) => gate.run(async () => void order.push(`bulk ${i}`), { cost: bulk }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const read = gate.run(async () => void order.push('read'), { cost: { key: 'GET', units: 1 } });
    await Promise.all([...filling, ...waiting, read]);
    expect(order[0]).toBe('read');
    expect(order).toHaveLength(4);
  });

  it('sends at once while the window has room, then holds a request until the first charge leaves the window', async () => {
    const pacer = new ExecutionPacer({ windowMs: 300, maxRequests: 2, maxExecutionMs: 1_000_000 }, { marginMs: 0 });
    const gate = new ThrottleGate({ service: 'dataverse', maxConcurrency: 52, pacer });
    const started = Date.now();
    const at: number[] = [];
    await Promise.all([1, 2, 3].map(() => gate.run(async () => void at.push(Date.now() - started))));
    // Two requests per 300 ms: the first two at once, the third once the first has left the window.
    expect(at[0]).toBeLessThan(100);
    expect(at[1]).toBeLessThan(100);
    expect(at[2]).toBeGreaterThanOrEqual(295);
    expect(gate.metrics()).toMatchObject({ pacedRequests: 1, throttledResponses: 0 });
  });

  it('holds a request past the 429 deadline while the window frees, but fails it as throttled after two windows and the slack', async () => {
    const pacer = new ExecutionPacer({ windowMs: 200, maxRequests: 1, maxExecutionMs: 1_000_000 }, { marginMs: 0 });
    const gate = new ThrottleGate({ service: 'dataverse', pacer, pacerHoldSlackMs: 0 });
    await gate.run(async () => undefined);
    // The window frees 200 ms after the first request: held past a 50 ms deadline (that one is for 429s), not failed.
    const started = Date.now();
    await gate.run(async () => undefined, { deadline: Date.now() + 50 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    // A request that never ends fills the window for good: the next is held two windows (400 ms), then fails.
    void gate.run(() => new Promise<void>(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 250));
    const error = await gate.run(async () => undefined).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).kind).toBe('throttled');
    expect((error as Error).message).toMatch(/^dataverse's service protection budget \(1 requests, 1000000 ms of execution per 200 ms\) is spent for another \d+ ms as this client counts it/);
  });
});
