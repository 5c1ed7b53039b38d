import { publishThrottled } from './connector-events';
import { ConnectorError, type ConnectorService } from './errors';
import type { ExecutionPacer, PacerTicket, RequestCost } from './execution-pacer';

export interface ThrottleGateOptions {
  service: ConnectorService;
  /** Requests in flight at once through this gate; unlimited when absent. */
  maxConcurrency?: number;
  /**
   * Additive-increase/multiplicative-decrease of the concurrency limit: halved on every 429, one more after a
   * limit's worth of completed requests, never below `min` nor above `maxConcurrency`.
   */
  adaptive?: { min: number };
  /** The service's window budgets as this client estimates them (execution-pacer.ts); none when absent. */
  pacer?: ExecutionPacer;
  /** How much longer than two windows the pacer may hold a request before it fails as throttled (default 120 s). */
  pacerHoldSlackMs?: number;
}

export interface ThrottleGateMetrics {
  /** `blockFor` calls: 429 answers seen by any request of this identity. */
  throttledResponses: number;
  /** Sum over requests of the time each spent held back by a block. */
  waitedMs: number;
  /** When the current block ends (epoch ms), 0 when open. */
  blockedUntil: number;
  inFlight: number;
  queued: number;
  concurrencyLimit: number;
  /** Requests held back because the pacer's estimate of the window had no room, and their waits together. */
  pacedRequests: number;
  pacedMs: number;
}

export interface GateRunOptions {
  /** Epoch ms after which a request would rather fail as throttled than keep waiting for the block to end. */
  deadline?: number;
  /** What the request is, for the pacer's estimate of its execution time (default: one unit of `request`). */
  cost?: RequestCost;
}

/**
 * One gate per identity and service in a process: Dynamics throttles per user, so when one request is told to
 * wait, every request of that identity waits until the same moment instead of each finding out with its own 429
 * (which would lengthen the block). Requests already sent are not recalled; new ones are not sent.
 */
export class ThrottleGate {
  readonly service: ConnectorService;
  private blockedUntil = 0;
  private throttledResponses = 0;
  private waitedMs = 0;
  private inFlight = 0;
  private limit: number;
  private readonly maxLimit: number;
  private readonly minLimit: number;
  private completedSinceChange = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly sleepers = new Set<() => void>();
  readonly pacer: ExecutionPacer | undefined;
  private readonly pacerHoldSlackMs: number;

  constructor(options: ThrottleGateOptions) {
    this.service = options.service;
    this.pacer = options.pacer;
    this.pacerHoldSlackMs = options.pacerHoldSlackMs ?? PACER_HOLD_SLACK_MS;
    this.maxLimit = options.maxConcurrency ?? Number.POSITIVE_INFINITY;
    if (!(this.maxLimit >= 1)) throw new RangeError('maxConcurrency must be at least 1');
    this.limit = this.maxLimit;
    this.minLimit = options.adaptive ? Math.max(1, Math.min(options.adaptive.min, this.maxLimit)) : this.maxLimit;
  }

  /**
   * Runs `fn` once the identity is not blocked, the pacer's window has room (when there is a pacer) and a
   * concurrency slot is free.
   */
  async run<T>(fn: () => Promise<T>, options: GateRunOptions = {}): Promise<T> {
    const pacer = this.pacer;
    const cost = options.cost ?? { key: 'request', units: 1 };
    // A request held for room keeps its place ahead of bulk requests until it is sent (execution-pacer.ts `holding`).
    let held: { release: () => void } | undefined;
    let ticket: PacerTicket | undefined;
    try {
      for (;;) {
        await this.waitWhileBlocked(options.deadline);
        const hold = pacer ? await this.waitForRoom(pacer, cost) : undefined;
        if (hold) {
          held?.release();
          held = hold;
        }
        await this.acquireSlot();
        // A 429 may have arrived, or the window filled, while this request queued for a slot.
        if (Date.now() < this.blockedUntil || (pacer && pacer.waitMs(cost) > 0)) {
          this.releaseSlot();
          continue;
        }
        break;
      }
      ticket = pacer?.start(cost);
    } finally {
      held?.release();
    }
    const started = performance.now();
    try {
      return await fn();
    } finally {
      if (ticket) pacer?.settle(ticket, performance.now() - started);
      this.releaseSlot();
      this.noteCompletion();
    }
  }

  /** Holds back every request of this identity for `ms` from now; a shorter block never shortens a longer one. */
  blockFor(ms: number): void {
    this.throttledResponses += 1;
    publishThrottled({ service: this.service, waitMs: Math.max(0, ms) });
    this.blockedUntil = Math.max(this.blockedUntil, Date.now() + Math.max(0, ms));
    if (this.minLimit < this.maxLimit) {
      this.limit = Math.max(this.minLimit, Math.floor(this.limit / 2));
      this.completedSinceChange = 0;
    }
    // Sleepers re-arm to the new end; nothing else needs waking.
    for (const wake of this.sleepers) wake();
  }

