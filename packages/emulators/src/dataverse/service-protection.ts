import { retryAfterSeconds, SlidingWindowCounter } from '../shared';
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
 * The window's amounts leave it in steps of windowMs / 600 (0.5 s of the documented 300 s): a bound computed for an
 * exact sliding window holds to within 0.17 %.
 */
const WINDOW_BUCKETS = 600;

/**
 * The three limits, enforced as Dataverse does (Microsoft's "Service protection API limits" page): each request
 * counts once (a `$batch` or a bulk message too, whatever it holds); once a window limit has been reached, further
 * requests are answered 429 with `Retry-After` — the time until the window falls back under the limit — while the
 * request that crossed it completes (Microsoft: errors are returned "on subsequent requests"). Refused requests
 * count as requests too, so a client that keeps sending while throttled keeps its window full and its wait long.
 * Execution time is charged as the request runs: its operations' server time when they start (`charge`), the rest
 * of its time in flight (injected latency, transfer) when it ends (`depart`).
 */
export class ServiceProtection {
  readonly limits: ServiceProtectionLimits;
  private readonly requests: SlidingWindowCounter;
  private readonly execution: SlidingWindowCounter;
  private readonly inFlightByUser = new Map<string, number>();

  constructor(limits: Partial<ServiceProtectionLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...defaultServiceProtectionLimits, ...limits };
    this.requests = new SlidingWindowCounter({ windowMs: this.limits.windowMs, buckets: WINDOW_BUCKETS, now });
    this.execution = new SlidingWindowCounter({ windowMs: this.limits.windowMs, buckets: WINDOW_BUCKETS, now });
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
        `Combined execution time of incoming requests exceeded limit of ${maxExecutionMs.toLocaleString('en-US')} milliseconds over time window of ${windowMs / 1000} seconds. ` +
          'Decrease number of concurrent requests or reduce the duration of requests and try again later.',
        this.execution.msUntilBelow(user, maxExecutionMs),
      );
    }
    return undefined;
  }

  /**
   * A request of `user` arrived: it is in flight from now on, through any injected latency, until `depart`.
   * Counted before it is checked, so requests waiting in latency count against the concurrency limit too.
   */
  arrive(user: string): void {
    this.inFlightByUser.set(user, (this.inFlightByUser.get(user) ?? 0) + 1);
  }

  /** Server time of a request's operations, charged to the execution-time window as they start to run. */
  charge(user: string, executionMs: number): void {
    if (executionMs > 0) this.execution.add(user, executionMs);
  }

  /** The request's response is done (or its connection gone): the rest of its time in flight counts for the window. */
  depart(user: string, executionMs: number): void {
    const current = this.inFlightByUser.get(user) ?? 0;
    if (current <= 1) this.inFlightByUser.delete(user);
    else this.inFlightByUser.set(user, current - 1);
    if (executionMs > 0) this.execution.add(user, executionMs);
  }

  /** The 429 to answer when `user` has more requests in flight than allowed (this one included). */
  checkConcurrency(user: string): DataverseError | undefined {
    if (this.inFlight(user) <= this.limits.maxConcurrent) return undefined;
    return throttled('0x80072326', `Number of concurrent requests exceeded the limit of ${this.limits.maxConcurrent}.`, 1000);
  }

  inFlight(user: string): number {
    return this.inFlightByUser.get(user) ?? 0;
  }
}

function throttled(code: string, message: string, waitMs: number): DataverseError {
  return new DataverseError(429, code, message, { 'Retry-After': String(retryAfterSeconds(waitMs)) });
}
