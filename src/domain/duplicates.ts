import { accountNumberKey, isValidAccountNumber } from './account-number';
import { recordFailure, type RecordFailure } from './record-failure';

/**
 * Account Number is the customer key, and the template does not support two accounts sharing one: both would
 * write the same customer. Duplicates are found here and either reported or, when the run opts in, renumbered.
 */

export interface AccountNumberHolder {
  accountid: string;
  accountnumber: string | null;
  createdon?: string | null;
}

export interface DuplicateGroup {
  /** The number as the oldest account has it. */
  accountNumber: string;
  /** The comparison key (accountNumberKey) shared by the group. */
  key: string;
  /** Oldest first by createdon (accounts without one last), ties by accountid. */
  accountIds: string[];
  /** Each account's own number, in the order of accountIds; they may differ in case. */
  accountNumbers: string[];
}

interface Member {
  accountid: string;
  accountnumber: string;
  created: number;
}

function compareMembers(a: Member, b: Member): number {
  if (a.created !== b.created) return a.created - b.created;
  return a.accountid < b.accountid ? -1 : a.accountid > b.accountid ? 1 : 0;
}

function createdTime(createdon: string | null | undefined): number {
  const time = createdon ? Date.parse(createdon) : Number.NaN;
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
}

/**
 * Groups of two or more accounts whose Account Numbers share a key, ordered by key. Blank and invalid numbers are
 * ignored: they are refused on their own (INVALID_ACCOUNT_NUMBER) and never equal to a valid one.
 */
export function findDuplicateGroups(accounts: readonly AccountNumberHolder[]): DuplicateGroup[] {
  const byKey = new Map<string, Member[]>();
  for (const account of accounts) {
    if (account.accountnumber === null || !isValidAccountNumber(account.accountnumber)) continue;
    const key = accountNumberKey(account.accountnumber);
    const member = { accountid: account.accountid, accountnumber: account.accountnumber, created: createdTime(account.createdon) };
    const members = byKey.get(key);
    if (members) members.push(member);
    else byKey.set(key, [member]);
  }
  const groups: DuplicateGroup[] = [];
  for (const [key, members] of byKey) {
    if (members.length < 2) continue;
    members.sort(compareMembers);
    groups.push({
      accountNumber: members[0]!.accountnumber,
      key,
      accountIds: members.map((member) => member.accountid),
      accountNumbers: members.map((member) => member.accountnumber),
    });
  }
  return groups.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The renumber policy keeps the oldest account's number (its customer may already exist) and renumbers the rest. */
export function chooseAccountsToRenumber(group: DuplicateGroup): string[] {
  return group.accountIds.slice(1);
}

const MAX_LISTED_IDS = 5;

/** One DUPLICATE_ACCOUNT_NUMBER failure per account of the group (the report policy writes none of them). */
export function duplicateAccountNumberFailures(group: DuplicateGroup, company?: string): RecordFailure[] {
  return group.accountIds.map((accountId, index) => {
    const accountNumber = group.accountNumbers[index] ?? group.accountNumber;
    const others = group.accountIds.filter((id) => id !== accountId);
    const listed = others.slice(0, MAX_LISTED_IDS).join(', ');
    const more = others.length > MAX_LISTED_IDS ? ` and ${others.length - MAX_LISTED_IDS} more` : '';
    return recordFailure(
      { accountId, accountNumber, company },
      'DUPLICATE_ACCOUNT_NUMBER',
      `accountnumber '${accountNumber}' is also used by ${others.length} other active ` +
        `account${others.length === 1 ? '' : 's'} (${listed}${more}); Account Number is the customer key and must ` +
        `be unique (compared case-insensitively) — give each account its own number, or start the run with ` +
        `duplicatePolicy 'renumber' to renumber all but the oldest.`,
      { field: 'accountnumber', value: accountNumber },
    );
  });
}
