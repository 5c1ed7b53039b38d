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
  private readonly other = new Map<string, number>();

  constructor(readonly service: string) {}

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
    this.other.clear();
  }
}

function bump(map: Map<string, number>, key: string, count = 1): void {
  map.set(key, (map.get(key) ?? 0) + count);
}
