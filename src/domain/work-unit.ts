// A work unit is what one syncWorkUnit activity handles. It carries keys, never records: the activity reads the
// records itself, so workflow history stays small whatever the number of accounts.

/** All active accounts whose Account Number sorts in (after, upTo]; `after: null` means from the start. */
export interface RangeUnit {
  kind: 'range';
  after: string | null;
  upTo: string;
  /** Accounts the planner saw in the range (the activity re-reads; the figure is for progress only). */
  expected: number;
}

/** Active accounts with these Account Numbers (incremental runs: the numbers of accounts changed since the watermark). */
export interface KeysUnit {
  kind: 'keys';
  keys: string[];
}

export type WorkUnit = RangeUnit | KeysUnit;

/** Where planning starts: from the beginning, or after an Account Number already covered. */
export type PlanCursor = string | null;

/** The start of an incremental run: a Dataverse row version, or a modification time given by an operator. */
export type ChangeWatermark = { kind: 'version'; value: string } | { kind: 'time'; value: string };

export function parseWatermark(text: string): ChangeWatermark {
  const version = /^version:(\d{1,19})$/.exec(text);
  return version?.[1] ? { kind: 'version', value: version[1] } : { kind: 'time', value: new Date(text).toISOString() };
}

export function formatWatermark(watermark: ChangeWatermark): string {
  return watermark.kind === 'version' ? `version:${watermark.value}` : watermark.value;
}

/**
 * What both cutters share: closed units waiting to be taken, and the cursor after the last closed unit (where
 * planning resumes). Feed Account Numbers in the order Dataverse returned them; call `finish()` when the stream ends.
 */
abstract class UnitCutter<U extends WorkUnit> {
  protected readonly units: U[] = [];
  protected after: PlanCursor;
  protected lastKey: string | undefined;

  constructor(
    start: PlanCursor,
    protected readonly unitSize: number,
    protected readonly keyOf: (accountNumber: string) => string,
  ) {
    this.after = start;
  }

  abstract push(accountNumber: string): void;

  /** Closes the open unit at the end of the data. */
  abstract finish(): void;

  /** Closed units so far (removed from the cutter). */
  take(): U[] {
    return this.units.splice(0, this.units.length);
  }

  get closedCount(): number {
    return this.units.length;
  }

  /** Cursor after the last closed unit. */
  get cursor(): PlanCursor {
    return this.after;
  }
}

/**
 * Cuts Account Numbers into ranges of about `unitSize` accounts. A range ends only where the comparison key
 * changes, so all accounts sharing a number (a duplicate group) fall into one unit and the activity sees the whole
 * group.
 */
export class RangeCutter extends UnitCutter<RangeUnit> {
  private count = 0;
  private lastNumber: string | undefined;

  /** Adds the next number; returns true when a unit was closed by it. */
  push(accountNumber: string): boolean {
    const key = this.keyOf(accountNumber);
    let closed = false;
    if (this.lastKey !== undefined && key !== this.lastKey && this.count >= this.unitSize) {
      this.close();
      closed = true;
    }
    this.count += 1;
    this.lastNumber = accountNumber;
    this.lastKey = key;
    return closed;
  }

  finish(): void {
    if (this.count > 0) this.close();
  }

  private close(): void {
    if (this.lastNumber === undefined) return;
    // Every number equal to lastKey seen so far is in this unit; the number that triggered the close starts the next.
    this.units.push({ kind: 'range', after: this.after, upTo: this.lastNumber, expected: this.count });
    this.after = this.lastNumber;
    this.count = 0;
  }
}

/**
 * Incremental counterpart of RangeCutter: distinct Account Numbers (by comparison key) in groups of `unitSize`.
 * The sync activity reads every active account carrying one of these numbers, changed or not, so duplicates are
 * still seen whole.
 */
export class KeyListCutter extends UnitCutter<KeysUnit> {
  private keys: string[] = [];

  push(accountNumber: string): void {
    const key = this.keyOf(accountNumber);
    if (key === this.lastKey) return;
    if (this.keys.length >= this.unitSize) this.close();
    this.keys.push(accountNumber);
    this.lastKey = key;
  }

  finish(): void {
    if (this.keys.length > 0) this.close();
  }

  private close(): void {
    this.units.push({ kind: 'keys', keys: this.keys });
    this.after = this.keys[this.keys.length - 1] ?? this.after;
    this.keys = [];
  }
}
