import {
  type ColumnTypes,
  type FilterExpression,
  FilterParseError,
  FilterUnknownColumnError,
  type OrderByKey,
  parseFilter,
  parseOrderBy,
} from '../odata-filter';
import { type EntityLogicalName, errors } from './dataverse-error';

/** The system query options of one request, checked against the entity's columns. */
export interface QueryOptions {
  select: string[] | undefined;
  filter: FilterExpression | undefined;
  orderBy: OrderByKey[];
  top: number | undefined;
  count: boolean;
  skipToken: string | undefined;
  deltaToken: string | undefined;
  expand: string | undefined;
  /** The options as received, minus `$skiptoken`/`$deltatoken`: what a next or delta link repeats. */
  carried: Array<[string, string]>;
}

const SUPPORTED = new Set(['$select', '$filter', '$orderby', '$top', '$count', '$skiptoken', '$deltatoken', '$expand']);

export function parseQueryOptions(search: URLSearchParams, columns: ColumnTypes, entity: EntityLogicalName): QueryOptions {
  const seen = new Map<string, string>();
  const carried: Array<[string, string]> = [];
  for (const [name, value] of search) {
    if (!name.startsWith('$')) continue; // custom query options are the service's to ignore
    if (name === '$skip') throw errors.querySyntax('The query parameter $skip is not supported');
    if (!SUPPORTED.has(name)) throw errors.querySyntax(`The query parameter ${name} is not supported`);
    if (seen.has(name)) throw errors.querySyntax(`Query option '${name}' was specified more than once, but it must be specified at most once.`);
    seen.set(name, value);
    if (name !== '$skiptoken' && name !== '$deltatoken') carried.push([name, value]);
  }
  const selectText = seen.get('$select');
  const filterText = seen.get('$filter');
  const orderText = seen.get('$orderby');
  const topText = seen.get('$top');
  const countText = seen.get('$count');
  return {
    select: selectText === undefined ? undefined : parseSelect(selectText, columns, entity),
    filter: filterText === undefined ? undefined : withQueryErrors(() => parseFilter(filterText, { dialect: 'dataverse', columns }), entity, '$filter'),
    orderBy: orderText === undefined ? [] : withQueryErrors(() => parseOrderBy(orderText, columns), entity, '$orderby'),
    top: topText === undefined ? undefined : parseTop(topText),
    count: countText === undefined ? false : parseCount(countText),
    skipToken: seen.get('$skiptoken'),
    deltaToken: seen.get('$deltatoken'),
    expand: seen.get('$expand'),
    carried,
  };
}

function parseSelect(text: string, columns: ColumnTypes, entity: EntityLogicalName): string[] {
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (name === '') throw errors.querySyntax("Syntax error: an empty property name in '$select'.");
    if (!Object.hasOwn(columns, name)) throw errors.unknownProperty(name, entity);
  }
  return [...new Set(names)];
}

function parseTop(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw errors.querySyntax(`Invalid value '${text}' for $top query option found. The $top query option requires a non-negative integer value.`);
  return Number(text);
}

function parseCount(text: string): boolean {
  if (text !== 'true' && text !== 'false') throw errors.querySyntax(`'${text}' is not a valid count option.`);
  return text === 'true';
}

function withQueryErrors<T>(parse: () => T, entity: EntityLogicalName, option: string): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof FilterUnknownColumnError) throw errors.unknownProperty(error.column, entity);
    if (error instanceof FilterParseError) throw errors.querySyntax(`Invalid ${option}: ${error.message}`);
    throw error;
  }
}

/** Preferences of a `Prefer` header (several headers arrive joined by commas). */
export interface Preferences {
  maxPageSize: number | undefined;
  trackChanges: boolean;
  returnRepresentation: boolean;
  continueOnError: boolean;
}

export function parsePreferences(header: string | undefined): Preferences {
  const preferences: Preferences = { maxPageSize: undefined, trackChanges: false, returnRepresentation: false, continueOnError: false };
  if (header === undefined) return preferences;
  for (const item of splitPreferences(header)) {
    const [rawName = '', ...rest] = item.split('=');
    const name = rawName.trim().toLowerCase();
    const value = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
    if (name === 'odata.maxpagesize' && /^\d{1,9}$/.test(value) && Number(value) > 0) preferences.maxPageSize = Number(value);
    else if (name === 'odata.track-changes') preferences.trackChanges = true;
    else if (name === 'return' && value === 'representation') preferences.returnRepresentation = true;
    else if (name === 'odata.continue-on-error') preferences.continueOnError = value === '' || value === 'true';
  }
  return preferences;
}

/** Splits on commas outside double quotes (`odata.include-annotations="*"` may hold commas). */
function splitPreferences(header: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of header) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      items.push(current);
      current = '';
    } else current += char;
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item !== '');
}
