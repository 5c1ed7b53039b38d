import { readUnitAccountIdsMatching, readUnitAccounts } from '../connectors/account-reads';
import { accountNumberProblem } from '../domain/account-number';
import { duplicateAccountNumberFailures, findDuplicateGroups } from '../domain/duplicates';
import { quoteValue, recordFailure, type RecordFailure } from '../domain/record-failure';
import type { SourceAccount } from '../domain/source-account';
import { keptByBand, type NumberingBand } from '../domain/numbering-band';
import type { WorkUnit } from '../domain/work-unit';
import type { CompanyScope } from './contracts';
import type { ActivityDependencies } from './dependencies';
import { describeRowProblems } from './describe-row-problems';
import type { UnitProgress } from './unit-progress';

/** The accounts of one company of the run, by id. */
export interface CompanyAccounts {
  scope: CompanyScope;
  accounts: Map<string, SourceAccount>;
}

/** A unit read from Dataverse and scoped to the run's companies. */
export interface ScopedUnit {
  /** Rows read, readable or not. */
  read: number;
  /** Syncable accounts that belong to no company of the run. */
  outOfScope: number;
  /** Each company's accounts, in the run's order of companies; an account may be in several. */
  companies: CompanyAccounts[];
  /** Accounts held back: unreadable rows, invalid and duplicated Account Numbers. */
  failures: RecordFailure[];
}

/**
 * Reads a unit's accounts and decides which may be synchronised, and into which companies: rows Dataverse returns in
 * a shape the sync cannot read, invalid Account Numbers and numbers shared by several accounts are reported instead.
 */
export async function readAndScopeUnit(
  deps: Pick<ActivityDependencies, 'dataverse'>,
  unit: WorkUnit,
  scopes: readonly CompanyScope[],
  progress: UnitProgress,
  band?: NumberingBand,
): Promise<ScopedUnit> {
  const failures: RecordFailure[] = [];
  const accounts: SourceAccount[] = [];
  // While the upgrade script runs, a unit syncs one side of its band only: the other pass has the rest.
  const kept = (accountNumber: unknown) => band === undefined || keptByBand(band, typeof accountNumber === 'string' ? accountNumber : null);
  for await (const page of readUnitAccounts(deps.dataverse, unit)) {
    accounts.push(...page.accounts.filter((account) => kept(account.accountnumber)));
    for (const { row, error } of page.unreadable) {
      if (kept((row as { accountnumber?: unknown } | null)?.accountnumber)) failures.push(describeRowProblems(row, error));
    }
    progress.beat({ read: accounts.length });
  }
  const read = accounts.length + failures.length;
  const syncable = withoutDuplicates(withoutInvalidNumbers(accounts, failures), failures);
  const companies = await assignCompanies(deps, syncable, scopes, unit);
  const outOfScope = syncable.filter((account) => !companies.some((c) => c.accounts.has(account.accountid))).length;
  return { read, outOfScope, companies, failures };
}

/** Accounts of each company in the run; an account may belong to several companies, or to none (out of scope). */
async function assignCompanies(
  deps: Pick<ActivityDependencies, 'dataverse'>,
  accounts: SourceAccount[],
  scopes: readonly CompanyScope[],
  unit: WorkUnit,
): Promise<CompanyAccounts[]> {
  const members: CompanyAccounts[] = [];
  for (const scope of scopes) {
    let inScope: SourceAccount[];
    if (scope.kind === 'all') inScope = accounts;
    else if (scope.kind === 'businessUnits') {
      const units = new Set(scope.businessUnitIds.map((id) => id.toLowerCase()));
      inScope = accounts.filter((a) => units.has((a._owningbusinessunit_value ?? '').toLowerCase()));
    } else {
      // Dataverse evaluates the company's filter: the same semantics as when the operator tested it.
      const ids = await readUnitAccountIdsMatching(deps.dataverse, unit, scope.filter);
      inScope = accounts.filter((a) => ids.has(a.accountid.toLowerCase()));
    }
    members.push({ scope, accounts: new Map(inScope.map((a) => [a.accountid, a])) });
  }
  return members;
}

/**
 * Accounts whose Account Number breaks the rule (account-number.ts) are held back and reported: their number cannot
 * be compared with F&O's keys the way F&O compares them, so writing could overwrite another customer.
 */
function withoutInvalidNumbers(accounts: SourceAccount[], failures: RecordFailure[]): SourceAccount[] {
  return accounts.filter((account) => {
    const accountNumber = account.accountnumber;
    const problem = accountNumber === null ? undefined : accountNumberProblem(accountNumber);
    if (accountNumber === null || problem === undefined) return true;
    failures.push(
      recordFailure(
        { accountId: account.accountid, accountNumber },
        'INVALID_ACCOUNT_NUMBER',
        `accountnumber ${quoteValue(accountNumber)} (${escapedText(accountNumber)}) is not a valid Account Number: ${problem} — ` +
          'correct the number in Sales.',
        { field: 'accountnumber', value: accountNumber },
      ),
    );
    return false;
  });
}

/** Accounts sharing a number are all held back and reported: merging them into one customer would lose data. */
function withoutDuplicates(accounts: SourceAccount[], failures: RecordFailure[]): SourceAccount[] {
  const held = new Set<string>();
  for (const group of findDuplicateGroups(accounts)) {
    for (const accountId of group.accountIds) held.add(accountId);
    failures.push(...duplicateAccountNumberFailures(group));
  }
  return held.size ? accounts.filter((account) => !held.has(account.accountid)) : accounts;
}

/** The text with everything outside printable ASCII written as `\uXXXX`, so invisible characters show. */
function escapedText(value: string): string {
  let escaped = '';
  for (let i = 0; i < value.length && escaped.length < 120; i += 1) {
    const code = value.charCodeAt(i);
    escaped += code >= 0x20 && code <= 0x7e ? value[i] : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return escaped;
}
