import type { z } from 'zod';
import { reportedValue, type RecordFailure } from '../domain/record-failure';

/**
 * A Dataverse row that does not have the shape the sync relies on (a wrong type, a malformed id) becomes a record
 * failure naming the account, the column and the value, instead of failing the whole unit.
 */
export function describeRowProblems(row: unknown, error: z.ZodError): RecordFailure {
  const record = (row ?? {}) as Record<string, unknown>;
  const accountId = typeof record.accountid === 'string' ? record.accountid : '(unknown id)';
  const accountNumber = typeof record.accountnumber === 'string' ? record.accountnumber : undefined;
  const first = error.issues[0];
  const field = first?.path.map(String).join('.') || undefined;
  const value = field !== undefined ? show(record[field]) : undefined;
  const problems = error.issues.map((issue) => `${issue.path.map(String).join('.') || '(row)'}: ${issue.message}`).join('; ');
  return {
    accountId,
    ...(accountNumber ? { accountNumber } : {}),
    ...(field ? { field } : {}),
    ...(value !== undefined ? { value } : {}),
    code: 'INVALID_VALUE',
    reason: `Account ${accountNumber ? `'${accountNumber}' ` : ''}(${accountId}): Dataverse returned values the sync cannot read: ${problems}`,
  };
}

/** A value of any JSON type as a report shows it (a wrong type is the problem here, so it is shown as JSON). */
function show(value: unknown): string {
  return reportedValue(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
}
