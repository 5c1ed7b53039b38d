/**
 * Dataverse's service protection budgets one user's requests per sliding window (Microsoft's "Service protection API
 * limits": 6,000 requests and 1,200 s of combined execution time per 300 s, per user and web server). Once a budget is
 * reached, later requests are answered 429 with a `Retry-After` in whole seconds — a wait that costs far more than
 * the moment the budget frees again. The pacer keeps the client's own estimate of that window: every request it lets
 * go counts once and is charged, from the moment it was sent, with an estimate of its execution (the mean measured
 * duration per unit of requests of its kind so far), replaced by its measured duration when it ends — the time a
 * request is in flight as the client sees it is an upper bound of its server time. While the estimate is below both
 * budgets a request goes at once (so a client that has been idle spends a whole window's budget at full concurrency:
 * the burst a sliding window allows); once it is not, the request is held until enough of the window's charges have
 * left it. The server stays the authority: the budget is shared with the user's other clients, and a 429 still
 * holds every request back for its `Retry-After` (the throttle gate).
 */
export interface ExecutionBudget {
  /** Sliding window of both budgets. */
  windowMs: number;
  /** Requests per window (a `$batch` or a bulk message is one). */
  maxRequests: number;
  /** Combined execution time per window. */
  maxExecutionMs: number;
}

/** What a request is, for its estimate before it is measured: requests of one `key` cost about the same per unit. */
export interface RequestCost {
  key: string;
  /** Operations in the request (a `$batch`'s parts); 1 for a plain request. */
  units: number;
  /**
   * A request of a long bulk job (the upgrade script's requests): while other requests share the window it leaves
   * them the window's last share (the reserve), so a sync running beside the job keeps reading while the job spends
   * each window's budget. Alone it is not paced (`sharedWithOthers`).
   */
  bulk?: boolean;
}

export interface ExecutionPacerOptions {
  /**
   * Charges leave the pacer's window this long after the service's would: the service's window moves in steps
   * (Dataverse does not say how fine) and a request reaches it a little after it was sent. Default: 1 % of the window,
   * at least MIN_MARGIN_MS.
   */
  marginMs?: number;
  /**
   * The estimate of a request of a kind not measured yet, until the first of its kind ends. Default: the execution
   * budget over Microsoft's 52 concurrent requests. Until then only as many of the kind go at once as the
   * execution-time limit's average in flight (budget over window: 1,200 s / 300 s = 4; at least 1), so however long
   * they turn out to be they spend the window at no more than the limit's rate. Before 2026-12-05 one went at a
   * time: the first `$batch` of a numbering chunk held the rest back for its whole duration.
   */
  unknownRequestMs?: number;
  now?: () => number;
}

export interface ExecutionPacerMetrics {
  /** Requests counted in the current window (sent within it, or still in flight). */
  requests: number;
  /** Estimated execution of the current window (measured for finished requests, estimated for those in flight). */
  executionMs: number;
  /** The part of `executionMs` charged by requests other than bulk ones. */
  otherExecutionMs: number;
  /**
   * The share of the execution budget bulk requests leave to the others (RESERVE_FLOOR + RESERVE_GROWTH × theirs, at
   * most RESERVE_CAP); the requests budget has its own, from the others' requests.
   */
  reserve: number;
  inFlight: number;
  /** Requests that had to wait for the window to make room, and how long they waited together. */
  heldRequests: number;
  heldMs: number;
}

/** A request the pacer let go: `settle` it with its measured duration when it ends, whatever the outcome. */
export interface PacerTicket {
  readonly at: number;
}

interface Charge extends PacerTicket {
  at: number;
  ms: number;
  inFlight: boolean;
  cost: RequestCost;
  /** Sent before any request of its kind was measured. */
  probe?: boolean;
}

/** The least margin: a request reaches the service this long after the client sent it, on a busy client. */
const MIN_MARGIN_MS = 100;
/** Below this many dropped charges the queue is not compacted. */
const COMPACT_AFTER = 1024;
/**
 * The reserve bulk requests leave to the others: the floor plus a quarter more than what the others charge in the
 * current window (so it grows while they use all of it and shrinks when they stop), at most the cap. Bulk requests
 * go while their own charges stay below the budget less the reserve (and all charges below the budget): the others'
 * charges are not counted twice, so a bulk job beside a sync gives up the floor and a quarter of the sync's use, no
 * more. The floor is what a bulk job alone gives up per window. Measured (BENCHMARKS.md section 2, 2026-12-05
 * 17:35): with the others given only what they used (growth 1) the sync's reads were held between the bulk job's
 * bursts and the sync fell 20 s behind.
 */
export const RESERVE_FLOOR = 0.02;
export const RESERVE_GROWTH = 1.25;
export const RESERVE_CAP = 0.25;
/** Waiting for a request in flight to end (`changed`), the window is looked at again after this long at most. */
const RECHECK_MS = 1_000;
/** Microsoft's concurrency limit, for the estimate of requests of an unmeasured kind. */
const DOCUMENTED_CONCURRENCY = 52;

