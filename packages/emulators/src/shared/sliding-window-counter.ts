export interface SlidingWindowOptions {
  windowMs: number;
  /**
   * The window is kept as this many buckets (default 60): amounts leave the window one bucket at a time, so the
   * effective window is between `windowMs - windowMs / buckets` and `windowMs`. O(1) per call either way.
   */
  buckets?: number;
  now?: () => number;
}

interface KeyWindow {
  slots: Float64Array;
  /** Absolute bucket index each slot currently holds. */
  slotEpochs: Float64Array;
  sum: number;
  lastIndex: number;
}

/**
 * Amounts (requests, milliseconds of execution time, …) per key over a sliding window — the primitive behind
 * Dataverse's service-protection limits and F&O's request budget.
 */
export class SlidingWindowCounter {
  readonly windowMs: number;
  private readonly buckets: number;
  private readonly bucketMs: number;
  private readonly now: () => number;
  private readonly keys = new Map<string, KeyWindow>();

  constructor(options: SlidingWindowOptions) {
    if (!(options.windowMs > 0)) throw new RangeError('windowMs must be positive');
    this.windowMs = options.windowMs;
    this.buckets = Math.max(1, Math.floor(options.buckets ?? 60));
    this.bucketMs = this.windowMs / this.buckets;
    this.now = options.now ?? Date.now;
  }

  add(key: string, amount = 1): void {
    const window = this.advance(key);
    const index = this.currentIndex();
    const slot = index % this.buckets;
    window.slots[slot] = (window.slots[slot] ?? 0) + amount;
    window.sum += amount;
  }

  total(key: string): number {
    return this.keys.has(key) ? this.advance(key).sum : 0;
  }

  /**
   * Milliseconds until the amount in the window drops below `limit` (0 when it already is): the moment enough of
   * the oldest buckets have left the window.
   */
  msUntilBelow(key: string, limit: number): number {
    if (!this.keys.has(key)) return 0;
    const window = this.advance(key);
    if (window.sum < limit) return 0;
    const current = this.currentIndex();
    let remaining = window.sum;
    for (let index = current - this.buckets + 1; index <= current; index += 1) {
      const slot = ((index % this.buckets) + this.buckets) % this.buckets;
      if (window.slotEpochs[slot] === index) remaining -= window.slots[slot] ?? 0;
      if (remaining < limit) return Math.max(0, (index + this.buckets) * this.bucketMs - this.now());
    }
    return this.windowMs;
  }

  reset(): void {
    this.keys.clear();
  }

  private currentIndex(): number {
    return Math.floor(this.now() / this.bucketMs);
  }

  /** Drops the buckets that left the window since the key was last touched. */
  private advance(key: string): KeyWindow {
    const index = this.currentIndex();
    let window = this.keys.get(key);
    if (!window) {
      window = {
        slots: new Float64Array(this.buckets),
        slotEpochs: new Float64Array(this.buckets).fill(-1),
        sum: 0,
        lastIndex: index,
      };
      this.keys.set(key, window);
    }
    const from = Math.max(window.lastIndex + 1, index - this.buckets + 1);
    for (let next = from; next <= index; next += 1) {
      const slot = next % this.buckets;
      window.sum -= window.slots[slot] ?? 0;
      window.slots[slot] = 0;
      window.slotEpochs[slot] = next;
    }
    if (window.lastIndex < index) window.lastIndex = index;
    // A fresh key's current slot must be marked as belonging to this bucket.
    window.slotEpochs[index % this.buckets] = index;
    return window;
  }
}