  /** Milliseconds until the current block ends (0 when open). */
  remainingBlockMs(): number {
    return Math.max(0, this.blockedUntil - Date.now());
  }

  metrics(): ThrottleGateMetrics {
    return {
      throttledResponses: this.throttledResponses,
      waitedMs: this.waitedMs,
      blockedUntil: this.blockedUntil > Date.now() ? this.blockedUntil : 0,
      inFlight: this.inFlight,
      queued: this.waiting.length,
      concurrencyLimit: this.limit,
      pacedRequests: this.pacer?.metrics().heldRequests ?? 0,
      pacedMs: this.pacer?.metrics().heldMs ?? 0,
    };
  }

  private async waitWhileBlocked(deadline: number | undefined): Promise<void> {
    const started = Date.now();
    try {
      while (Date.now() < this.blockedUntil) {
        if (deadline !== undefined && this.blockedUntil > deadline) {
          const retryAfterMs = this.blockedUntil - Date.now();
          throw new ConnectorError(
            `${this.service} is throttling this identity for another ${retryAfterMs} ms, longer than the request may wait`,
            { kind: 'throttled', service: this.service, status: 429, retryAfterMs },
          );
        }
        await this.sleepUntil(this.blockedUntil);
      }
    } finally {
      this.waitedMs += Date.now() - started;
    }
  }

  /**
   * Holds the request while the pacer's window has no room: until its charges age out of it or a request in
   * flight ends, whichever is first. Not bounded by the request's deadline for 429s (`maxThrottleWaitSeconds`): a
   * hold is the normal way to wait for the window, up to one window long (5 minutes for Dataverse), and activities
   * heartbeat meanwhile. Bounded by the window itself: a charge leaves it after one window and a request in flight
   * ends within its timeout, so a request held past two windows and `pacerHoldSlackMs` fails as throttled.
   */
  private async waitForRoom(pacer: ExecutionPacer, cost: RequestCost): Promise<{ release: () => void } | undefined> {
    let waitMs = pacer.waitMs(cost);
    if (waitMs <= 0) return undefined;
    const started = Date.now();
    const deadline = started + 2 * pacer.budget.windowMs + this.pacerHoldSlackMs;
    // Released by the caller once the request is sent (or here if the hold fails).
    const held = pacer.holding(cost);
    try {
      while (waitMs > 0) {
        if (Date.now() + Math.min(waitMs, pacer.budget.windowMs) > deadline) {
          throw new ConnectorError(
            `${this.service}'s service protection budget (${pacer.budget.maxRequests} requests, ${pacer.budget.maxExecutionMs} ms of execution ` +
              `per ${pacer.budget.windowMs} ms) is spent for another ${Math.ceil(waitMs)} ms as this client counts it, longer than two windows of holding (a request in flight has not ended)`,
            { kind: 'throttled', service: this.service, retryAfterMs: Math.ceil(waitMs) },
          );
        }
        const change = pacer.changed();
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([change.promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
        clearTimeout(timer);
        change.cancel();
        waitMs = pacer.waitMs(cost);
      }
      return held;
    } catch (error) {
      held.release();
      throw error;
    } finally {
      pacer.noteHeld(Date.now() - started);
    }
  }

  private sleepUntil(until: number): Promise<void> {
    return new Promise((resolve) => {
      // Woken early by blockFor so the loop re-reads the (longer) end and checks the deadline again.
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, until - Date.now()));
      this.sleepers.add(wake);
    });
  }

  private acquireSlot(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.inFlight += 1;
        resolve();
      });
    });
  }

  private releaseSlot(): void {
    this.inFlight -= 1;
    this.releaseWaiting();
  }

  private noteCompletion(): void {
    if (this.minLimit >= this.maxLimit) return;
    this.completedSinceChange += 1;
    if (this.completedSinceChange >= this.limit && this.limit < this.maxLimit) {
      this.limit += 1;
      this.completedSinceChange = 0;
      this.releaseWaiting();
    }
  }

  private releaseWaiting(): void {
    while (this.inFlight < this.limit && this.waiting.length > 0) this.waiting.shift()?.();
  }
}

/** Beyond two windows, how much longer a request may be held by the pacer (requests in flight ending late). */
const PACER_HOLD_SLACK_MS = 120_000;

const sharedGates = new Map<string, ThrottleGate>();

/**
 * The process-wide gate of one identity at one service instance. The first caller's options decide the limits;
 * later callers share that gate.
 */
export function sharedThrottleGate(
  identity: { service: ConnectorService; clientId: string; url: string },
  options: Omit<ThrottleGateOptions, 'service'> = {},
): ThrottleGate {
  const key = `${identity.service}|${identity.clientId}|${new URL(identity.url).origin}`;
  let gate = sharedGates.get(key);
  if (!gate) {
    gate = new ThrottleGate({ ...options, service: identity.service });
    sharedGates.set(key, gate);
  }
  return gate;
}
