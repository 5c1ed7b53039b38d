/**
 * The `Retry-After` header value (whole seconds, at least 1) for a wait in milliseconds. Rounding up: a client that
 * waits exactly as told must find the window open.
 */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
