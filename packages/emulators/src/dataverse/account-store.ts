import { randomUUID } from 'node:crypto';
import { compareValues, type OrderByKey } from '../odata-filter';
import { SeededRandom } from '../shared';
import { type AccountRow, type AccountValues, blankAccountRow, type BusinessUnit, dataverseTimestamp, type TransactionCurrency } from './account-row';
import { ChangeLog } from './change-log';
import { SortedIndex } from './sorted-index';

export interface AccountStoreOptions {
  now?: () => Date;
  /** Seeds the random part of generated account numbers. */
  seed?: number;
  /** First number of the account number sequence (the template's example `ACC-01000-BVRCPS` starts at 1000). */
  accountNumberStart?: number;
  /** Tombstones older than this are forgotten (delta tokens expire after the same time). */
  tombstoneRetentionMs?: number;
}

export interface StoreState {
  version: number;
  sequence: number;
  currencies: TransactionCurrency[];
  businessUnits: BusinessUnit[];
  tombstones: Array<{ version: number; id: string; deletedAtMs: number }>;
}

interface OrderedIndex {
  keys: readonly OrderByKey[];
  columns: ReadonlySet<string>;
  index: SortedIndex<AccountRow>;
  lastUsed: number;
}

interface Transaction {
  before: Map<string, AccountRow | null>;
  version: number;
  sequence: number;
  logLength: number;
}

/**
 * Columns with few distinct values: each distinct string is stored once, not once per row (two GUIDs and four
 * address parts are ~200 bytes a row, 200 MB at a million accounts).
 */
const INTERNED_COLUMNS = ['_transactioncurrencyid_value', '_owningbusinessunit_value', 'address1_city', 'address1_stateorprovince', 'address1_county', 'address1_country'] as const;
const MAX_INTERNED = 100_000;

/** Orderings kept beyond the two every sync uses; the least recently used goes first. */
const MAX_INDEXES = 12;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * The accounts table: rows by id, a global version counter, the change log, and sorted indexes per ordering that
 * queries asked for (built on first use, then kept up to date by every write). All methods are synchronous, so a
 * change set runs without any other request interleaving and a rollback restores exactly the state before it.
 * Rows handed out are the stored objects: callers treat them as read-only.
 */
export class AccountStore {
  readonly changeLog = new ChangeLog();
  private readonly rows = new Map<string, AccountRow>();
  private readonly indexes = new Map<string, OrderedIndex>();
  private readonly currencies = new Map<string, TransactionCurrency>();
  private readonly units = new Map<string, BusinessUnit>();
  private readonly now: () => Date;
  private readonly random: SeededRandom;
  private readonly tombstoneRetentionMs: number;
  private version = 0;
  private sequence: number;
  private transaction: Transaction | undefined;
  private useCounter = 0;
  private readonly interned = new Map<string, string>();

  constructor(options: AccountStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.random = new SeededRandom(options.seed ?? 1);
    this.sequence = options.accountNumberStart ?? 1000;
    this.tombstoneRetentionMs = options.tombstoneRetentionMs ?? 7 * 24 * 3600_000;
  }

  get size(): number {
    return this.rows.size;
  }

  get maxVersion(): number {
    return this.version;
  }

  get(id: string): AccountRow | undefined {
    return this.rows.get(id.toLowerCase());
  }

  values(): IterableIterator<AccountRow> {
    return this.rows.values();
  }

  /** Creates a row; values must already be validated. */
  create(values: AccountValues, id: string = randomUUID()): AccountRow {
    const key = id.toLowerCase();
    if (this.rows.has(key)) throw new Error(`account ${key} already exists`);
    this.remember(key, null);
    const row = blankAccountRow(key, dataverseTimestamp(this.now()), this.nextVersion());
    Object.assign(row, this.intern(values));
    this.rows.set(key, row);
    for (const entry of this.indexes.values()) entry.index.insert(row);
    this.changeLog.append(row.versionnumber, key);
    return row;
  }

