import { describe, expect, it } from 'vitest';
import { tailBatchSize } from '../../../src/activities/assign-account-numbers';

// The last page of a numbering pass is cut evenly over the requests that may be in flight. Figures worked by hand.
describe('tailBatchSize', () => {
  it('spreads what the opening chunk left over every slot instead of a few full batches', () => {
    // 856 accounts, batches of up to 500, 52 in flight: one round, 856 / 52 = 16.5 -> 17 per batch (51 batches).
    expect(tailBatchSize(856, 500, 52)).toBe(17);
    // 6 in flight: 856 / (6 x 500) < 1 -> one round, 856 / 6 = 142.7 -> 143 (6 batches instead of 500 + 356).
    expect(tailBatchSize(856, 500, 6)).toBe(143);
  });

  it('keeps the fewest rounds full batches allow, then evens them out', () => {
    // 3,100 accounts, 6 in flight, up to 500: 3,100 / 3,000 -> 2 rounds of 6; 3,100 / 12 = 258.3 -> 259.
    expect(tailBatchSize(3_100, 500, 6)).toBe(259);
    // 1,585 accounts, 52 in flight, up to 20: 1,585 / 1,040 -> 2 rounds; 1,585 / 104 = 15.2 -> 16.
    expect(tailBatchSize(1_585, 20, 52)).toBe(16);
  });

  it('never exceeds the batch size nor goes below one update', () => {
    // 1,000 accounts, 52 in flight, up to 20: one round (1,000 < 1,040), 1,000 / 52 = 19.2 -> 20.
    expect(tailBatchSize(1_000, 20, 52)).toBe(20);
    // 1,000 accounts, 6 in flight, up to 20: 1,000 / 120 -> 9 rounds; 1,000 / 54 = 18.5 -> 19.
    expect(tailBatchSize(1_000, 20, 6)).toBe(19);
    expect(tailBatchSize(3, 500, 52)).toBe(1);
    expect(tailBatchSize(0, 500, 52)).toBe(500);
  });
});
