/**
 * The one ordering used by `$filter` comparisons, `$orderby` and keyset paging: null first, then booleans
 * (false < true), numbers, strings. Strings compare as their lower-cased forms by UTF-16 code unit — the same
 * rule for `gt` as for sorting, so a page boundary `key gt 'X'` continues exactly where the sort left off.
 */
export function compareValues(a: unknown, b: unknown): number {
  const rankA = rank(a);
  const rankB = rank(b);
  if (rankA !== rankB) return rankA - rankB;
  switch (rankA) {
    case 0:
      return 0;
    case 1:
    case 2:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 3:
      return compareStringsCaseInsensitive(a as string, b as string);
    default:
      return compareStringsCaseInsensitive(String(a), String(b));
  }
}

function rank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  switch (typeof value) {
    case 'boolean':
      return 1;
    case 'number':
    case 'bigint':
      return 2;
    case 'string':
      return 3;
    default:
      return 4;
  }
}

/**
 * Equivalent to comparing `a.toLowerCase()` with `b.toLowerCase()`, without allocating for ASCII text (account
 * numbers, names): sorting a million rows calls this tens of millions of times.
 */
export function compareStringsCaseInsensitive(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 128 || y >= 128) return compareLowered(a, b);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return x - y;
  }
  const longer = a.length > b.length ? a : b;
  for (let i = length; i < longer.length; i += 1) {
    // A non-ASCII tail may lower-case to a different length; only the full rule is exact then.
    if (longer.charCodeAt(i) >= 128) return compareLowered(a, b);
  }
  return a.length - b.length;
}

function compareLowered(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