  /** Applies the given columns and bumps the version, even when nothing changed (as Dataverse does). */
  update(row: AccountRow, values: AccountValues): AccountRow {
    this.remember(row.accountid, { ...row });
    const touched = [...this.indexes.values()].filter((entry) => touches(entry, values));
    for (const entry of touched) entry.index.remove(row);
    Object.assign(row, this.intern(values));
    row.versionnumber = this.nextVersion();
    row.modifiedon = dataverseTimestamp(this.now());
    for (const entry of touched) entry.index.insert(row);
    this.changeLog.append(row.versionnumber, row.accountid);
    this.compactWhenWorthIt();
    return row;
  }

  /**
   * A write whose transaction takes the row's version now and commits later: what SQL rowversion does for a slow
   * transaction, and why `versionnumber gt <highest seen>` can miss a change. Until `commit` nothing is visible;
   * then the row carries the early version while change tracking sees the change as committed last.
   * (Emulator limit: the row must not be written by anyone else meanwhile — SQL would make them wait.)
   */
  beginLateUpdate(row: AccountRow): { version: number; commit(values: AccountValues): AccountRow } {
    if (this.transaction !== undefined) throw new Error('a late commit cannot start inside a change set');
    const version = this.nextVersion();
    return {
      version,
      commit: (values) => {
        const touched = [...this.indexes.values()].filter((entry) => touches(entry, values));
        for (const entry of touched) entry.index.remove(row);
        Object.assign(row, this.intern(values));
        row.versionnumber = version;
        row.modifiedon = dataverseTimestamp(this.now());
        for (const entry of touched) entry.index.insert(row);
        this.changeLog.insertLate(version, row.accountid, this.nextVersion());
        return row;
      },
    };
  }

  delete(id: string): boolean {
    const row = this.rows.get(id.toLowerCase());
    if (row === undefined) return false;
    this.remember(row.accountid, { ...row });
    for (const entry of this.indexes.values()) entry.index.remove(row);
    this.rows.delete(row.accountid);
    this.changeLog.append(this.nextVersion(), row.accountid, this.now().getTime());
    this.compactWhenWorthIt();
    return true;
  }

  /** `ACC-NNNNN-XXXXXX`: the Prospect to cash number sequence (prefix, zero-padded counter, six random A–Z0–9). */
  nextAccountNumber(): string {
    const counter = String(this.sequence).padStart(5, '0');
    this.sequence += 1;
    let suffix = '';
    for (let i = 0; i < 6; i += 1) suffix += SUFFIX_ALPHABET[Math.floor(this.random.next() * SUFFIX_ALPHABET.length)];
    return `ACC-${counter}-${suffix}`;
  }

  /**
   * Runs `work` atomically: if it throws, every row it created, changed or deleted is put back, the version
   * counter, the number sequence and the change log included, and the error is rethrown.
   */
  atomically<T>(work: () => T): T {
    if (this.transaction !== undefined) throw new Error('change sets do not nest');
    return this.runTransaction(work);
  }

  /**
   * Like `atomically`, but inside a running transaction (a bulk message inside a `$batch` change set) the work joins
   * it: the enclosing change set rolls everything back together.
   */
  atomicallyOrJoin<T>(work: () => T): T {
    return this.transaction === undefined ? this.runTransaction(work) : work();
  }

  private runTransaction<T>(work: () => T): T {
    this.transaction = { before: new Map(), version: this.version, sequence: this.sequence, logLength: this.changeLog.length };
    try {
      return work();
    } catch (error) {
      this.rollback(this.transaction);
      throw error;
    } finally {
      this.transaction = undefined;
    }
  }

  /** The rows in the given order (which must end on `accountid`), indexed on first use. */
  orderedIndex(keys: readonly OrderByKey[]): SortedIndex<AccountRow> {
    const signature = orderSignature(keys);
    let entry = this.indexes.get(signature);
    if (entry === undefined) {
      const comparator = rowComparator(keys);
      entry = { keys, columns: new Set(keys.map((key) => key.column)), index: SortedIndex.fromSorted(sortRows(this.rows.values(), keys), comparator), lastUsed: 0 };
      this.indexes.set(signature, entry);
      this.evictIndexes();
    }
    entry.lastUsed = (this.useCounter += 1);
    return entry.index;
  }