export class ExecutionPacer {
  readonly budget: ExecutionBudget;
  private readonly marginMs: number;
  private readonly now: () => number;
  /** Charges in the order they were made (`at` never decreases); `head` is the first still in the window. */
  private charges: Charge[] = [];
  private head = 0;
  /** Requests still in flight whose send time has left the window: they count until they end. */
  private readonly overdue = new Set<Charge>();
  private totalMs = 0;
  private otherMs = 0;
  private otherRequests = 0;
  private inFlight = 0;
  private readonly unknownRequestMs: number;
  /** Requests in flight of a kind not measured yet, by kind, and how many of one kind may be. */
  private readonly probing = new Map<string, number>();
  private readonly maxProbes: number;
  private readonly msPerUnit = new Map<string, number>();
  private heldRequests = 0;
  /** Requests other than bulk ones held right now for the window to make room (`holding`). */
  private othersHeld = 0;
  private heldMs = 0;
  private readonly listeners = new Set<() => void>();

  constructor(budget: ExecutionBudget, options: ExecutionPacerOptions = {}) {
    if (!(budget.windowMs > 0) || !(budget.maxRequests >= 1) || !(budget.maxExecutionMs > 0)) {
      throw new RangeError(`an execution budget needs a window, requests and execution time above 0 (got ${JSON.stringify(budget)})`);
    }
    this.budget = { ...budget };
    this.marginMs = options.marginMs ?? Math.max(MIN_MARGIN_MS, budget.windowMs / 100);
    this.now = options.now ?? Date.now;
    this.unknownRequestMs = options.unknownRequestMs ?? budget.maxExecutionMs / DOCUMENTED_CONCURRENCY;
    this.maxProbes = Math.max(1, Math.floor(budget.maxExecutionMs / budget.windowMs));
  }

  /**
   * Milliseconds until a request may go (0: now); a bulk request also leaves the reserve to the others. While
   * requests in flight alone fill the window, the time until the first of them would have left it, at least 1 ms:
   * their end (`settle`) is the event to wait for (`changed`).
   */
  waitMs(cost: { key?: string; bulk?: boolean } = {}): number {
    const now = this.now();
    this.prune(now);
    const { windowMs } = this.budget;
    const bulk = cost.bulk === true;
    // A bulk job alone on the user meets the limits itself (sharedWithOthers): still charged, never held.
    if (bulk && !this.othersCounted()) return 0;
    // The others first: while one of them is held for room, a bulk request waits (woken when none is held).
    if (bulk && this.othersHeld > 0) return Math.min(windowMs, RECHECK_MS);
    // A kind not measured yet goes only a few at a time until the first of it ends: its estimate is only a guess.
    if (cost.key !== undefined && !this.msPerUnit.has(cost.key) && (this.probing.get(cost.key) ?? 0) >= this.maxProbes) return Math.min(windowMs, RECHECK_MS);
    const { maxRequests, maxExecutionMs } = this.budget;
    let requests = this.charges.length - this.head + this.overdue.size;
    let total = this.totalMs;
    // A bulk request also leaves the others their reserve: the bulk job's own charges stay below the budget less it.
    // (The others' charges are not counted against the bulk job's share: what they free as they leave is theirs.)
    const bulkMaxRequests = this.budget.maxRequests * (1 - this.reserveOf(this.otherRequests, this.budget.maxRequests));
    const bulkMaxMs = this.budget.maxExecutionMs * (1 - this.reserveOf(this.otherMs, this.budget.maxExecutionMs));
    let bulkRequests = requests - this.otherRequests;
    let bulkMs = total - this.otherMs;
    const fits = () => requests < maxRequests && total < maxExecutionMs && (!bulk || (bulkRequests < bulkMaxRequests && bulkMs < bulkMaxMs));
    if (fits()) return 0;
    // Count charges out of the window in order until both budgets have room again.
    for (let index = this.head; index < this.charges.length; index += 1) {
      const charge = this.charges[index]!;
      const leaves = charge.at + windowMs + this.marginMs;
      if (charge.inFlight) return Math.max(1, leaves - now);
      requests -= 1;
      total -= charge.ms;
      if (charge.cost.bulk) {
        bulkRequests -= 1;
        bulkMs -= charge.ms;
      }
      if (fits()) return Math.max(1, leaves - now);
    }
    // Only overdue requests in flight are left: their end frees the window.
    return Math.min(windowMs, RECHECK_MS);
  }

  /**
   * Whether requests other than bulk ones count in the window now (sent within it, in flight or held for room). Only
   * then are bulk requests paced: pacing exists so that the others are not held up behind a 429 the bulk job
   * provoked. A bulk job alone loses nothing by meeting the limit (its numbering keeps only a little more than the
   * execution-time limit's average in flight) and the server's `Retry-After` is exact, where the pacer charges each
   * request the duration the client measured — an upper bound of its server time. Measured (BENCHMARKS.md section 2):
   * paced alone, 190,000 accounts took 1.10 x the execution-time bound; unpaced, 1.00 x.
   */
  sharedWithOthers(): boolean {
    this.prune(this.now());
    return this.othersCounted();
  }

