export interface Row {
  metric: string;
  value: string;
  target?: string;
  /** Undefined when the figure has no target. */
  met?: boolean;
}

/** A plain text table: metric, value, target, verdict. */
export function formatTable(title: string, rows: readonly Row[]): string {
  const widths = [
    Math.max(6, ...rows.map((r) => r.metric.length)),
    Math.max(5, ...rows.map((r) => r.value.length)),
    Math.max(6, ...rows.map((r) => (r.target ?? '').length)),
  ];
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [
    title,
    line(['metric', 'value', 'target', 'ok']),
    line(widths.map((w) => '-'.repeat(w)).concat('--')),
    ...rows.map((r) => line([r.metric, r.value, r.target ?? '', r.met === undefined ? '' : r.met ? 'yes' : 'NO'])),
  ].join('\n');
}

export const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const count = (value: number): string => Math.round(value).toLocaleString('en-US');
