import { compareValues, evaluateFilter, type FilterExpression, type FilterValue, type OrderByKey } from '../odata-filter';
import type { AccountRow } from './account-row';
import { type AccountStore, rowComparator } from './account-store';
import type { SortedIndex } from './sorted-index';

export interface PageRequest {
  filter: FilterExpression | undefined;
  /** The full ordering, ending on `accountid` (see `normalizeOrder`). */
  order: readonly OrderByKey[];
  /** Keyset cursor: the sort key values of the last row already returned (a pseudo-row). */
  after: Readonly<Record<string, unknown>> | undefined;
  limit: number;
}

export interface PageResult {
  rows: AccountRow[];
  /** Whether at least one more matching row follows the page. */
  more: boolean;
}

/** Up to this many candidates (by key or by version) are filtered and sorted directly instead of scanning an index. */
const CANDIDATE_LIMIT = 20_000;

/** Columns whose `eq` predicates get an index of their own (high cardinality; `eq null` finds unnumbered accounts). */
const EQUALITY_INDEX_COLUMNS = new Set(['accountnumber', 'name', '_transactioncurrencyid_value', '_owningbusinessunit_value']);

/** Appends the primary key (the tie-break that makes every ordering total) and drops keys after it. */
export function normalizeOrder(keys: readonly OrderByKey[]): OrderByKey[] {
  const order: OrderByKey[] = [];
  for (const key of keys) {
    order.push(key);
    if (key.column === 'accountid') return order;
  }
  order.push({ column: 'accountid', direction: 'asc' });
  return order;
}

/**
 * One keyset page of accounts matching the filter, in order, after the cursor. Picks the cheapest access path so
 * the common sync queries cost O(page) rather than O(table):
 * - `accountid eq` / `In(accountid)`: key look-ups;
 * - ordering on `versionnumber`: the change log, which is in version order already;
 * - `versionnumber gt N` with few newer versions: those rows only;
 * - `In(<first sort column>, …)`: the ordering's index, read only inside each listed value's range;
 * - `In(<key-like column>, …)` otherwise: the rows of each listed value, then sorted;
 * - `<column> eq <value|null>` on a key-like column: an index on (column, ordering…), read inside the equal range;
 * - otherwise the index for the ordering, from the later of the cursor and the filter's bound on the first key.
 */
export function readPage(store: AccountStore, request: PageRequest): PageResult {
  const conjuncts = topLevelConjuncts(request.filter);
  const keys = keyLookup(conjuncts);
  if (keys !== undefined) return fromCandidates(keys.flatMap((id) => store.get(String(id)) ?? []), request);

  const first = request.order[0] as OrderByKey;
  if (first.column === 'versionnumber') return fromChangeLog(store, request, boundsOn(conjuncts, 'versionnumber'));

  const versionBounds = boundsOn(conjuncts, 'versionnumber');
  if (versionBounds.lower !== undefined && typeof versionBounds.lower.value === 'number') {
    const start = store.changeLog.firstAfter(versionBounds.lower.value - (versionBounds.lower.inclusive ? 1 : 0));
    if (store.changeLog.length - start <= CANDIDATE_LIMIT) return fromCandidates(currentRowsFrom(store, start), request);
  }

  const firstBounds = boundsOn(conjuncts, first.column);
  const list = conjuncts.find((expression): expression is FilterExpression & { kind: 'in' } => expression.kind === 'in' && expression.columnType !== 'datetime');
  if (list !== undefined && list.column === first.column) return fromOrderedIndexAt(store, request, list.values);
  if (list !== undefined && EQUALITY_INDEX_COLUMNS.has(list.column)) {
    const index = store.orderedIndex([{ column: list.column, direction: 'asc' }, ...request.order]);
    return fromCandidates(list.values.flatMap((value) => equalRange(index, list.column, value)), request);
  }

  const equality = conjuncts.find(
    (expression): expression is FilterExpression & { kind: 'compare' } =>
      expression.kind === 'compare' && expression.op === 'eq' && EQUALITY_INDEX_COLUMNS.has(expression.column) && expression.column !== first.column,
  );
  if (equality !== undefined) return withinEquality(store, request, equality.column, equality.value, firstBounds);

  return fromOrderedIndex(store, request, firstBounds);
}

function topLevelConjuncts(filter: FilterExpression | undefined): readonly FilterExpression[] {
  if (filter === undefined) return [];
  return filter.kind === 'and' ? filter.operands : [filter];
}

