import { isValidAccountNumber } from './account-number';

// A work unit is what one syncWorkUnit activity handles. It carries keys, never records: the activity reads the
// records itself, so workflow history stays small whatever the number of accounts.

/**
 * All active accounts whose Account Number sorts in (after, upTo]; `after: null` means from the start, `upTo: null`
 * to the end (the last unit, when invalid Account Numbers sort after the last valid one: a bound is always a valid
 * number, so it can be written in a query).
 */
export interface RangeUnit {
  kind: 'range';
  after: string | null;
  upTo: string | null;
  /** Accounts the planner saw in the range (the activity re-reads; the figure is for progress only). */
  expected: number;
}

/** Active accounts with these Account Numbers (incremental runs: the numbers of accounts changed since the watermark). */
export interface KeysUnit {
  kind: 'keys';
  keys: string[];
  /**
   * Accounts whose Account Number is invalid (see account-number.ts) and so cannot be a key in a query: the activity
   * reads them by id and reports them.
   */
  accountIds?: string[];
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

  /** `accountId` is needed only for numbers that are not valid Account Numbers (key-list units list those by id). */
  abstract push(accountNumber: string, accountId?: string): void;

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
 * group: valid numbers are printable ASCII (account-number.ts), on which every case-insensitive collation sorts
 * numbers equal under the key next to each other. Invalid numbers never end a range (a bound must be valid to be
 * written in a query, and under SQL Server's collation `'CASE-1 '` sorts among the `CASE-1`s): they belong to the
 * unit whose range they sort in, and trailing ones to a last unit open at the end.
 */
export class RangeCutter extends UnitCutter<RangeUnit> {
  private count = 0;
  /** Invalid numbers pushed since the last valid one: they sort after the candidate bound. */
  private afterBound = 0;
  private lastNumber: string | undefined;

  /** Adds the next number; returns true when a unit was closed by it. */
  push(accountNumber: string): boolean {
    if (!isValidAccountNumber(accountNumber)) {
      this.count += 1;
      this.afterBound += 1;
      return false;
    }
    const key = this.keyOf(accountNumber);
    let closed = false;
    if (this.lastKey !== undefined && key !== this.lastKey && this.count - this.afterBound >= this.unitSize) {
      this.close(this.lastNumber ?? null);
      closed = true;
    }
    this.count += 1;
    this.afterBound = 0;
    this.lastNumber = accountNumber;
    this.lastKey = key;
    return closed;
  }

  finish(): void {
    if (this.count === 0) return;
    this.close(this.afterBound > 0 || this.lastNumber === undefined ? null : this.lastNumber);
  }

  /**
   * A number of another pass (the upgrade script's band, numbering-band.ts), seen in the stream but not pushed: a
   * valid one becomes a bound, so no range of this pass spans a run of the other pass's numbers. The open unit
   * closes at it (it holds every number pushed so far, and this one, which its reader drops); with nothing open, the
   * next range starts after it. Never the same key as a pushed number (a key is in one pass only); an invalid number
   * cannot be written as a bound and is left inside whichever range holds it.
   */
  skip(accountNumber: string): void {
    if (!isValidAccountNumber(accountNumber)) return;
    if (this.count > 0) {
      this.units.push({ kind: 'range', after: this.after, upTo: accountNumber, expected: this.count });
      this.count = 0;
      this.afterBound = 0;
    }
    this.after = accountNumber;
    this.lastNumber = undefined;
    this.lastKey = this.keyOf(accountNumber);
  }

  private close(upTo: string | null): void {
    // Every number equal to lastKey seen so far is in this unit; the number that triggered the close starts the next,
    // with the invalid numbers seen since the bound.
    const expected = upTo === null ? this.count : this.count - this.afterBound;
    this.units.push({ kind: 'range', after: this.after, upTo, expected });
    if (upTo !== null) this.after = upTo;
    this.count -= expected;
  }
}

/**
 * Incremental counterpart of RangeCutter: distinct Account Numbers (by comparison key) in groups of `unitSize`.
 * The sync activity reads every active account carrying one of these numbers, changed or not, so duplicates are
 * still seen whole.
 */
export class KeyListCutter extends UnitCutter<KeysUnit> {
  private keys: string[] = [];
  /** Accounts with invalid numbers that sort before the unit's last key. */
  private accountIds: string[] = [];
  /** Accounts with invalid numbers seen since the last key: they sort after it, so they go to the next unit. */
  private pendingIds: string[] = [];

  push(accountNumber: string, accountId?: string): void {
    if (!isValidAccountNumber(accountNumber)) {
      if (accountId === undefined) throw new Error('KeyListCutter: an account with an invalid Account Number needs its id');
      this.pendingIds.push(accountId);
      return;
    }
    const key = this.keyOf(accountNumber);
    if (key === this.lastKey) return;
    if (this.keys.length > 0 && this.keys.length + this.accountIds.length >= this.unitSize) this.close();
    this.accountIds.push(...this.pendingIds);
    this.pendingIds = [];
    this.keys.push(accountNumber);
    this.lastKey = key;
  }

  finish(): void {
    this.accountIds.push(...this.pendingIds);
    this.pendingIds = [];
    if (this.keys.length > 0 || this.accountIds.length > 0) this.close();
  }

  private close(): void {
    this.units.push({ kind: 'keys', keys: this.keys, ...(this.accountIds.length > 0 ? { accountIds: this.accountIds } : {}) });
    this.after = this.keys[this.keys.length - 1] ?? this.after;
    this.keys = [];
    this.accountIds = [];
  }
}
