import { describe, expect, it } from 'vitest';
import { ServiceProtection } from '../../../src/dataverse/service-protection';

/** Microsoft's documented defaults, on a clock the test moves. */
function documented() {
  const clock = { now: 1_000_000_000 };
  const protection = new ServiceProtection({}, () => clock.now);
  return { clock, protection };
}

const refusal = (error: ReturnType<ServiceProtection['admit']>) =>
  error === undefined ? undefined : { status: error.status, code: error.code, message: error.message, retryAfter: error.headers['Retry-After'] };

describe('Dataverse service protection at the documented limits (api-limits page)', () => {
  it('admits 6,000 requests per user in 300 s and refuses the 6,001st with 0x80072322, its message and Retry-After', () => {
    const { clock, protection } = documented();
    for (let i = 0; i < 6000; i += 1) expect(protection.admit('app')).toBeUndefined();
    clock.now += 100_000;
    expect(refusal(protection.admit('app'))).toEqual({
      status: 429,
      code: '0x80072322',
      message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
      // The 6,000 requests made 100 s ago leave the window 200 s from now.
      retryAfter: '200',
    });
    // Another user is not affected.
    expect(protection.admit('other-app')).toBeUndefined();
    // Once they left, the user is admitted again (the refused request stays counted until it leaves too).
    clock.now += 200_000;
    expect(protection.admit('app')).toBeUndefined();
  });

  it('charges execution time; once 1,200,000 ms are reached the next request gets 0x80072321 with the documented message', () => {
    const { clock, protection } = documented();
    expect(protection.admit('app')).toBeUndefined();
    protection.charge('app', 1_199_999);
    // Still under the limit: admitted, and this request's own server time crosses it (it runs to its end).
    expect(protection.admit('app')).toBeUndefined();
    protection.charge('app', 30);
    clock.now += 60_000;
    expect(refusal(protection.admit('app'))).toEqual({
      status: 429,
      code: '0x80072321',
      message:
        'Combined execution time of incoming requests exceeded limit of 1,200,000 milliseconds over time window of 300 seconds. ' +
        'Decrease number of concurrent requests or reduce the duration of requests and try again later.',
      retryAfter: '240',
    });
    clock.now += 240_000;
    expect(protection.admit('app')).toBeUndefined();
  });

  it('the rest of a request\'s time in flight is charged when it ends', () => {
    const { protection } = documented();
    protection.admit('app');
    protection.charge('app', 1_000_000);
    protection.depart('app', 200_000);
    expect(refusal(protection.admit('app'))?.code).toBe('0x80072321');
  });

  it('allows 52 requests in flight per user; the 53rd is refused at once with 0x80072326', () => {
    const { protection } = documented();
    for (let i = 0; i < 52; i += 1) protection.arrive('app');
    expect(protection.checkConcurrency('app')).toBeUndefined();
    protection.arrive('app');
    expect(refusal(protection.checkConcurrency('app'))).toEqual({
      status: 429,
      code: '0x80072326',
      message: 'Number of concurrent requests exceeded the limit of 52.',
      retryAfter: '1',
    });
    protection.arrive('other-app');
    expect(protection.checkConcurrency('other-app')).toBeUndefined();
    protection.depart('app', 0);
    expect(protection.checkConcurrency('app')).toBeUndefined();
  });
});