  /** An existing index whose first key is `column` (to count a range cheaply), if any query built one. */
  existingIndexLeadingWith(column: string): { keys: readonly OrderByKey[]; index: SortedIndex<AccountRow> } | undefined {
    for (const entry of this.indexes.values()) if (entry.keys[0]?.column === column) return entry;
    return undefined;
  }

  setCurrencies(currencies: Iterable<TransactionCurrency>): void {
    this.currencies.clear();
    for (const currency of currencies) {
      this.currencies.set(currency.transactioncurrencyid.toLowerCase(), { ...currency, transactioncurrencyid: currency.transactioncurrencyid.toLowerCase() });
    }
  }

  setBusinessUnits(units: Iterable<BusinessUnit>): void {
    this.units.clear();
    for (const unit of units) this.units.set(unit.businessunitid.toLowerCase(), { ...unit, businessunitid: unit.businessunitid.toLowerCase() });
  }

  listCurrencies(): TransactionCurrency[] {
    return [...this.currencies.values()];
  }

  listBusinessUnits(): BusinessUnit[] {
    return [...this.units.values()];
  }

  currency(id: string): TransactionCurrency | undefined {
    return this.currencies.get(id.toLowerCase());
  }

  businessUnit(id: string): BusinessUnit | undefined {
    return this.units.get(id.toLowerCase());
  }

  /** The organisation's base currency and root business unit: defaults for new accounts. */
  defaults(): { currencyId: string | null; businessUnitId: string | null } {
    return {
      currencyId: this.currencies.keys().next().value ?? null,
      businessUnitId: this.units.keys().next().value ?? null,
    };
  }

  /** Counters and tombstones: what a snapshot needs besides the rows. */
  state(): StoreState {
    return {
      version: this.version,
      sequence: this.sequence,
      currencies: this.listCurrencies(),
      businessUnits: this.listBusinessUnits(),
      tombstones: this.changeLog.deletions(),
    };
  }

  /** Loads a snapshot into an empty store; the change log is rebuilt from the rows' versions and the tombstones. */
  restore(state: StoreState, rows: Iterable<AccountRow>): void {
    if (this.rows.size > 0 || this.version > 0) throw new Error('restore needs an empty store');
    this.setCurrencies(state.currencies);
    this.setBusinessUnits(state.businessUnits);
    const entries: Array<{ version: number; id: string; deletedAtMs?: number }> = [...state.tombstones];
    for (const row of rows) {
      const stored = Object.assign(blankAccountRow(row.accountid.toLowerCase(), row.createdon, row.versionnumber), this.intern(row));
      this.rows.set(stored.accountid, stored);
      entries.push({ version: stored.versionnumber, id: stored.accountid });
    }
    entries.sort((a, b) => a.version - b.version);
    for (const entry of entries) this.changeLog.append(entry.version, entry.id, entry.deletedAtMs);
    this.version = Math.max(state.version, entries[entries.length - 1]?.version ?? 0);
    this.sequence = state.sequence;
  }

  private intern<T extends AccountValues>(values: T): T {
    const result: T = { ...values };
    for (const column of INTERNED_COLUMNS) {
      const value = result[column];
      if (typeof value !== 'string') continue;
      const known = this.interned.get(value);
      if (known !== undefined) result[column] = known as T[typeof column];
      else if (this.interned.size < MAX_INTERNED) this.interned.set(value, value);
    }
    return result;
  }

  private nextVersion(): number {
    this.version += 1;
    return this.version;
  }

  private remember(id: string, before: AccountRow | null): void {
    const transaction = this.transaction;
    if (transaction !== undefined && !transaction.before.has(id)) transaction.before.set(id, before);
  }

