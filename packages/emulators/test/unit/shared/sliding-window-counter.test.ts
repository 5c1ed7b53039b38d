import { describe, expect, it } from 'vitest';
import { ConcurrencyGauge } from '../../../src/shared/concurrency-gauge';
import { retryAfterSeconds } from '../../../src/shared/retry-after';
import { SlidingWindowCounter } from '../../../src/shared/sliding-window-counter';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('SlidingWindowCounter', () => {
  it('sums amounts per key within the window and forgets them after it', () => {
    const time = clock();
    const counter = new SlidingWindowCounter({ windowMs: 10_000, buckets: 10, now: time.now });
    counter.add('a', 3);
    counter.add('b');
    time.advance(4_000);
    counter.add('a', 2);
    expect(counter.total('a')).toBe(5);
    expect(counter.total('b')).toBe(1);
    expect(counter.total('unknown')).toBe(0);
    time.advance(6_000);
    expect(counter.total('a')).toBe(2);
    expect(counter.total('b')).toBe(0);
    time.advance(4_000);
    expect(counter.total('a')).toBe(0);
  });

  it('tells how long until the amount drops below a limit', () => {
    const time = clock(0);
    const counter = new SlidingWindowCounter({ windowMs: 10_000, buckets: 10, now: time.now });
    counter.add('k', 4); // bucket 0
    time.advance(3_500);
    counter.add('k', 4); // bucket 3
    time.advance(1_000); // now 4500
    expect(counter.msUntilBelow('k', 9)).toBe(0);
    // Below 8 once bucket 0 leaves the window, at 10,000 ms.
    expect(counter.msUntilBelow('k', 8)).toBe(5_500);
    // Below 4 once bucket 3 leaves too, at 13,000 ms.
    expect(counter.msUntilBelow('k', 4)).toBe(8_500);
    time.advance(5_500);
    expect(counter.total('k')).toBe(4);
    expect(counter.msUntilBelow('k', 8)).toBe(0);
  });

  it('survives long idle gaps and keeps keys independent', () => {
    const time = clock();
    const counter = new SlidingWindowCounter({ windowMs: 1_000, now: time.now });
    for (let i = 0; i < 100; i += 1) {
      counter.add('x');
      time.advance(5);
    }
    expect(counter.total('x')).toBe(100);
    time.advance(1_000_000);
    expect(counter.total('x')).toBe(0);
    counter.add('x', 7);
    expect(counter.total('x')).toBe(7);
    counter.reset();
    expect(counter.total('x')).toBe(0);
  });
});

describe('ConcurrencyGauge', () => {
  it('refuses beyond the ceiling and frees slots on release', () => {
    const gauge = new ConcurrencyGauge(2);
    expect(gauge.tryAcquire('u')).toBe(true);
    expect(gauge.tryAcquire('u')).toBe(true);
    expect(gauge.tryAcquire('u')).toBe(false);
    expect(gauge.tryAcquire('v')).toBe(true);
    expect(gauge.current('u')).toBe(2);
    gauge.release('u');
    expect(gauge.tryAcquire('u')).toBe(true);
    gauge.release('u');
    gauge.release('u');
    expect(gauge.current('u')).toBe(0);
  });
});

describe('retryAfterSeconds', () => {
  it('rounds up to whole seconds, at least one', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(29_500)).toBe(30);
  });
});
