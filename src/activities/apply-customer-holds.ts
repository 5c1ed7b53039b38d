import { heartbeat } from '@temporalio/activity';
import { readActiveAccountNumbersAmong, scanActiveAccountNumbers } from '../connectors/account-reads';
import { type MaintainedCustomerQuery, readMaintainedCustomerKeys } from '../connectors/customer-reads';
import { ConnectorError } from '../connectors/errors';
import type { CustomerWrite } from '../connectors/fno-client';
import { accountNumberKey, isValidAccountNumber } from '../domain/account-number';
import { recordFailure, type RecordFailure } from '../domain/record-failure';
import type { ApplyCustomerHoldsInput, ApplyCustomerHoldsResult, HoldCounters } from './contracts';
import type { ActivityDependencies } from './dependencies';
import { heartbeatWhile } from './heartbeat';

/** OnHoldStatus ("Invoicing and delivery on hold", enum CustVendorBlocked) a blocked customer gets: no transaction at all. */
export const BLOCKED_STATUS = 'All';
/** OnHoldStatus an unblocked customer gets: not on hold. */
export const UNBLOCKED_STATUS = 'No';

const ON_HOLD_ALL = { status: BLOCKED_STATUS, is: true };
const NOT_ON_HOLD_ALL = { status: BLOCKED_STATUS, is: false };

type Target = { customerAccount: string; status: typeof BLOCKED_STATUS | typeof UNBLOCKED_STATUS };

/**
 * Puts F&O customers of accounts deactivated or deleted in Sales on hold (`OnHoldStatus = All`) and takes those of
 * accounts active again off it (`No`) — `deactivation: block`. Only externally maintained customers are touched, a
 * customer is blocked only while no active account carries its Account Number (a duplicate, or an account
 * reactivated since the delta was read, keeps it open), and only a hold of `All` is ever lifted: the other values
 * (Invoice, Payment, …) are F&O users' own holds. Idempotent: every attempt reads the current status first and
 * writes only what still differs (a write repeated after a crash is not counted twice, nor at all: see the README).
 */
