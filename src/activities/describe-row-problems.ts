import type { z } from 'zod';
import type { RecordFailure } from '../domain/record-failure';

const MAX_VALUE_LENGTH = 200;

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

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}…` : text;
}
