/**
 * Repeated pipeline / baseline pairs (`npm run bench -- --pairs N`): on a shared 2-core machine one pair of runs moves
 * the ratio by ±0.04 and the machine's speed drifts by a quarter within an evening (BENCHMARKS.md section 1), so the
 * figure reported is the median of the pairs' ratios, each pair run back to back, with every pair's ratio beside it.
 */
export interface RatioPair<T> {
  ratio: number;
  run: T;
}

/** The median of the ratios (the mean of the middle two for an even count) and the pair nearest to it. */
export function medianPair<T>(pairs: readonly RatioPair<T>[]): { median: number; nearest: RatioPair<T> } {
  if (pairs.length === 0) throw new RangeError('no pairs to take a median of');
  const sorted = [...pairs].sort((a, b) => a.ratio - b.ratio);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]!.ratio : (sorted[middle - 1]!.ratio + sorted[middle]!.ratio) / 2;
  const nearest = sorted.reduce((best, pair) => (Math.abs(pair.ratio - median) < Math.abs(best.ratio - median) ? pair : best));
  return { median, nearest };
}
