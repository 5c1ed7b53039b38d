import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 5_000 };

/**
 * "Full jitter" exponential backoff: a random wait up to base·2^attempt (capped), so clients that failed together
 * do not retry together.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(random() * ceiling);
}

export async function sleep(ms: number): Promise<void> {
  if (ms > 0) await delay(ms);
}
