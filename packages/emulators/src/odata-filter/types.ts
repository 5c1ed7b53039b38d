/**
 * The `$filter` syntax tree. Comparisons are normalised so the property is always on the left and the literal is
 * already converted to the column's comparable form (GUIDs lower-cased, datetimes as epoch milliseconds; strings
 * stay as written because the collation ignores case). A store can therefore read range bounds off the tree directly.
 */

export type FilterDialect = 'dataverse' | 'fno';

/** How a column's values are compared. Rows hold datetimes as ISO-8601 strings and enums as member names. */
export type ColumnType = 'string' | 'number' | 'boolean' | 'guid' | 'datetime' | 'enum';

export type ColumnTypes = Readonly<Record<string, ColumnType>>;

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type StringFunction = 'contains' | 'startswith' | 'endswith';

/** A literal in comparable form; `null` is the OData null. */
export type FilterValue = string | number | boolean | null;

export type FilterExpression =
  | { kind: 'and'; operands: FilterExpression[] }
  | { kind: 'or'; operands: FilterExpression[] }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'compare'; op: ComparisonOperator; column: string; columnType: ColumnType; value: FilterValue }
  /** `value` is lower-cased: these functions ignore case like every other string comparison. */
  | { kind: 'function'; name: StringFunction; column: string; value: string }
  | { kind: 'in'; column: string; columnType: ColumnType; values: FilterValue[] }
  /**
   * F&O only: `eq` / `ne` with a string literal holding `*`, which F&O reads as a wildcard (any run of
   * characters). `pattern` is lower-cased, as every string comparison ignores case.
   */
  | { kind: 'wildcard'; negated: boolean; column: string; pattern: string }
  /** A bare boolean property used as a condition (`$filter=creditonhold`). */
  | { kind: 'column'; column: string };

export type SortDirection = 'asc' | 'desc';

export interface OrderByKey {
  column: string;
  direction: SortDirection;
}
