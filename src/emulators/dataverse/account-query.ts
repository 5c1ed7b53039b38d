import { compareValues, evaluateFilter, type FilterExpression, type FilterValue, type OrderByKey } from '../odata-filter';
import type { AccountRow } from './account-row';
import { type AccountStore, rowComparator } from './account-store';

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

  const equality = conjuncts.find(
    (expression): expression is FilterExpression & { kind: 'compare' } =>
      expression.kind === 'compare' && expression.op === 'eq' && EQUALITY_INDEX_COLUMNS.has(expression.column) && expression.column !== first.column,
  );
  if (equality !== undefined) return withinEquality(store, request, equality.column, equality.value);

  return fromOrderedIndex(store, request, boundsOn(conjuncts, first.column));
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
function boundsOn(conjuncts: readonly FilterExpression[], column: string): { lower?: Bound; upper?: Bound } {
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  for (const expression of conjuncts) {
    if (expression.kind !== 'compare' || expression.column !== column || expression.columnType === 'datetime') continue;
    const { op, value } = expression;
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
function fromChangeLog(store: AccountStore, request: PageRequest, bounds: { lower?: Bound; upper?: Bound }): PageResult {
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

function withinEquality(store: AccountStore, request: PageRequest, column: string, value: FilterValue): PageResult {
  const index = store.orderedIndex([{ column, direction: 'asc' }, ...request.order]);
  const compareRest = rowComparator(request.order);
  const after = request.after;
  const start = (row: AccountRow): boolean => {
    const order = compareValues(row[column as keyof AccountRow], value);
    return order > 0 || (order === 0 && (after === undefined || compareRest(row, after) > 0));
  };
  return collect(request, (visit) => {
    index.scan(start, (row) => compareValues(row[column as keyof AccountRow], value) === 0 && visit(row));
  });
}

function fromOrderedIndex(store: AccountStore, request: PageRequest, bounds: { lower?: Bound; upper?: Bound }): PageResult {
  const index = store.orderedIndex(request.order);
  const first = request.order[0] as OrderByKey;
  const sign = first.direction === 'asc' ? 1 : -1;
  const startBound = sign === 1 ? bounds.lower : bounds.upper;
  const stopBound = sign === 1 ? bounds.upper : bounds.lower;
  const key = (row: AccountRow) => row[first.column as keyof AccountRow];
  const compare = rowComparator(request.order);
  const after = request.after;
  const started = (row: AccountRow): boolean => {
    if (after !== undefined && compare(row, after) <= 0) return false;
    if (startBound === undefined) return true;
    const order = compareValues(key(row), startBound.value) * sign;
    return order > 0 || (startBound.inclusive && order === 0);
  };
  const pastEnd = (row: AccountRow): boolean => {
    if (stopBound === undefined) return false;
    const order = compareValues(key(row), stopBound.value) * sign;
    return order > 0 || (!stopBound.inclusive && order === 0);
  };
  return collect(request, (visit) => {
    index.scan(after === undefined && startBound === undefined ? undefined : started, (row) => !pastEnd(row) && visit(row));
  });
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
