/**
 * An OData string literal: wrapped in single quotes, a single quote inside doubled (`O'Brien` → `'O''Brien'`).
 * Used for `$filter` values and key segments alike, so one rule covers both.
 */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
