import { stringify } from 'csv-stringify/sync';
import type { RecordFailure } from '../../domain/record-failure';

export type FailureFormat = 'csv' | 'json';

/** Columns of the export, in order: what to fix (record, field, value) before why (code, reason). */
export const FAILURE_COLUMNS = ['accountId', 'accountNumber', 'company', 'field', 'value', 'code', 'reason'] as const;

/**
 * Every failed record as CSV (RFC 4180: quotes, commas and line breaks inside values survive a spreadsheet) or as
 * a JSON array. In CSV, a cell a spreadsheet would run as a formula (account data such as `=HYPERLINK(…)`) is
 * neutralised; JSON keeps every value as it is.
 */
export function formatFailures(failures: readonly RecordFailure[], format: FailureFormat): string {
  if (format === 'json') return `${JSON.stringify(failures, null, 2)}\n`;
  const rows = failures.map((failure) => FAILURE_COLUMNS.map((column) => neutraliseFormula(failure[column] ?? '')));
  return stringify(rows, { header: true, columns: [...FAILURE_COLUMNS] });
}

/**
 * OWASP's advice against CSV injection: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
 * read as a formula by Excel, LibreOffice and Google Sheets, so it gets a leading `'`, which they show as text.
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