function keyLookup(conjuncts: readonly FilterExpression[]): FilterValue[] | undefined {
  for (const expression of conjuncts) {
    if (expression.kind === 'compare' && expression.column === 'accountid' && expression.op === 'eq' && expression.value !== null) return [expression.value];
    if (expression.kind === 'in' && expression.column === 'accountid') return [...new Set(expression.values)];
  }
  return undefined;
}

interface Bound {
  value: FilterValue;
  inclusive: boolean;
}

/** The tightest range the top-level `and` puts on one column (datetimes excluded: rows hold them as text). */
function boundsOn(conjuncts: readonly FilterExpression[], column: string): Bounds {
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  for (const expression of conjuncts) {
    if (expression.kind !== 'compare' || expression.column !== column || expression.columnType === 'datetime') continue;
    const { op, value } = expression;
    // Nulls sort first, so `ne null` starts the range right after them.
    if (value === null && op === 'ne') lower = tighter(lower, { value: null, inclusive: false }, 1);
    if (value === null && op !== 'eq') continue;
    if (op === 'eq' || op === 'gt' || op === 'ge') lower = tighter(lower, { value, inclusive: op !== 'gt' }, 1);
    if (op === 'eq' || op === 'lt' || op === 'le') upper = tighter(upper, { value, inclusive: op !== 'lt' }, -1);
  }
  return { ...(lower ? { lower } : {}), ...(upper ? { upper } : {}) };
}

function tighter(current: Bound | undefined, candidate: Bound, sign: 1 | -1): Bound {
  if (current === undefined) return candidate;
  const order = compareValues(candidate.value, current.value) * sign;
  if (order > 0) return candidate;
  if (order < 0) return current;
  return current.inclusive ? candidate : current;
}

function fromCandidates(candidates: Iterable<AccountRow>, request: PageRequest): PageResult {
  const compare = rowComparator(request.order);
  const matching: AccountRow[] = [];
  for (const row of candidates) {
    if (request.after !== undefined && compare(row, request.after) <= 0) continue;
    if (request.filter === undefined || evaluateFilter(request.filter, row)) matching.push(row);
  }
  matching.sort(compare);
  return { rows: matching.slice(0, request.limit), more: matching.length > request.limit };
}

function* currentRowsFrom(store: AccountStore, start: number): Generator<AccountRow> {
  const log = store.changeLog;
  for (let position = start; position < log.length; position += 1) {
    const row = store.get(log.idAt(position));
    if (row !== undefined && row.versionnumber === log.versionAt(position)) yield row;
  }
}

/** Versions are unique, so the change log alone is the ordering `versionnumber asc|desc` (accountid never ties). */
function fromChangeLog(store: AccountStore, request: PageRequest, bounds: Bounds): PageResult {
  const log = store.changeLog;
  const ascending = (request.order[0] as OrderByKey).direction === 'asc';
  const cursor = request.after?.['versionnumber'];
  let low = bounds.lower === undefined || typeof bounds.lower.value !== 'number' ? -Infinity : bounds.lower.value + (bounds.lower.inclusive ? 0 : 1);
  let high = bounds.upper === undefined || typeof bounds.upper.value !== 'number' ? Infinity : bounds.upper.value - (bounds.upper.inclusive ? 0 : 1);
  if (typeof cursor === 'number') {
    if (ascending) low = Math.max(low, cursor + 1);
    else high = Math.min(high, cursor - 1);
  }
  const rows: AccountRow[] = [];
  let more = false;
  const visit = (position: number): boolean => {
    const row = store.get(log.idAt(position));
    if (row === undefined || row.versionnumber !== log.versionAt(position)) return true;
    if (request.filter !== undefined && !evaluateFilter(request.filter, row)) return true;
    if (rows.length === request.limit) {
      more = true;
      return false;
    }
    rows.push(row);
    return true;
  };
  if (ascending) {
    for (let position = log.firstAfter(low - 1); position < log.length && log.versionAt(position) <= high; position += 1) if (!visit(position)) break;
  } else {
    for (let position = log.firstAfter(high) - 1; position >= 0 && log.versionAt(position) >= low; position -= 1) if (!visit(position)) break;
  }
  return { rows, more };
}

