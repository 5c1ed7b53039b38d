import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/connectors/backoff';

describe('backoffDelayMs', () => {
  const policy = { baseMs: 100, maxMs: 1_000 };

  it('grows the ceiling exponentially up to the cap', () => {
    expect([0, 1, 2, 3, 4, 10].map((attempt) => backoffDelayMs(attempt, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('draws a random wait below the ceiling (full jitter)', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(400);
    const draws = Array.from({ length: 50 }, () => backoffDelayMs(2, policy));
    for (const d of draws) expect(d).toBeGreaterThanOrEqual(0);
    for (const d of draws) expect(d).toBeLessThanOrEqual(400);
    expect(new Set(draws).size).toBeGreaterThan(1);
  });
});
