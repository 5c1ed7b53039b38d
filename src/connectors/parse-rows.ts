import type { z } from 'zod';
import { ConnectorError, type ConnectorService } from './errors';

/**
 * Parses the rows of a page with `schema`. A row without the shape the read asked for (`$select` names the columns,
 * `$filter` rules out nulls) means the service or the URL is something else than the product expects: a
 * configuration error naming the row, the column and the value, as an envelope that is not a collection is.
 */
export function parseRows<S extends z.ZodType>(
  schema: S,
  rows: readonly unknown[],
  what: string,
  service: ConnectorService = 'dataverse',
): z.output<S>[] {
  return rows.map((row) => {
    const parsed = schema.safeParse(row);
    if (parsed.success) return parsed.data;
    throw new ConnectorError(`${SERVICE_NAMES[service]} returned ${describeRow(row)} that is not ${what}: ${describeIssues(row, parsed.error)}`, {
      kind: 'configuration',
      service,
    });
  });
}

const SERVICE_NAMES: Readonly<Record<ConnectorService, string>> = { dataverse: 'Dataverse', fno: 'F&O', entra: 'Entra ID' };

const ID_COLUMNS = ['accountid', 'CustomerAccount', 'dataAreaId'] as const;

function describeRow(row: unknown): string {
  if (typeof row !== 'object' || row === null) return `a row (${JSON.stringify(row) ?? String(row)})`;
  const record = row as Record<string, unknown>;
  const ids = ID_COLUMNS.filter((column) => typeof record[column] === 'string').map((column) => `${column} '${String(record[column])}'`);
  return ids.length > 0 ? `a row (${ids.join(', ')})` : 'a row';
}

function describeIssues(row: unknown, error: z.ZodError): string {
  const record = typeof row === 'object' && row !== null ? (row as Record<string, unknown>) : {};
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const column = issue.path.map(String).join('.');
      if (!column) return issue.message;
      const value = record[column];
      const shown = value === undefined ? 'missing' : (JSON.stringify(value) ?? String(value)).slice(0, 80);
      return `${column} (${shown}): ${issue.message}`;
    })
    .join('; ');
}
