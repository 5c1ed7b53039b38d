import { describe, expect, it } from 'vitest';
import {
  chooseAccountsToRenumber,
  duplicateAccountNumberFailures,
  findDuplicateGroups,
} from '../../../src/domain/duplicates';

describe('findDuplicateGroups', () => {
  it('finds no groups when every number is unique', () => {
    expect(
      findDuplicateGroups([
        { accountid: 'a', accountnumber: 'ACC-00001-AAAAAA' },
        { accountid: 'b', accountnumber: 'ACC-00002-AAAAAA' },
      ]),
    ).toEqual([]);
  });

  it('groups numbers that differ only in case, oldest first', () => {
    const groups = findDuplicateGroups([
      { accountid: 'newer', accountnumber: 'acc-00001-aaaaaa', createdon: '2024-03-01T00:00:00Z' },
      { accountid: 'unique', accountnumber: 'ACC-00002-AAAAAA', createdon: '2020-01-01T00:00:00Z' },
      { accountid: 'oldest', accountnumber: 'ACC-00001-AAAAAA', createdon: '2023-12-31T23:59:59Z' },
    ]);
    expect(groups).toEqual([
      {
        accountNumber: 'ACC-00001-AAAAAA',
        key: 'ACC-00001-AAAAAA',
        accountIds: ['oldest', 'newer'],
        accountNumbers: ['ACC-00001-AAAAAA', 'acc-00001-aaaaaa'],
      },
    ]);
  });

  it('compares creation times, not their text, and puts unknown times last', () => {
    const [group] = findDuplicateGroups([
      { accountid: 'no-date', accountnumber: 'X', createdon: null },
      { accountid: 'later', accountnumber: 'X', createdon: '2024-01-01T02:00:00Z' },
      // 01:30 UTC, written with an offset: textually "larger" than the 02:00Z one.
      { accountid: 'earlier', accountnumber: 'X', createdon: '2024-01-01T03:30:00+02:00' },
      { accountid: 'absent', accountnumber: 'x' },
    ]);
    expect(group?.accountIds).toEqual(['earlier', 'later', 'absent', 'no-date']);
  });

  it('breaks ties by accountid', () => {
    const at = '2024-01-01T00:00:00Z';
    const [group] = findDuplicateGroups([
      { accountid: 'c', accountnumber: 'DUP', createdon: at },
      { accountid: 'a', accountnumber: 'DUP', createdon: at },
      { accountid: 'b', accountnumber: 'dup', createdon: at },
    ]);
    expect(group?.accountIds).toEqual(['a', 'b', 'c']);
  });

  it('ignores blank and missing numbers, and orders groups by key', () => {
    const groups = findDuplicateGroups([
      { accountid: '1', accountnumber: null },
      { accountid: '2', accountnumber: null },
      { accountid: '3', accountnumber: '  ' },
      { accountid: '4', accountnumber: '' },
      { accountid: '5', accountnumber: 'B' },
      { accountid: '6', accountnumber: 'b' },
      { accountid: '7', accountnumber: 'A' },
      { accountid: '8', accountnumber: 'a' },
    ]);
    expect(groups.map((group) => group.key)).toEqual(['A', 'B']);
  });
});

describe('findDuplicateGroups and invalid numbers', () => {
  it('never groups an invalid number with a valid one, nor invalid ones together', () => {
    expect(
      findDuplicateGroups([
        { accountid: 'padded', accountnumber: ' DUP-A' },
        { accountid: 'plain', accountnumber: 'DUP-A' },
        { accountid: 'trailing', accountnumber: 'DUP-A ' },
        { accountid: 'dotless', accountnumber: '\u0131d-foreign' },
        { accountid: 'dotted', accountnumber: 'ID-FOREIGN' },
        { accountid: 'kelvin', accountnumber: '\u212a-KELVIN' },
        { accountid: 'k', accountnumber: 'K-KELVIN' },
        { accountid: 'zero-width-1', accountnumber: 'Z\u200b' },
        { accountid: 'zero-width-2', accountnumber: 'Z\u200b' },
      ]),
    ).toEqual([]);
  });

  it('groups case variants among invalid look-alikes', () => {
    const groups = findDuplicateGroups([
      { accountid: 'a', accountnumber: 'case-1' },
      { accountid: 'b', accountnumber: ' Case-1 ' },
      { accountid: 'c', accountnumber: 'CASE-1' },
    ]);
    expect(groups.map((group) => group.accountIds)).toEqual([['a', 'c']]);
  });
});

describe('chooseAccountsToRenumber', () => {
  it('keeps the oldest account and renumbers all others', () => {
    const [group] = findDuplicateGroups([
      { accountid: 'third', accountnumber: 'N', createdon: '2024-03-01T00:00:00Z' },
      { accountid: 'first', accountnumber: 'n', createdon: '2024-01-01T00:00:00Z' },
      { accountid: 'second', accountnumber: 'N', createdon: '2024-02-01T00:00:00Z' },
    ]);
    expect(chooseAccountsToRenumber(group!)).toEqual(['second', 'third']);
  });

});

describe('duplicateAccountNumberFailures', () => {
  it('reports every account of the group, naming the others and the way out', () => {
    const [group] = findDuplicateGroups([
      { accountid: 'id-old', accountnumber: 'ACC-00001-AAAAAA', createdon: '2024-01-01T00:00:00Z' },
      { accountid: 'id-new', accountnumber: 'acc-00001-aaaaaa', createdon: '2024-02-01T00:00:00Z' },
    ]);
    const failures = duplicateAccountNumberFailures(group!, 'usmf');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({
      accountId: 'id-old',
      accountNumber: 'ACC-00001-AAAAAA',
      company: 'usmf',
      field: 'accountnumber',
      value: 'ACC-00001-AAAAAA',
      code: 'DUPLICATE_ACCOUNT_NUMBER',
    });
    expect(failures[0]!.reason).toBe(
      "Account 'ACC-00001-AAAAAA' (id-old) for company 'usmf': accountnumber 'ACC-00001-AAAAAA' is also used by 1 " +
        'other active account (id-new); Account Number is the customer key and must be unique (compared ' +
        "case-insensitively) — give each account its own number, or start the run with duplicatePolicy 'renumber' " +
        'to renumber all but the oldest.',
    );
    expect(failures[1]).toMatchObject({ accountId: 'id-new', accountNumber: 'acc-00001-aaaaaa', value: 'acc-00001-aaaaaa' });
    expect(failures[1]!.reason).toContain('(id-old)');
  });

  it('lists at most five other accounts', () => {
    const accounts = Array.from({ length: 9 }, (_, i) => ({ accountid: `id-${i}`, accountnumber: 'SAME' }));
    const [first] = duplicateAccountNumberFailures(findDuplicateGroups(accounts)[0]!);
    expect(first!.reason).toContain('used by 8 other active accounts (id-1, id-2, id-3, id-4, id-5 and 3 more)');
    expect(first).not.toHaveProperty('company');
  });
});
