import { z } from 'zod';
import { ConcurrencyGauge } from '../shared/concurrency-gauge';
import { SlidingWindowCounter } from '../shared/sliding-window-counter';

/**
 * Emulator choice for F&O's resource-based throttling (contract §3): a ceiling on requests in flight and a budget
 * of requests per sliding window, both for the whole environment (F&O throttles on the environment's resources,
 * not per user). Every operation inside a `$batch` spends one unit of the budget. `batchThrottling` says how a
 * batch is refused: `request` (default; Microsoft documents 429 for the request) refuses the whole batch with 429
 * unless the budget has room for its operations (for at most the whole budget, so any batch can eventually run);
 * `operation` (the earlier emulator behaviour, kept so the connector stays tested against it) runs what fits and
 * answers the remaining operations 429 inside the 200 batch, not executed. A batch that arrives with no budget left
 * is refused whole with 429 either way.
 */
export const fnoLimitsSchema = z
  .object({
    maxConcurrentRequests: z.number().int().positive().default(256),
    requestBudget: z.number().int().positive().default(1_000_000),
    budgetWindowMs: z.number().int().positive().default(300_000),
    batchThrottling: z.enum(['request', 'operation']).default('request'),
  })
  .strict();

export type FnoLimits = z.output<typeof fnoLimitsSchema>;
export type FnoLimitsInput = z.input<typeof fnoLimitsSchema>;

const environment = 'environment';

export type Admission = { ok: true; release: () => void } | { ok: false; retryAfterMs: number; reason: string };

export class FnoThrottle {
  readonly limits: FnoLimits;
  private readonly gauge: ConcurrencyGauge;
  private readonly budget: SlidingWindowCounter;

  constructor(limits: FnoLimitsInput = {}, now?: () => number) {
    this.limits = fnoLimitsSchema.parse(limits);
    this.gauge = new ConcurrencyGauge(this.limits.maxConcurrentRequests);
    this.budget = new SlidingWindowCounter({ windowMs: this.limits.budgetWindowMs, ...(now ? { now } : {}) });
  }

  /**
   * Admits a request: a concurrency slot, and one unit of budget unless `spendLater` (a `$batch` spends per
   * operation through `spend`). The caller must call `release` when the response is done.
   */
  admit(spendLater: boolean): Admission {
    if (this.remaining() < 1) {
      return { ok: false, retryAfterMs: this.budget.msUntilBelow(environment, this.limits.requestBudget), reason: 'request budget' };
    }
    if (!this.gauge.tryAcquire(environment)) return { ok: false, retryAfterMs: 1_000, reason: 'concurrency' };
    if (!spendLater) this.budget.add(environment);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.gauge.release(environment);
      },
    };
  }

  /** Spends `units` if that many are left (all or nothing, so a change set is throttled whole). */
  spend(units: number): boolean {
    if (this.remaining() < units) return false;
    this.budget.add(environment, units);
    return true;
  }

  retryAfterMs(units = 1): number {
    return this.budget.msUntilBelow(environment, this.limits.requestBudget - units + 1);
  }

  remaining(): number {
    return this.limits.requestBudget - this.budget.total(environment);
  }

  inFlight(): number {
    return this.gauge.current(environment);
  }
}
