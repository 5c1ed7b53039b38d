import { ConcurrencyGauge, retryAfterSeconds, SlidingWindowCounter } from '../shared';
import { DataverseError } from './dataverse-error';

/** Dataverse's service protection limits, per user (contract §2); all scalable down for tests. */
export interface ServiceProtectionLimits {
  /** Sliding window length (default 300 000 ms). */
  windowMs: number;
  /** Requests per user per window (default 6000). */
  maxRequests: number;
  /** Combined execution time per user per window (default 1 200 000 ms). */
  maxExecutionMs: number;
  /** Requests in flight per user (default 52). */
  maxConcurrent: number;
}

export const defaultServiceProtectionLimits: ServiceProtectionLimits = {
  windowMs: 300_000,
  maxRequests: 6000,
  maxExecutionMs: 1_200_000,
  maxConcurrent: 52,
};

/**
 * The three limits, enforced as Dataverse does: each request (and each request inside a `$batch`) counts; over a
 * limit the answer is 429 with `Retry-After` — the time until the window falls back under the limit. Refused
 * requests count as requests too, so a client that keeps sending while throttled keeps its window full and its
 * wait long.
 */
export class ServiceProtection {
  readonly limits: ServiceProtectionLimits;
  private readonly requests: SlidingWindowCounter;
  private readonly execution: SlidingWindowCounter;
  private readonly concurrency: ConcurrencyGauge;

  constructor(limits: Partial<ServiceProtectionLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...defaultServiceProtectionLimits, ...limits };
    this.requests = new SlidingWindowCounter({ windowMs: this.limits.windowMs, now });
    this.execution = new SlidingWindowCounter({ windowMs: this.limits.windowMs, now });
    this.concurrency = new ConcurrencyGauge(this.limits.maxConcurrent);
  }

  /** Counts one request of `user`; the 429 to answer instead when a window limit is exceeded. */
  admit(user: string): DataverseError | undefined {
    const { maxRequests, maxExecutionMs, windowMs } = this.limits;
    const overRequests = this.requests.total(user) >= maxRequests;
    this.requests.add(user, 1);
    if (overRequests) {
      return throttled(
        '0x80072322',
        `Number of requests exceeded the limit of ${maxRequests} over time window of ${windowMs / 1000} seconds.`,
        this.requests.msUntilBelow(user, maxRequests),
      );
    }
    if (this.execution.total(user) >= maxExecutionMs) {
      return throttled(
        '0x80072321',
        `Combined execution time of incoming requests exceeded limit of ${maxExecutionMs} milliseconds over time window of ${windowMs / 1000} seconds. ` +
          'Decrease number of concurrent requests or reduce the duration of requests and try again later.',
        this.execution.msUntilBelow(user, maxExecutionMs),
      );
    }
    return undefined;
  }

  /** Takes a concurrency slot for a whole HTTP request; the 429 to answer when `user` has too many in flight. */
  enter(user: string): DataverseError | undefined {
    if (this.concurrency.tryAcquire(user)) return undefined;
    return throttled('0x80072326', `Number of concurrent requests exceeded the limit of ${this.limits.maxConcurrent}.`, 1000);
  }

  leave(user: string, executionMs: number): void {
    this.concurrency.release(user);
    this.execution.add(user, executionMs);
  }

  inFlight(user: string): number {
    return this.concurrency.current(user);
  }
}

function throttled(code: string, message: string, waitMs: number): DataverseError {
  return new DataverseError(429, code, message, { 'Retry-After': String(retryAfterSeconds(waitMs)) });
}
