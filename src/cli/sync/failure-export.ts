import { stringify } from 'csv-stringify/sync';
import type { RecordFailure, RecordWarning } from '../../domain/record-failure';

export type FailureFormat = 'csv' | 'json';

/**
 * Columns of the export, in order: failure or warning, what to fix (record, field, value, and for a warning what
 * was written instead) before why (code, reason).
 */
export const FAILURE_COLUMNS = ['severity', 'accountId', 'accountNumber', 'company', 'field', 'value', 'written', 'code', 'reason'] as const;

/** One line of the export: a record that was not written (`failure`), or one written with a changed value (`warning`). */
export type ExportedRecord = ({ severity: 'failure' } & RecordFailure) | ({ severity: 'warning' } & RecordWarning);

/**
 * Every failed record, then every warning, as CSV (RFC 4180: quotes, commas and line breaks inside values survive a
 * spreadsheet) or as a JSON array, each line marked by `severity`. In CSV, a cell a spreadsheet would run as a formula
 * (account data such as `=HYPERLINK(…)`) is neutralised; JSON keeps every value as it is.
 */
export function formatFailures(failures: readonly RecordFailure[], format: FailureFormat, warnings: readonly RecordWarning[] = []): string {
  const records: ExportedRecord[] = [
    ...failures.map((failure) => ({ severity: 'failure' as const, ...failure })),
    ...warnings.map((warning) => ({ severity: 'warning' as const, ...warning })),
  ];
  if (format === 'json') return `${JSON.stringify(records, null, 2)}\n`;
  const rows = records.map((record) => FAILURE_COLUMNS.map((column) => neutraliseFormula(cell(record, column))));
  return stringify(rows, { header: true, columns: [...FAILURE_COLUMNS] });
}

function cell(record: ExportedRecord, column: (typeof FAILURE_COLUMNS)[number]): string {
  return (record as Partial<Record<(typeof FAILURE_COLUMNS)[number], string>>)[column] ?? '';
}

/**
 * OWASP's advice against CSV injection: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
 * read as a formula by Excel, LibreOffice and Google Sheets, so it gets a leading `'`, which they show as text.
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
