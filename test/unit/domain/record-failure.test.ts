import { describe, expect, it } from 'vitest';
import {
  describeRecord,
  FAILURE_CODES,
  MAX_REPORTED_VALUE_LENGTH,
  quoteValue,
  recordFailure,
  recordWarning,
  reportedValue,
} from '../../../src/domain/record-failure';

describe('record failures', () => {
  it('use stable upper-snake codes, each documented', () => {
    for (const [code, rule] of Object.entries(FAILURE_CODES)) {
      expect(code).toMatch(/^[A-Z]+(?:_[A-Z]+)*$/);
      expect(rule.length).toBeGreaterThan(20);
    }
  });

  it('start their reason with the record', () => {
    expect(describeRecord({ accountId: 'id-1', accountNumber: 'ACC-1', company: 'usmf' })).toBe("Account 'ACC-1' (id-1) for company 'usmf'");
    expect(describeRecord({ accountId: 'id-1' })).toBe('Account without Account Number (id-1)');
  });

  it('carry identity, field and the reported value, leaving out what is unknown', () => {
    expect(recordFailure({ accountId: 'id-1', accountNumber: '', company: undefined }, 'FNO_REJECTED', 'F&O said no.', { value: null })).toEqual({
      accountId: 'id-1',
      code: 'FNO_REJECTED',
      reason: 'Account without Account Number (id-1): F&O said no.',
    });
    expect(recordFailure({ accountId: 'id-1', accountNumber: 'A', company: 'usmf' }, 'INVALID_VALUE', 'bad.', { field: 'creditlimit', value: -1 })).toEqual({
      accountId: 'id-1',
      accountNumber: 'A',
      company: 'usmf',
      field: 'creditlimit',
      value: '-1',
      code: 'INVALID_VALUE',
      reason: "Account 'A' (id-1) for company 'usmf': bad.",
    });
  });

  it('show values as received, cut at the reporting limit', () => {
    expect(reportedValue('  as is  ')).toBe('  as is  ');
    expect(reportedValue('y'.repeat(MAX_REPORTED_VALUE_LENGTH))).toHaveLength(MAX_REPORTED_VALUE_LENGTH);
    expect(reportedValue('y'.repeat(MAX_REPORTED_VALUE_LENGTH + 1))).toBe(`${'y'.repeat(200)}… (201 characters)`);
    expect(reportedValue(12.5)).toBe('12.5');
    expect(quoteValue('line 1\r\nline 2\nline 3')).toBe("'line 1\\nline 2\\nline 3'");
  });

  it('warnings carry the same identity and the full-length value up to the limit', () => {
    expect(recordWarning({ accountId: 'id-1', company: 'usmf' }, 'TRUNCATED', 'cut.', { field: 'name', value: 'z'.repeat(500) })).toEqual({
      accountId: 'id-1',
      company: 'usmf',
      field: 'name',
      value: `${'z'.repeat(200)}… (500 characters)`,
      code: 'TRUNCATED',
      reason: "Account without Account Number (id-1) for company 'usmf': cut.",
    });
  });
});
