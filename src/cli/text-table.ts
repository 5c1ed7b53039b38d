// Plain-text tables for terminals and logs: aligned columns, numbers right-aligned with thousands separators.

export type Cell = string | number | undefined;

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => headers.map((_, index) => cellText(row[index])));
  const numeric = headers.map((_, index) => rows.length > 0 && rows.every((row) => typeof row[index] === 'number' || row[index] === undefined));
  const widths = headers.map((header, index) => Math.max(header.length, ...text.map((row) => row[index]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) => (numeric[index] ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...text.map(line)].join('\n');
}

/** `key  value` lines with the keys aligned. */
export function renderFields(fields: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(0, ...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width + 1)}  ${cellText(value)}`).join('\n');
}

function cellText(cell: Cell): string {
  if (cell === undefined) return '';
  return typeof cell === 'number' ? formatNumber(cell) : cell;
}