export function createApplyCustomerHolds(deps: Pick<ActivityDependencies, 'dataverse' | 'fno'>) {
  return async function applyCustomerHolds(input: ApplyCustomerHoldsInput): Promise<ApplyCustomerHoldsResult> {
    const companies: Record<string, HoldCounters> = Object.fromEntries(input.companies.map((company) => [company, { blocked: 0, unblocked: 0 }]));
    const totals: HoldCounters = { blocked: 0, unblocked: 0 };
    const failures: RecordFailure[] = [];
    const scanned = { accounts: 0, customers: 0 };
    const beat = () => heartbeat({ scanned, totals });

    // Every Account Number an active account carries now (by comparison key), for the scans; keys only.
    const active = input.scan === 'none' ? undefined : await readActiveNumbers(scanned, beat);
    const blockList = uniqueValid(input.block);
    const carriedNow = active ?? (await activeAmong([...blockList.values()], beat));
    const toBlock = [...blockList.entries()].filter(([key]) => !carriedNow.has(key)).map(([, number]) => number);
    const toUnblock = [...uniqueValid(input.unblock).entries()].filter(([key]) => !active || active.has(key)).map(([, number]) => number);

    for (const company of input.companies) {
      const targets = new Map<string, Target>();
      const add = (customerAccount: string, status: Target['status']) => targets.set(accountNumberKey(customerAccount), { customerAccount, status });
      for (const account of await customerAccounts(company, { keys: toBlock, hold: NOT_ON_HOLD_ALL }, scanned, beat)) add(account, BLOCKED_STATUS);
      for (const account of await customerAccounts(company, { keys: toUnblock, hold: ON_HOLD_ALL }, scanned, beat)) add(account, UNBLOCKED_STATUS);
      if (active) {
        // Orphans: customers maintained from Sales whose Account Number no active account carries any more.
        for (const account of await customerAccounts(company, { hold: NOT_ON_HOLD_ALL }, scanned, beat)) {
          if (!active.has(accountNumberKey(account))) add(account, BLOCKED_STATUS);
        }
        if (input.scan === 'all') {
          for (const account of await customerAccounts(company, { hold: ON_HOLD_ALL }, scanned, beat)) {
            if (active.has(accountNumberKey(account))) add(account, UNBLOCKED_STATUS);
          }
        }
      }
      const counter = companies[company] ?? { blocked: 0, unblocked: 0 };
      if (input.dryRun) {
        for (const target of targets.values()) counter[target.status === BLOCKED_STATUS ? 'blocked' : 'unblocked'] += 1;
      } else {
        await writeHolds(company, [...targets.values()], counter, failures, () => heartbeat({ scanned, totals, company }));
      }
      totals.blocked += counter.blocked;
      totals.unblocked += counter.unblocked;
    }
    return { totals, companies, failures, scanned };
  };

  async function readActiveNumbers(scanned: { accounts: number }, beat: () => void): Promise<Set<string>> {
    const keys = new Set<string>();
    for await (const numbers of scanActiveAccountNumbers(deps.dataverse)) {
      for (const number of numbers) keys.add(accountNumberKey(number));
      scanned.accounts += numbers.length;
      beat();
    }
    return keys;
  }

  /** The comparison keys of those numbers that an active account carries now. */
  async function activeAmong(numbers: string[], beat: () => void): Promise<Set<string>> {
    const keys = new Set<string>();
    for await (const carried of readActiveAccountNumbersAmong(deps.dataverse, numbers)) {
      for (const number of carried) keys.add(accountNumberKey(number));
      beat();
    }
    return keys;
  }

  async function customerAccounts(company: string, query: MaintainedCustomerQuery, scanned: { customers: number }, beat: () => void): Promise<string[]> {
    const accounts: string[] = [];
    for await (const keys of readMaintainedCustomerKeys(deps.fno, company, query)) {
      accounts.push(...keys);
      scanned.customers += keys.length;
      beat();
    }
    return accounts;
  }

  async function writeHolds(company: string, targets: Target[], counter: HoldCounters, failures: RecordFailure[], beat: () => void): Promise<void> {
    if (targets.length === 0) return;
    const writes: CustomerWrite[] = targets.map((target) => ({
      kind: 'update',
      dataAreaId: company,
      customerAccount: target.customerAccount,
      changes: { OnHoldStatus: target.status },
    }));
    const results = await heartbeatWhile(() => deps.fno.writeCustomers(writes), () => ({ company, writing: writes.length }));
    let unsettled: ConnectorError | undefined;
    results.forEach((result, index) => {
      const target = targets[index] as Target;
      const counted = target.status === BLOCKED_STATUS ? 'blocked' : 'unblocked';
      if (result.ok) counter[counted] += 1;
      else if (result.error.kind === 'invalid-record') failures.push(refusal(company, target, result.error));
      // Deleted in F&O meanwhile: nothing left to hold.
      else if (result.error.kind !== 'not-found') unsettled ??= result.error;
    });
    beat();
    if (unsettled) {
      // Throttled beyond the wait, a 5xx part, a conflict: the activity is retried and reads the statuses again.
      throw new ConnectorError(`F&O did not settle every hold in company '${company}': ${unsettled.message}`, { kind: 'transient', service: 'fno' });
    }
  }
}

/** Valid Account Numbers by comparison key (an invalid one is no customer key: nothing to hold). */
function uniqueValid(numbers: readonly string[]): Map<string, string> {
  const byKey = new Map<string, string>();
  for (const number of numbers) if (isValidAccountNumber(number)) byKey.set(accountNumberKey(number), number);
  return byKey;
}

function refusal(company: string, target: Target, error: ConnectorError): RecordFailure {
  const action = target.status === BLOCKED_STATUS ? 'put on hold (OnHoldStatus = All)' : 'take off hold (OnHoldStatus = No)';
  // The account may be deleted: a hold is found by the customer's key, which is the Account Number.
  return recordFailure({ accountId: '', accountNumber: target.customerAccount, company }, 'FNO_REJECTED', `F&O refused to ${action} customer '${target.customerAccount}' in company '${company}': ${error.message}`, {
    field: 'OnHoldStatus',
    value: target.status,
  });
}