function withinEquality(store: AccountStore, request: PageRequest, column: string, value: FilterValue, firstBounds: Bounds): PageResult {
  const index = store.orderedIndex([{ column, direction: 'asc' }, ...request.order]);
  const started = startPredicate(request, firstBounds);
  const pastEnd = endPredicate(request, firstBounds);
  const start = (row: AccountRow): boolean => {
    const order = compareValues(row[column as keyof AccountRow], value);
    return order > 0 || (order === 0 && started(row));
  };
  return collect(request, (visit) => {
    index.scan(start, (row) => compareValues(row[column as keyof AccountRow], value) === 0 && !pastEnd(row) && visit(row));
  });
}

function fromOrderedIndex(store: AccountStore, request: PageRequest, bounds: Bounds): PageResult {
  const index = store.orderedIndex(request.order);
  const started = startPredicate(request, bounds);
  const pastEnd = endPredicate(request, bounds);
  const unbounded = request.after === undefined && (request.order[0]?.direction === 'asc' ? bounds.lower : bounds.upper) === undefined;
  return collect(request, (visit) => {
    index.scan(unbounded ? undefined : started, (row) => !pastEnd(row) && visit(row));
  });
}

/** Reads the ordering's index only where the first sort column holds one of `values`, in index order. */
function fromOrderedIndexAt(store: AccountStore, request: PageRequest, values: readonly FilterValue[]): PageResult {
  const index = store.orderedIndex(request.order);
  const first = request.order[0] as OrderByKey;
  const sign = first.direction === 'asc' ? 1 : -1;
  const distinct = [...values].sort((a, b) => compareValues(a, b) * sign).filter((value, i, sorted) => i === 0 || compareValues(value, sorted[i - 1]) !== 0);
  const compare = rowComparator(request.order);
  const after = request.after;
  const key = (row: AccountRow) => row[first.column as keyof AccountRow];
  return collect(request, (visit) => {
    for (const value of distinct) {
      let go = true;
      const start = (row: AccountRow) => compareValues(key(row), value) * sign >= 0 && (after === undefined || compare(row, after) > 0);
      index.scan(start, (row) => compareValues(key(row), value) === 0 && (go = visit(row)));
      if (!go) return;
    }
  });
}

/** Every row whose `column` equals `value` (under the collation), from an index leading with that column. */
function equalRange(index: SortedIndex<AccountRow>, column: string, value: FilterValue): AccountRow[] {
  const rows: AccountRow[] = [];
  index.scan(
    (row) => compareValues(row[column as keyof AccountRow], value) >= 0,
    (row) => compareValues(row[column as keyof AccountRow], value) === 0 && rows.push(row) > 0,
  );
  return rows;
}

interface Bounds {
  lower?: Bound;
  upper?: Bound;
}

/** Whether a row is at or after where the page starts: past the cursor and inside the bound that comes first. */
function startPredicate(request: PageRequest, bounds: Bounds): (row: AccountRow) => boolean {
  const first = request.order[0] as OrderByKey;
  const sign = first.direction === 'asc' ? 1 : -1;
  const startBound = sign === 1 ? bounds.lower : bounds.upper;
  const compare = rowComparator(request.order);
  const after = request.after;
  return (row) => {
    if (after !== undefined && compare(row, after) <= 0) return false;
    if (startBound === undefined) return true;
    const order = compareValues(row[first.column as keyof AccountRow], startBound.value) * sign;
    return order > 0 || (startBound.inclusive && order === 0);
  };
}

/** Whether a row lies beyond the bound that comes last in the ordering (the scan stops there). */
function endPredicate(request: PageRequest, bounds: Bounds): (row: AccountRow) => boolean {
  const first = request.order[0] as OrderByKey;
  const sign = first.direction === 'asc' ? 1 : -1;
  const stopBound = sign === 1 ? bounds.upper : bounds.lower;
  return (row) => {
    if (stopBound === undefined) return false;
    const order = compareValues(row[first.column as keyof AccountRow], stopBound.value) * sign;
    return order > 0 || (!stopBound.inclusive && order === 0);
  };
}

/** Runs a scan, keeping rows that pass the filter until the page and one more (to know whether more follow). */
function collect(request: PageRequest, scan: (visit: (row: AccountRow) => boolean) => void): PageResult {
  const rows: AccountRow[] = [];
  let more = false;
  scan((row) => {
    if (request.filter !== undefined && !evaluateFilter(request.filter, row)) return true;
    if (rows.length === request.limit) {
      more = true;
      return false;
    }
    rows.push(row);
    return true;
  });
  return { rows, more };
}
