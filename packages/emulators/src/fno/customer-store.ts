import { customerFields, defaultValue } from './customer-fields';
import type { CustomerRow } from './customer-validation';
import { SortedKeyIndex } from './sorted-key-index';

export interface StoredCustomer {
  /** The entity as OData shows it: every modelled field, keys as written (company lower case). */
  row: CustomerRow;
  recId: number;
  /** Grows on every update; with `recId` it makes the ETag. */
  version: number;
}

export class DuplicateKeyError extends Error {
  override name = 'DuplicateKeyError';
}

type UndoStep = () => void;

const firstRecId = 5_637_144_576;

/**
 * `CustomersV2` rows by `(dataAreaId, CustomerAccount)`, both compared case-insensitively like F&O's SQL
 * collation, with a sorted index per company for key-range scans and an undo log so a `$batch` change set can be
 * applied atomically. No validation here: the service layer validates, the store keeps.
 */
export class CustomerStore {
  private readonly rows = new Map<string, StoredCustomer>();
  private readonly indexes = new Map<string, SortedKeyIndex>();
  private nextRecId = firstRecId;
  private undoLog: UndoStep[] | undefined;
  private readonly listeners: Array<() => void> = [];
  /** Grows on every change: lets readers tell whether a cached position is still valid. */
  version = 0;

  get size(): number {
    return this.rows.size;
  }

  /** Called after every change (persistence). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  get(company: string, account: string): StoredCustomer | undefined {
    return this.rows.get(rowKey(company, account));
  }

  /** Adds a row (missing fields get their defaults); throws DuplicateKeyError when the key exists. */
  insert(values: CustomerRow, recId?: number, version = 1): StoredCustomer {
    const company = String(values.dataAreaId ?? '').toLowerCase();
    const account = String(values.CustomerAccount ?? '');
    const key = rowKey(company, account);
    if (this.rows.has(key)) throw new DuplicateKeyError(`${company}/${account} exists`);
    const row: CustomerRow = {};
    for (const field of customerFields) row[field.name] = values[field.name] ?? defaultValue(field);
    row.dataAreaId = company;
    const assigned = recId ?? this.nextRecId;
    this.nextRecId = Math.max(this.nextRecId, assigned + 1);
    if (row.PartyNumber === '') row.PartyNumber = String(assigned - firstRecId + 1).padStart(9, '0');
    const stored: StoredCustomer = { row, recId: assigned, version };
    this.rows.set(key, stored);
    this.indexOf(company).insert(account.toLowerCase());
    this.changed(() => this.remove(key, company, account));
    return stored;
  }

  /** Applies `changes` to an existing row; returns undefined when there is none. */
  update(company: string, account: string, changes: CustomerRow): StoredCustomer | undefined {
    const stored = this.get(company, account);
    if (!stored) return undefined;
    const previous = { row: { ...stored.row }, version: stored.version };
    Object.assign(stored.row, changes);
    stored.version += 1;
    this.changed(() => {
      stored.row = previous.row;
      stored.version = previous.version;
    });
    return stored;
  }

  delete(company: string, account: string): boolean {
    const key = rowKey(company, account);
    const stored = this.rows.get(key);
    if (!stored) return false;
    this.remove(key, company.toLowerCase(), account);
    this.changed(() => {
      this.rows.set(key, stored);
      this.indexOf(company.toLowerCase()).insert(account.toLowerCase());
    });
    return true;
  }

  /**
   * Runs `work`; if it throws, every change it made is undone before the error propagates. Transactions do not
   * nest (a `$batch` change set is the only user).
   */
  transaction<T>(work: () => T): T {
    if (this.undoLog) throw new Error('transactions do not nest');
    const log: UndoStep[] = [];
    this.undoLog = log;
    try {
      return work();
    } catch (error) {
      for (let step = log.length - 1; step >= 0; step -= 1) log[step]?.();
      this.version += 1;
      throw error;
    } finally {
      this.undoLog = undefined;
    }
  }

  /** Companies that have rows, lower case, sorted. */
  companies(): string[] {
    return [...this.indexes.entries()].filter(([, index]) => index.size > 0).map(([company]) => company).sort();
  }

  countIn(company?: string): number {
    if (company === undefined) return this.rows.size;
    return this.indexes.get(company.toLowerCase())?.size ?? 0;
  }

  /** Rows of a company in key order, starting at `from` (lower-cased account; inclusive unless `exclusive`). */
  *scan(company: string, from?: string, exclusive = false): Generator<StoredCustomer> {
    const index = this.indexes.get(company);
    if (!index) return;
    for (const account of index.ascending(from, exclusive)) {
      const stored = this.rows.get(`${company}\u0000${account}`);
      if (stored) yield stored;
    }
  }

  /** Every row, companies and accounts in key order. */
  *all(): Generator<StoredCustomer> {
    for (const company of this.companies()) yield* this.scan(company);
  }

  clear(): void {
    this.rows.clear();
    this.indexes.clear();
    this.version += 1;
    this.notify();
  }

  get recIdSequence(): number {
    return this.nextRecId;
  }

  set recIdSequence(value: number) {
    this.nextRecId = Math.max(this.nextRecId, value);
  }

  private remove(key: string, company: string, account: string): void {
    this.rows.delete(key);
    this.indexes.get(company)?.delete(account.toLowerCase());
  }

  private indexOf(company: string): SortedKeyIndex {
    let index = this.indexes.get(company);
    if (!index) {
      index = new SortedKeyIndex();
      this.indexes.set(company, index);
    }
    return index;
  }

  private changed(undo: UndoStep): void {
    this.version += 1;
    this.undoLog?.push(undo);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

function rowKey(company: string, account: string): string {
  return `${company.toLowerCase()}\u0000${account.toLowerCase()}`;
}

/** `W/"<base64 of 'version,recId'>"`, the form F&O's ETags take. */
export function etagOf(stored: StoredCustomer): string {
  return `W/"${Buffer.from(`${stored.version},${stored.recId}`).toString('base64')}"`;
}
