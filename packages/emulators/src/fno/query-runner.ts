import { comparableCell, compareValues, evaluateFilter } from '../odata-filter';
import type { EntitySetDefinition } from './entity-set';
import type { QueryOptions } from './query-options';

export interface QueryRow {
  values: Readonly<Record<string, unknown>>;
  etag?: string;
}

export interface QueryResult {
  rows: QueryRow[];
  /** `$count=true`: every match, not just this page. */
  count?: number;
  /** Set when rows remain beyond this page: the `$skip` of the next page. */
  nextSkip?: number;
  /** The `$top` still wanted after this page, when the client gave one. */
  nextTop?: number;
}

/**
 * Filters, orders and pages candidate rows. `candidates` come in the set's natural (key) order; when `$orderby`
 * asks for that order anyway (`natural`), rows stream and the scan stops after the page, otherwise all matches are
 * sorted (ties broken by key). Server-driven paging cuts pages at `maxPageSize`.
 */
export function runQuery(
  candidates: Iterable<QueryRow>,
  options: QueryOptions,
  set: EntitySetDefinition,
  maxPageSize: number,
  natural: boolean,
): QueryResult {
  const wanted = options.top === undefined ? maxPageSize : Math.min(options.top, maxPageSize);
  const matches = filtered(candidates, options);
  let rows: QueryRow[];
  let remaining: number;
  if (options.orderBy.length === 0 || natural) {
    rows = [];
    let seen = 0;
    let more = 0;
    for (const row of matches) {
      if (seen >= options.skip && rows.length < wanted) rows.push(row);
      else if (seen >= options.skip) {
        more += 1;
        if (!options.count) break;
      }
      seen += 1;
    }
    remaining = more;
    if (options.count) return page(rows, options, maxPageSize, seen, remaining);
    return page(rows, options, maxPageSize, undefined, remaining);
  }
  const all = [...matches];
  all.sort(comparator(options, set));
  rows = all.slice(options.skip, options.skip + wanted);
  remaining = Math.max(0, all.length - options.skip - rows.length);
  return page(rows, options, maxPageSize, options.count ? all.length : undefined, remaining);
}

function page(rows: QueryRow[], options: QueryOptions, maxPageSize: number, count: number | undefined, remaining: number): QueryResult {
  const result: QueryResult = { rows };
  if (count !== undefined) result.count = count;
  const topLeft = options.top === undefined ? undefined : options.top - rows.length;
  // A next page exists when rows remain and the client's $top (if any) is not used up by this page.
  if (remaining > 0 && rows.length === maxPageSize && (topLeft === undefined || topLeft > 0)) {
    result.nextSkip = options.skip + rows.length;
    if (topLeft !== undefined) result.nextTop = topLeft;
  }
  return result;
}

function* filtered(candidates: Iterable<QueryRow>, options: QueryOptions): Generator<QueryRow> {
  const filter = options.filter;
  for (const row of candidates) if (!filter || evaluateFilter(filter, row.values)) yield row;
}

function comparator(options: QueryOptions, set: EntitySetDefinition): (a: QueryRow, b: QueryRow) => number {
  const keys = [...options.orderBy, ...set.keys.map((column) => ({ column, direction: 'asc' as const }))];
  return (a, b) => {
    for (const key of keys) {
      const type = set.columns[key.column] ?? 'string';
      const order = compareValues(comparableCell(type, a.values[key.column]), comparableCell(type, b.values[key.column]));
      if (order !== 0) return key.direction === 'asc' ? order : -order;
    }
    return 0;
  };
}

/** The row as sent: `$select`ed properties only (all when no `$select`), the ETag first. */
export function projectRow(row: QueryRow, select: readonly string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (row.etag) out['@odata.etag'] = row.etag;
  if (select) for (const name of select) out[name] = row.values[name] ?? null;
  else Object.assign(out, row.values);
  return out;
}
