import { setTimeout as delay } from 'node:timers/promises';
import { TransportError, type Logger } from '@temporalio/worker';

export interface BackoffOptions {
  /** First wait after a failed attempt; doubles after each failure. */
  initialDelayMs: number;
  /** Longest wait between two attempts. */
  maxDelayMs: number;
  /** No attempt starts later than this after the first one: then the last error is thrown. */
  giveUpAfterMs: number;
}

/**
 * A worker started while Temporal restarts (or before it is up: `docker compose up`, a rolling restart) would
 * otherwise exit at once with a connection error and, without a supervisor, stay down (BENCHMARKS.md, B6). A few
 * minutes cover a server restart; after that something is really wrong and exiting lets a supervisor say so.
 */
export const defaultConnectBackoff: BackoffOptions = { initialDelayMs: 1_000, maxDelayMs: 30_000, giveUpAfterMs: 5 * 60_000 };

export interface ConnectWithBackoffOptions<T> {
  connect: () => Promise<T>;
  /** Where each failed attempt is reported. */
  logger: Pick<Logger, 'warn'>;
  /** What is being connected to, for the log (an address: never a credential). */
  target: string;
  backoff?: BackoffOptions;
  /** Stops waiting (a shutdown signal); the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Which errors are worth another attempt; transport errors (refused, unreachable, timed out) by default. */
  retryable?: (error: unknown) => boolean;
  /** Injected by tests. */
  clock?: { now: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void> };
}

// Only the network is retried: a malformed address, bad TLS settings or a rejected API key fail the same way on every
// attempt, and waiting five minutes to report them helps nobody.
const isTransportError = (error: unknown): boolean => error instanceof TransportError;

/** Calls `connect` until it succeeds: waits 1 s, 2 s, 4 s, … up to 30 s between attempts, for about 5 minutes. */
export async function connectWithBackoff<T>(options: ConnectWithBackoffOptions<T>): Promise<T> {
  const backoff = options.backoff ?? defaultConnectBackoff;
  const retryable = options.retryable ?? isTransportError;
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  let delayMs = backoff.initialDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    options.signal?.throwIfAborted();
    try {
      return await options.connect();
    } catch (error) {
      const elapsedMs = clock.now() - started;
      if (!retryable(error) || elapsedMs + delayMs > backoff.giveUpAfterMs) throw error;
      options.logger.warn('Temporal unreachable, retrying', { target: options.target, attempt, retryInMs: delayMs, elapsedMs, error });
      await clock.sleep(delayMs, options.signal).catch((sleepError: unknown) => {
        // Interrupted: the caller learns why (its abort reason), not that a timer was cancelled.
        throw options.signal?.aborted ? options.signal.reason : sleepError;
      });
      delayMs = Math.min(delayMs * 2, backoff.maxDelayMs);
    }
  }
}

const systemClock = { now: () => Date.now(), sleep: (ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : {}) };