  private othersCounted(): boolean {
    return this.otherRequests > 0 || this.othersHeld > 0;
  }

  /** The share of the execution budget bulk requests leave to the others now. */
  reserve(): number {
    return this.reserveOf(this.otherMs, this.budget.maxExecutionMs);
  }

  /** The share of a budget bulk requests leave to the others, who use `used` of its `max` in the window. */
  private reserveOf(used: number, max: number): number {
    return Math.min(RESERVE_CAP, RESERVE_FLOOR + (RESERVE_GROWTH * used) / max);
  }

  /** Counts a request sent now; its estimate is charged until `settle` replaces it with what it measured. */
  start(cost: RequestCost): PacerTicket {
    const units = Math.max(1, cost.units);
    const perUnit = this.msPerUnit.get(cost.key);
    const estimate = perUnit === undefined ? this.unknownRequestMs : perUnit * units;
    const charge: Charge = { at: this.now(), ms: estimate, inFlight: true, cost: { key: cost.key, units, bulk: cost.bulk === true }, probe: perUnit === undefined };
    if (charge.probe) this.probing.set(cost.key, (this.probing.get(cost.key) ?? 0) + 1);
    this.charges.push(charge);
    this.add(charge, estimate, 1);
    this.inFlight += 1;
    return charge;
  }

  /** The request of `ticket` ended after `measuredMs` in flight (answered, refused or failed). */
  settle(ticket: PacerTicket, measuredMs: number): void {
    const charge = ticket as Charge;
    if (!charge.inFlight) return;
    const ms = Math.max(0, measuredMs);
    charge.inFlight = false;
    this.inFlight -= 1;
    if (charge.probe) {
      const probing = (this.probing.get(charge.cost.key) ?? 1) - 1;
      if (probing > 0) this.probing.set(charge.cost.key, probing);
      else this.probing.delete(charge.cost.key);
    }
    const previous = this.msPerUnit.get(charge.cost.key);
    const perUnit = ms / charge.cost.units;
    // A moving mean: recent requests weigh most, one odd request does not swing the estimate.
    this.msPerUnit.set(charge.cost.key, previous === undefined ? perUnit : previous * 0.75 + perUnit * 0.25);
    if (this.overdue.delete(charge)) {
      // Sent before the window began: what it measured is charged from now on (its end counts, not its start).
      this.add(charge, -charge.ms, -1);
      const late: Charge = { at: this.now(), ms, inFlight: false, cost: charge.cost };
      this.charges.push(late);
      this.add(late, ms, 1);
    } else {
      this.add(charge, ms - charge.ms, 0);
      charge.ms = ms;
    }
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves when a request in flight ends (the window may have room sooner than its charges' ages say). */
  changed(): { promise: Promise<void>; cancel: () => void } {
    let listener: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      listener = () => {
        this.listeners.delete(listener);
        resolve();
      };
      this.listeners.add(listener);
    });
    return { promise, cancel: () => this.listeners.delete(listener) };
  }

  /**
   * A request is held for the window to make room, until `release` is called. While one that is not bulk is held,
   * bulk requests wait: the room that frees goes to the others first (a sync beside the upgrade script keeps reading
   * between the bulk job's bursts instead of waiting a window for them).
   */
  holding(cost: { bulk?: boolean }): { release: () => void } {
    if (cost.bulk === true) return { release: () => undefined };
    this.othersHeld += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.othersHeld -= 1;
        if (this.othersHeld === 0) for (const listener of [...this.listeners]) listener();
      },
    };
  }

  /** A request waited `ms` for the window to make room. */
  noteHeld(ms: number): void {
    this.heldRequests += 1;
    this.heldMs += ms;
  }

  metrics(): ExecutionPacerMetrics {
    this.prune(this.now());
    return {
      requests: this.charges.length - this.head + this.overdue.size,
      executionMs: this.totalMs,
      otherExecutionMs: this.otherMs,
      reserve: this.reserve(),
      inFlight: this.inFlight,
      heldRequests: this.heldRequests,
      heldMs: this.heldMs,
    };
  }

  private prune(now: number): void {
    const edge = now - this.budget.windowMs - this.marginMs;
    while (this.head < this.charges.length && this.charges[this.head]!.at <= edge) {
      const charge = this.charges[this.head]!;
      this.head += 1;
      if (charge.inFlight) this.overdue.add(charge);
      else this.add(charge, -charge.ms, -1);
    }
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.charges.length) {
      this.charges = this.charges.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.charges.length && this.overdue.size === 0) {
      // Nothing counted: clear the float drift of many additions and subtractions.
      this.totalMs = 0;
      this.otherMs = 0;
      this.otherRequests = 0;
    }
  }

  private add(charge: Charge, ms: number, requests: number): void {
    this.totalMs += ms;
    if (charge.cost.bulk) return;
    this.otherMs += ms;
    this.otherRequests += requests;
  }
}
