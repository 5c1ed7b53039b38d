/** Requests in flight per key, against a ceiling (Dataverse: 52 per user; F&O: the emulator's resource ceiling). */
export class ConcurrencyGauge {
  private readonly inFlight = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Takes a slot; false (and nothing taken) when the key is at the ceiling. */
  tryAcquire(key: string): boolean {
    const current = this.inFlight.get(key) ?? 0;
    if (current >= this.limit) return false;
    this.inFlight.set(key, current + 1);
    return true;
  }

  release(key: string): void {
    const current = this.inFlight.get(key) ?? 0;
    if (current <= 1) this.inFlight.delete(key);
    else this.inFlight.set(key, current - 1);
  }

  current(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }
}
