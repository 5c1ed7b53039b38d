import { describe, expect, it } from 'vitest';
import { medianPair } from '../../../scripts/bench/pairs';

describe('medianPair', () => {
  it('takes the middle ratio of an odd count, and that pair', () => {
    const result = medianPair([
      { ratio: 0.87, run: 'b' },
      { ratio: 0.76, run: 'a' },
      { ratio: 0.79, run: 'c' },
    ]);
    expect(result).toEqual({ median: 0.79, nearest: { ratio: 0.79, run: 'c' } });
  });

  it('takes the mean of the middle two of an even count, and the lower of them when both are as near', () => {
    const result = medianPair([
      { ratio: 0.8, run: 'high' },
      { ratio: 0.7, run: 'low' },
      { ratio: 0.9, run: 'top' },
      { ratio: 0.6, run: 'bottom' },
    ]);
    expect(result.median).toBeCloseTo(0.75, 10);
    expect(result.nearest).toEqual({ ratio: 0.7, run: 'low' });
  });

  it('refuses an empty list', () => {
    expect(() => medianPair([])).toThrow(RangeError);
  });
});
