/**
 * Like `Promise.all`, but a rejection is thrown only once every promise has settled, and it is the first in the
 * list's order, not in time: a caller that fails leaves no request of its own still running (a unit's writes racing
 * its retry, a read after the check that started it has failed), and which failure it reports does not depend on
 * timing.
 */
export async function settledAll<T extends readonly unknown[] | []>(values: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const outcomes: readonly PromiseSettledResult<unknown>[] = await Promise.allSettled(values as readonly unknown[]);
  const settled: unknown[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') throw outcome.reason;
    settled.push(outcome.value);
  }
  return settled as { -readonly [K in keyof T]: Awaited<T[K]> };
}
