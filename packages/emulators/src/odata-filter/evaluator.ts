import { compareValues } from './collation';
import type { ColumnType, FilterExpression, FilterValue } from './types';

export type FilterRow = Readonly<Record<string, unknown>>;

/**
 * Whether a row satisfies the filter, with OData's null rules: `eq`/`ne` treat null as an ordinary value
 * (`x ne 'a'` holds when x is null); the ordering operators and the string functions are false for null.
 */
export function evaluateFilter(expression: FilterExpression, row: FilterRow): boolean {
  switch (expression.kind) {
    case 'and':
      return expression.operands.every((operand) => evaluateFilter(operand, row));
    case 'or':
      return expression.operands.some((operand) => evaluateFilter(operand, row));
    case 'not':
      return !evaluateFilter(expression.operand, row);
    case 'column':
      return row[expression.column] === true;
    case 'compare': {
      const actual = comparableCell(expression.columnType, row[expression.column]);
      if (expression.value === null || actual === null) {
        const equal = expression.value === actual;
        if (expression.op === 'eq') return equal;
        if (expression.op === 'ne') return !equal;
        return false;
      }
      const order = compareValues(actual, expression.value);
      switch (expression.op) {
        case 'eq':
          return order === 0;
        case 'ne':
          return order !== 0;
        case 'gt':
          return order > 0;
        case 'ge':
          return order >= 0;
        case 'lt':
          return order < 0;
        case 'le':
          return order <= 0;
      }
      break;
    }
    case 'function': {
      const actual = row[expression.column];
      if (typeof actual !== 'string') return false;
      const text = actual.toLowerCase();
      if (expression.name === 'contains') return text.includes(expression.value);
      if (expression.name === 'startswith') return text.startsWith(expression.value);
      return text.endsWith(expression.value);
    }
    case 'in':
      return inSet(expression).has(setKey(comparableCell(expression.columnType, row[expression.column])));
    case 'wildcard': {
      const actual = row[expression.column];
      const matches = typeof actual === 'string' && wildcardPattern(expression.pattern).test(actual.toLowerCase());
      return expression.negated ? !matches : matches;
    }
  }
  return false;
}

/** A row value in the same form the parser gave the literal. */
export function comparableCell(type: ColumnType, value: unknown): FilterValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'guid':
      return typeof value === 'string' ? value.toLowerCase() : String(value);
    case 'datetime': {
      const millis = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number(value);
      return Number.isFinite(millis) ? millis : null;
    }
    default:
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
  }
}

// In() lists can be long (a key list of a work unit); a set per parsed expression keeps each row O(1).
const inSets = new WeakMap<object, Set<unknown>>();

function inSet(expression: FilterExpression & { kind: 'in' }): Set<unknown> {
  let set = inSets.get(expression);
  if (set === undefined) {
    set = new Set(expression.values.map(setKey));
    inSets.set(expression, set);
  }
  return set;
}

function setKey(value: FilterValue): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

const wildcardPatterns = new Map<string, RegExp>();

/** `a*b` → /^a.*b$/s, every other character literal. */
function wildcardPattern(pattern: string): RegExp {
  let compiled = wildcardPatterns.get(pattern);
  if (compiled === undefined) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    compiled = new RegExp(`^${source}$`, 's');
    if (wildcardPatterns.size < 1000) wildcardPatterns.set(pattern, compiled);
  }
  return compiled;
}
