export interface CountersSnapshot {
  service: string;
  since: string;
  requests: {
    total: number;
    byMethod: Record<string, number>;
    byStatus: Record<string, number>;
    /** Keys like `GET 200`. */
    byMethodAndStatus: Record<string, number>;
  };
  /** Entity operations that changed state (each operation of a `$batch` counts once). */
  writes: number;
  /** 429 responses sent (whole requests; throttled operations inside a batch count too). */
  throttled: number;
  /** Requests being served now (admin routes excepted), from every caller. */
  inFlight: number;
  /**
   * The most requests served at once since the counters were last reset: what several workers sharing one
   * application user put on the service together, to compare with the limit they must share.
   */
  peakInFlight: number;
  /** Service-specific counters, e.g. `batchOperations`. */
  other: Record<string, number>;
}

/**
 * What a service did, for tests and benchmarks: requests by method and status, writes, 429s. Counting is a few
 * map increments per request, cheap enough for the hot path.
 */
export class ServiceCounters {
  private since = new Date();
  private total = 0;
  private readonly byMethod = new Map<string, number>();
  private readonly byStatus = new Map<string, number>();
  private readonly byMethodAndStatus = new Map<string, number>();
  private writes = 0;
  private throttled = 0;
  private inFlight = 0;
  private peakInFlight = 0;
  private readonly other = new Map<string, number>();

  constructor(readonly service: string) {}

  /** A request arrived; `requestEnded` once its response is sent or its connection is gone. */
  requestStarted(): void {
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
  }

  requestEnded(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  countResponse(method: string, status: number): void {
    this.total += 1;
    bump(this.byMethod, method);
    bump(this.byStatus, String(status));
    bump(this.byMethodAndStatus, `${method} ${status}`);
    if (status === 429) this.throttled += 1;
  }

  countWrites(count = 1): void {
    this.writes += count;
  }

  /** A 429 that is not a whole response (an operation inside a `$batch`). */
  countThrottled(count = 1): void {
    this.throttled += count;
  }

  increment(name: string, count = 1): void {
    bump(this.other, name, count);
  }

  snapshot(): CountersSnapshot {
    return {
      service: this.service,
      since: this.since.toISOString(),
      requests: {
        total: this.total,
        byMethod: Object.fromEntries(this.byMethod),
        byStatus: Object.fromEntries(this.byStatus),
        byMethodAndStatus: Object.fromEntries(this.byMethodAndStatus),
      },
      writes: this.writes,
      throttled: this.throttled,
      inFlight: this.inFlight,
      peakInFlight: this.peakInFlight,
      other: Object.fromEntries(this.other),
    };
  }

  reset(): void {
    this.since = new Date();
    this.total = 0;
    this.byMethod.clear();
    this.byStatus.clear();
    this.byMethodAndStatus.clear();
    this.writes = 0;
    this.throttled = 0;
    // Requests still being served count towards the next peak.
    this.peakInFlight = this.inFlight;
    this.other.clear();
  }
}

function bump(map: Map<string, number>, key: string, count = 1): void {
  map.set(key, (map.get(key) ?? 0) + count);
}
