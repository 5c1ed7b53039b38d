import { heartbeat } from '@temporalio/activity';
import { z } from 'zod';

/** What a unit's earlier attempt left in its last heartbeat; anything else (an older worker's details) is ignored. */
const earlierDetailsSchema = z.object({ created: z.record(z.string(), z.array(z.string())) });

export type UnitProgressDetails = Record<string, unknown> & { created: Record<string, string[]> };

/**
 * Progress figures alone are heartbeated at most this often, counted from the attempt's start. Each heartbeat is
 * serialized, sealed and handed to the SDK's core on the worker's event loop (~25 KB with a unit's created keys),
 * while the core sends the server the first at once and then one per throttle interval (0.8 × heartbeat timeout); a
 * unit used to heartbeat after every `$batch` it wrote, and until 2026-12-05 its figures once as soon as it had read
 * its accounts. Now a unit shorter than a second heartbeats only its created keys, which the core then sends at once.
 */
export const FIGURES_PACE_MS = 1_000;

/**
 * One work unit's heartbeats. Besides progress figures, every heartbeat carries the customer keys (per company)
 * whose create this unit has sent, in this attempt or an earlier one. When a worker dies after F&O committed a
 * create but before the attempt reported it, the next attempt finds the customer already in place: without these
 * keys it would count it as unchanged, and the run's report would show fewer customers created than it created.
 * At most one entry per key of the unit and company, so the details stay bounded by the unit size.
 */
export class UnitProgress {
  private readonly created = new Map<string, Set<string>>();
  private readonly earlier = new Map<string, ReadonlySet<string>>();
  /** The last figures of the unit itself (accounts read), and the last of each company's reconciliation. */
  private figures: Record<string, number> = {};
  private readonly companyFigures = new Map<string, Record<string, number>>();
  private snapshot: Record<string, string[]> | undefined;
  /** The created keys of the last heartbeat sent, and when it was sent. */
  private sentSnapshot: Record<string, string[]> | undefined;
  private sentAt = Number.NEGATIVE_INFINITY;

  /**
   * `details` are the attempt's `heartbeatDetails`: the last heartbeat of an earlier attempt, if there was one.
   * `now` is the clock (milliseconds) that paces heartbeats of figures alone.
   */
  constructor(
    details: unknown,
    private readonly now: () => number = Date.now,
  ) {
    const parsed = earlierDetailsSchema.safeParse(details);
    if (parsed.success) {
      for (const [company, keys] of Object.entries(parsed.data.created)) {
        this.earlier.set(company, new Set(keys));
        // Kept in this attempt's heartbeats too, so a second crash does not forget what the first attempt created.
        this.created.set(company, new Set(keys));
      }
    }
    // The keys this attempt starts with are what the server holds already: an earlier attempt's last heartbeat stays
    // the details until this attempt sends one, and without one a next attempt starts with none. Only a key noted from
    // here on must be sent at once; figures alone wait for the pace.
    this.sentSnapshot = this.details().created;
    this.sentAt = this.now();
  }

  /** Whether an earlier attempt of this unit sent the create of this customer. */
  createdEarlier(company: string, key: string): boolean {
    return this.earlier.get(company)?.has(key) ?? false;
  }

  /** Records a create about to be sent; the next heartbeat carries it. */
  noteCreate(company: string, key: string): void {
    let keys = this.created.get(company);
    if (!keys) this.created.set(company, (keys = new Set()));
    if (keys.has(key)) return;
    keys.add(key);
    this.snapshot = undefined;
  }

  /** Forgets a create F&O refused because the customer already existed: this unit did not create it. */
  forgetCreate(company: string, key: string): void {
    if (this.created.get(company)?.delete(key)) this.snapshot = undefined;
  }

  /**
   * Heartbeats new progress figures, or the last ones again. A created key noted since the last heartbeat is always
   * sent at once (it must be in the details a failed attempt leaves behind); figures alone at most every
   * FIGURES_PACE_MS (the next heartbeat carries the latest). A company's figures (`company`) replace its own last
   * ones; the companies reconcile side by side, so the details carry their sum, the unit's.
   */
  beat(figures?: Record<string, number>, company?: string): void {
    if (figures && company === undefined) this.figures = figures;
    else if (figures && company !== undefined) this.companyFigures.set(company, figures);
    const now = this.now();
    if (this.snapshot !== undefined && this.snapshot === this.sentSnapshot && now - this.sentAt < FIGURES_PACE_MS) return;
    const details = this.details();
    heartbeat(details);
    this.sentSnapshot = details.created;
    this.sentAt = now;
  }

  details(): UnitProgressDetails {
    this.snapshot ??= Object.fromEntries([...this.created].map(([company, keys]) => [company, [...keys]]));
    const figures = { ...this.figures };
    for (const own of this.companyFigures.values()) {
      for (const [name, value] of Object.entries(own)) figures[name] = (figures[name] ?? 0) + value;
    }
    return { ...figures, created: this.snapshot };
  }
}
