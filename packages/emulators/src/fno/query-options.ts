import {
  type FilterExpression,
  FilterParseError,
  FilterUnknownColumnError,
  type OrderByKey,
  parseFilter,
  parseOrderBy,
} from '../odata-filter';
import type { EntitySetDefinition } from './entity-set';
import { badQuery, unknownProperty } from './fno-http-error';

export interface QueryOptions {
  filter?: FilterExpression;
  select?: string[];
  orderBy: OrderByKey[];
  top?: number;
  skip: number;
  count: boolean;
  crossCompany: boolean;
}

const supported = new Set(['$filter', '$select', '$top', '$skip', '$orderby', '$count', '$expand', '$format']);

/** Reads the system query options of a request on an entity set; anything unusable is a 400 in F&O's shape. */
export function parseQueryOptions(params: URLSearchParams, set: EntitySetDefinition): QueryOptions {
  for (const name of new Set(params.keys())) {
    if (name.startsWith('$') && !supported.has(name)) {
      throw badQuery(`The query parameter '${name}' is not supported.`);
    }
    if (params.getAll(name).length > 1) throw badQuery(`Query option '${name}' was specified more than once, but it must be specified at most once.`);
  }
  const options: QueryOptions = {
    orderBy: [],
    skip: 0,
    count: false,
    crossCompany: (params.get('cross-company') ?? '').toLowerCase() === 'true',
  };
  const format = params.get('$format');
  if (format !== null && !/^(json|application\/json)(;.*)?$/i.test(format)) {
    throw badQuery(`The $format value '${format}' is not supported; only JSON is.`);
  }
  const expand = params.get('$expand');
  if (expand !== null && expand.trim() !== '') {
    const [first = ''] = expand.split(',');
    throw badQuery(unknownProperty(first.trim().split(/[(/]/)[0] ?? '', set.entityType));
  }
  const filterText = params.get('$filter');
  if (filterText !== null) options.filter = withFilterErrors(set, () => parseFilter(filterText, { dialect: 'fno', columns: set.columns }));
  if (options.filter) checkEnumLiterals(options.filter, set);
  const orderText = params.get('$orderby');
  if (orderText !== null) options.orderBy = withFilterErrors(set, () => parseOrderBy(orderText, set.columns));
  const selectText = params.get('$select');
  if (selectText !== null && selectText.trim() !== '' && selectText.trim() !== '*') {
    const select = selectText.split(',').map((name) => name.trim());
    for (const name of select) {
      if (!Object.hasOwn(set.columns, name)) throw badQuery(unknownProperty(name, set.entityType));
    }
    options.select = [...new Set(select)];
  }
  const top = params.get('$top');
  if (top !== null) options.top = nonNegative('$top', top);
  const skip = params.get('$skip');
  if (skip !== null) options.skip = nonNegative('$skip', skip);
  const count = params.get('$count');
  if (count !== null) {
    if (count !== 'true' && count !== 'false') throw badQuery(`'${count}' is not a valid count option.`);
    options.count = count === 'true';
  }
  return options;
}

function nonNegative(option: string, text: string): number {
  if (!/^\d{1,9}$/.test(text)) {
    throw badQuery(`Invalid value '${text}' for ${option} query option found. The ${option} query option requires a non-negative integer value.`);
  }
  return Number(text);
}

function withFilterErrors<T>(set: EntitySetDefinition, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof FilterUnknownColumnError) throw badQuery(unknownProperty(error.column, set.entityType));
    if (error instanceof FilterParseError) throw badQuery(error.message);
    throw error;
  }
}

/** Enum members are checked against the column's enum (the parser only knows the literal's form). */
function checkEnumLiterals(expression: FilterExpression, set: EntitySetDefinition): void {
  switch (expression.kind) {
    case 'and':
    case 'or':
      for (const operand of expression.operands) checkEnumLiterals(operand, set);
      return;
    case 'not':
      checkEnumLiterals(expression.operand, set);
      return;
    case 'compare': {
      const members = set.enumMembers[expression.column];
      if (members && typeof expression.value === 'string' && !members.includes(expression.value)) {
        throw badQuery(`The string '${expression.value}' is not a valid enumeration type constant.`);
      }
      return;
    }
    default:
      return;
  }
}
