export { compareStringsCaseInsensitive, compareValues } from './collation';
export { FilterParseError, FilterUnknownColumnError } from './errors';
export { comparableCell, evaluateFilter, type FilterRow } from './evaluator';
export { parseOrderBy } from './order-by';
export { parseFilter, type ParseFilterOptions } from './parser';
export type {
  ColumnType,
  ColumnTypes,
  ComparisonOperator,
  FilterDialect,
  FilterExpression,
  FilterValue,
  OrderByKey,
  SortDirection,
  StringFunction,
} from './types';
