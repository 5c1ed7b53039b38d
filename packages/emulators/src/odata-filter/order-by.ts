import { FilterParseError, FilterUnknownColumnError } from './errors';
import type { ColumnTypes, OrderByKey } from './types';

/** `$orderby=col1 desc,col2` → keys in order. Unknown columns are a FilterUnknownColumnError, like in `$filter`. */
export function parseOrderBy(text: string, columns: ColumnTypes): OrderByKey[] {
  const keys: OrderByKey[] = [];
  let offset = 0;
  for (const item of text.split(',')) {
    const leading = item.length - item.trimStart().length;
    const words = item.trim().split(/\s+/);
    const [column = '', direction = 'asc', extra] = words;
    const position = offset + leading;
    if (column === '') throw new FilterParseError(`Syntax error at position ${position}: expected a property name in $orderby.`, position);
    if (extra !== undefined || (direction !== 'asc' && direction !== 'desc')) {
      throw new FilterParseError(`Syntax error at position ${position}: expected 'asc' or 'desc' after '${column}'.`, position);
    }
    if (!Object.hasOwn(columns, column)) throw new FilterUnknownColumnError(column, position);
    if (keys.some((key) => key.column === column)) {
      throw new FilterParseError(`The property '${column}' appears more than once in $orderby.`, position);
    }
    keys.push({ column, direction });
    offset += item.length + 1;
  }
  return keys;
}