  private rollback(transaction: Transaction): void {
    for (const [id, before] of transaction.before) {
      const current = this.rows.get(id);
      if (current !== undefined) {
        for (const entry of this.indexes.values()) entry.index.remove(current);
        this.rows.delete(id);
      }
      if (before !== null) {
        const restored = { ...before };
        this.rows.set(id, restored);
        for (const entry of this.indexes.values()) entry.index.insert(restored);
      }
    }
    this.version = transaction.version;
    this.sequence = transaction.sequence;
    this.changeLog.truncate(transaction.logLength);
  }

  /** Superseded entries are dropped once they outnumber the live ones, so the log stays O(rows). */
  private compactWhenWorthIt(): void {
    if (this.transaction !== undefined || this.changeLog.length < 2 * this.rows.size + 1024) return;
    this.changeLog.compact((id) => this.rows.get(id)?.versionnumber, this.now().getTime() - this.tombstoneRetentionMs);
  }

  private evictIndexes(): void {
    while (this.indexes.size > MAX_INDEXES) {
      let oldest: string | undefined;
      let oldestUse = Infinity;
      for (const [signature, entry] of this.indexes) {
        if (entry.lastUsed < oldestUse) {
          oldest = signature;
          oldestUse = entry.lastUsed;
        }
      }
      if (oldest === undefined) return;
      this.indexes.delete(oldest);
    }
  }
}

function touches(entry: OrderedIndex, values: AccountValues): boolean {
  if (entry.columns.has('versionnumber') || entry.columns.has('modifiedon')) return true;
  for (const column of Object.keys(values)) if (entry.columns.has(column)) return true;
  return false;
}

/**
 * The rows in `rowComparator(keys)` order, sorted on precomputed keys: strings lower-cased once per row instead
 * of once per comparison, which makes indexing a million rows several times faster. Same order by construction:
 * the collation compares lower-cased strings by code unit, and `<` on strings does exactly that.
 */
function sortRows(rows: Iterable<AccountRow>, keys: readonly OrderByKey[]): AccountRow[] {
  const columns = keys.map((key) => key.column as keyof AccountRow);
  const signs = keys.map((key) => (key.direction === 'asc' ? 1 : -1));
  const decorated = Array.from(rows, (row) => ({ row, sortKey: columns.map((column) => sortable(row[column])) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < columns.length; i += 1) {
      const x = a.sortKey[i];
      const y = b.sortKey[i];
      if (x === y) continue;
      const order = compareSortable(x, y);
      if (order !== 0) return order * (signs[i] as number);
    }
    return 0;
  });
  return decorated.map((entry) => entry.row);
}

type Sortable = string | number | boolean | null;

function sortable(value: unknown): Sortable {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value).toLowerCase();
}

/** `compareValues` on already lower-cased values: null < boolean < number < string. */
function compareSortable(x: Sortable | undefined, y: Sortable | undefined): number {
  const rankX = sortRank(x);
  const rankY = sortRank(y);
  if (rankX !== rankY) return rankX - rankY;
  if (rankX === 0) return 0;
  return (x as number | string) < (y as number | string) ? -1 : (x as number | string) > (y as number | string) ? 1 : 0;
}

function sortRank(value: Sortable | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'boolean' ? 1 : typeof value === 'number' ? 2 : 3;
}

export function orderSignature(keys: readonly OrderByKey[]): string {
  return keys.map((key) => `${key.column} ${key.direction}`).join(',');
}

/** The collation of `$filter` applied key by key; `desc` reverses it (so nulls come last, as in SQL Server). */
export function rowComparator(keys: readonly OrderByKey[]): (a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>) => number {
  const columns = keys.map((key) => key.column);
  const signs = keys.map((key) => (key.direction === 'asc' ? 1 : -1));
  return (a, b) => {
    for (let i = 0; i < columns.length; i += 1) {
      const column = columns[i] as string;
      const order = compareValues(a[column], b[column]);
      if (order !== 0) return order * (signs[i] as number);
    }
    return 0;
  };
}
