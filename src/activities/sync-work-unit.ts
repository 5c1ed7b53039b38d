import { Context } from '@temporalio/activity';
import { readUnitAccountIdsMatching, readUnitAccounts } from '../connectors/account-reads';
import { type CustomerSelection, type ExistingCustomer, readCustomers as readCustomerRows } from '../connectors/customer-reads';
import { ConnectorError } from '../connectors/errors';
import type { CustomerWrite } from '../connectors/fno-client';
import { accountNumberKey, accountNumberProblem } from '../domain/account-number';
import type { CustomerRow } from '../domain/customer-row';
import { diffCustomer } from '../domain/diff-customer';
import { duplicateAccountNumberFailures, findDuplicateGroups } from '../domain/duplicates';
import { mapAccountToCustomer } from '../domain/map-account';
import { quoteValue, recordFailure, type RecordFailure } from '../domain/record-failure';
import type { SourceAccount } from '../domain/source-account';
import type { WorkUnit } from '../domain/work-unit';
import type { CompanyScope, PlanEntry, SyncWorkUnitInput, SyncWorkUnitResult, UnitCounters } from './contracts';
import type { ActivityDependencies } from './dependencies';
import { describeRowProblems } from './describe-row-problems';
import { heartbeatWhile } from './heartbeat';
import { PlanReferences } from './plan-references';
import { UnitProgress } from './unit-progress';

/** Rounds of write → re-read → re-plan before the activity gives up and lets Temporal retry it from scratch. */
const MAX_WRITE_ROUNDS = 4;
/** Attempts of a unit whose writes stay uncertain after every round before those records are reported instead. */
const MAX_UNSETTLED_ATTEMPTS = 3;

interface Desired {
  company: string;
  account: SourceAccount;
  customer: CustomerRow;
}

type Outcome = 'created' | 'updated';

interface Write {
  key: string;
  item: Desired;
  write: CustomerWrite;
  kind: Outcome;
}

/**
 * Brings one work unit's customers in line with its accounts: read accounts → map → read existing customers →
 * diff → write only the differences. The activity is idempotent because every attempt starts from what F&O holds
 * now: a write that landed before a timeout is seen as already done, and a create is never sent for a key F&O
 * already has (a duplicate key answer is re-read and turned into an update).
 */
export function createSyncWorkUnit(deps: Pick<ActivityDependencies, 'dataverse' | 'fno' | 'config' | 'currencies'>) {
  return async function syncWorkUnit(input: SyncWorkUnitInput): Promise<SyncWorkUnitResult> {
    const progress = new UnitProgress(Context.current().info.heartbeatDetails);
    const totals = counters();
    const companies: Record<string, UnitCounters> = Object.fromEntries(input.companies.map((c) => [c.dataAreaId, counters()]));
    const failures: RecordFailure[] = [];
    const plan: PlanEntry[] = [];
    const references = input.dryRun ? new PlanReferences(deps.fno) : undefined;

    const accounts = await readAccounts(input.unit, failures, progress);
    totals.read = accounts.length + failures.length;
    const syncable = withoutDuplicates(withoutInvalidNumbers(accounts, failures), failures);
    const members = await assignCompanies(syncable, input.companies, input.unit);
    totals.outOfScope = syncable.filter((account) => !members.some((m) => m.accounts.has(account.accountid))).length;

    const currencyCodeById = await deps.currencies();
    for (const { scope, accounts: inCompany } of members) {
      const company = scope.dataAreaId;
      const counter = companies[company] ?? counters();
      counter.read = inCompany.size;
      const desired: Desired[] = [];
      for (const account of inCompany.values()) {
        const mapped = mapAccountToCustomer(account, { dataAreaId: company, config: deps.config.mapping, currencyCodeById });
        if (mapped.ok) desired.push({ company, account, customer: mapped.customer });
        else {
          counter.failed += 1;
          failures.push(...mapped.failures);
        }
      }
      if (desired.length === 0) continue;
      const existing = await readCustomers(company, input.unit, desired, progress);
      await reconcile(desired, existing, counter, failures, references ? { entries: plan, references } : undefined, progress);
    }

    // Records, not failure entries: one account can fail several rules, and counts once per company it failed in.
    totals.failed = new Set(failures.map((failure) => `${failure.accountId}|${failure.company ?? ''}`)).size;
    for (const counter of Object.values(companies)) {
      totals.created += counter.created;
      totals.updated += counter.updated;
      totals.unchanged += counter.unchanged;
    }
    return { totals, companies, failures, ...(input.dryRun ? { plan } : {}) };
  };

  /** The unit's active accounts; rows Dataverse returns in an unexpected shape become failures, not crashes. */
  async function readAccounts(unit: WorkUnit, failures: RecordFailure[], progress: UnitProgress): Promise<SourceAccount[]> {
    const accounts: SourceAccount[] = [];
    for await (const page of readUnitAccounts(deps.dataverse, unit)) {
      accounts.push(...page.accounts);
      for (const { row, error } of page.unreadable) failures.push(describeRowProblems(row, error));
      progress.beat({ read: accounts.length });
    }
    return accounts;
  }

  /** Accounts of each company in the run; an account may belong to several companies, or to none (out of scope). */
  async function assignCompanies(accounts: SourceAccount[], scopes: CompanyScope[], unit: WorkUnit) {
    const members: { scope: CompanyScope; accounts: Map<string, SourceAccount> }[] = [];
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

  /** Existing customers of the unit's keys, by comparison key. */
  async function readCustomers(
    company: string,
    unit: WorkUnit,
    desired: Desired[],
    progress: UnitProgress,
  ): Promise<Map<string, ExistingCustomer>> {
    const existing = new Map<string, ExistingCustomer>();
    const selection: CustomerSelection = unit.kind === 'range' ? { kind: 'range', after: unit.after, upTo: unit.upTo } : keysOf(desired);
    await readCustomersInto(company, selection, existing, progress);
    return existing;
  }

  async function readCustomersInto(
    company: string,
    selection: CustomerSelection,
    existing: Map<string, ExistingCustomer>,
    progress: UnitProgress,
  ): Promise<void> {
    for await (const customers of readCustomerRows(deps.fno, company, selection)) {
      for (const customer of customers) existing.set(accountNumberKey(customer.CustomerAccount), customer);
      progress.beat({ existing: existing.size });
    }
  }

  /**
   * Writes what differs, reads back whatever is uncertain (a failed batch, a duplicate-key create, a 5xx part) and
   * plans again from what F&O now holds, a few rounds at most. A round's `$batch` requests go out together: the F&O
   * client's gate decides how many are in flight (`fnoConcurrency`), not the number of units in flight.
   */
  async function reconcile(
    desired: Desired[],
    existing: Map<string, ExistingCustomer>,
    counter: UnitCounters,
    failures: RecordFailure[],
    planning: { entries: PlanEntry[]; references: PlanReferences } | undefined,
    progress: UnitProgress,
  ): Promise<void> {
    const plan = planning?.entries;
    // What each key was first meant to become: a create that landed unanswered is found on re-read, and is still a
    // creation, whatever the round (or attempt) that finds it.
    const outcome = new Map<string, Outcome>();
    // Keys whose create went out without a definite answer (a failed batch, a 5xx part): if a later create of the
    // key is refused as a duplicate, the customer may be this unit's own, so it still counts as created.
    const unansweredCreates = new Set<string>();
    let pending = new Map<string, Desired>();
    for (const item of desired) {
      const key = accountNumberKey(item.customer.CustomerAccount);
      if (!mayWrite(item, existing.get(key), counter, failures)) continue;
      const change = diffCustomer(item.customer, existing.get(key));
      if (!plan && progress.createdEarlier(item.company, key)) outcome.set(key, 'created');
      if (change.kind === 'unchanged') counter[outcome.get(key) ?? 'unchanged'] += 1;
      else if (planning && plan) {
        const identity = { accountId: item.account.accountid, accountNumber: item.customer.CustomerAccount, company: item.company };
        const refusal = await planning.references.refusal(identity, change.kind === 'create' ? change.row : change.changes);
        if (refusal) {
          counter.failed += 1;
          failures.push(refusal);
          continue;
        }
        plan.push({
          company: item.company,
          accountId: item.account.accountid,
          accountNumber: item.customer.CustomerAccount,
          action: change.kind,
          ...(change.kind === 'update' ? { fields: change.fields } : {}),
        });
        if (change.kind === 'create') counter.created += 1;
        else counter.updated += 1;
      } else pending.set(key, item);
    }
    if (plan) return;

    // Updates F&O answered "not found" in the last round. Found again on re-read, they are sent again; a record that
    // is readable but not writable by key every round is not a race but a company F&O will not let us write.
    let updatesNotFound = new Set<string>();
    for (let round = 1; pending.size > 0; round += 1) {
      if (round > MAX_WRITE_ROUNDS) {
        const unwritable = [...pending.keys()].filter((key) => updatesNotFound.has(key) && existing.has(key));
        if (unwritable.length > 0) throw unwritableCustomers(unwritable.map((key) => pending.get(key) as Desired));
        if (Context.current().info.attempt < MAX_UNSETTLED_ATTEMPTS) {
          throw new ConnectorError(`${pending.size} customer writes were still uncertain after ${MAX_WRITE_ROUNDS} rounds; retrying the unit`, {
            kind: 'transient',
            service: 'fno',
          });
        }
        // The same writes stayed unsettled attempt after attempt: not a passing fault. Report them and end the unit.
        for (const item of pending.values()) {
          counter.failed += 1;
          failures.push(unsettled(item));
        }
        return;
      }
      const uncertain = new Map<string, Desired>();
      const notFound = new Set<string>();
      const writes: Write[] = [];
      for (const [key, item] of pending) {
        // Re-read: a customer someone else created meanwhile is not ours either.
        if (!mayWrite(item, existing.get(key), counter, failures)) continue;
        const change = diffCustomer(item.customer, existing.get(key));
        if (change.kind === 'unchanged') {
          // A write from an earlier round landed after all: count it as what it was meant to be.
          counter[outcome.get(key) ?? 'unchanged'] += 1;
          continue;
        }
        const kind: Outcome = change.kind === 'create' ? 'created' : 'updated';
        if (!outcome.has(key)) outcome.set(key, kind);
        if (change.kind === 'create') progress.noteCreate(item.company, key);
        writes.push({
          key,
          item,
          kind,
          write:
            change.kind === 'create'
              ? { kind: 'create', row: { ...change.row } }
              : { kind: 'update', dataAreaId: item.company, customerAccount: String(existing.get(key)?.CustomerAccount ?? item.customer.CustomerAccount), changes: { ...change.changes } },
        });
      }
      const chunks: Write[][] = [];
      for (let start = 0; start < writes.length; start += deps.config.limits.fnoWriteBatchSize) {
        chunks.push(writes.slice(start, start + deps.config.limits.fnoWriteBatchSize));
      }
      let written = 0;
      // Before anything is sent, so that the creates about to go out are in the details a crash leaves behind.
      progress.beat({ written, of: writes.length });
      const sendChunk = async (chunk: Write[]): Promise<void> => {
        let results;
        try {
          results = await deps.fno.writeCustomers(chunk.map((w) => w.write));
        } catch (error) {
          if (error instanceof ConnectorError && (error.ambiguous || error.kind === 'transient')) {
            for (const w of chunk) {
              uncertain.set(w.key, w.item);
              if (w.kind === 'created') unansweredCreates.add(w.key);
            }
            return;
          }
          throw error;
        }
        results.forEach((result, index) => {
          const w = chunk[index];
          if (!w) return;
          if (result.ok) {
            counter[outcome.get(w.key) ?? w.kind] += 1;
          } else if (result.error.kind === 'invalid-record') {
            counter.failed += 1;
            failures.push(rejection(w.item, result.error));
          } else {
            // Duplicate key (someone created it meanwhile), stale, throttled, not found (deleted meanwhile?) or a 5xx
            // inside the batch: re-read.
            if (result.error.kind === 'not-found' && w.write.kind === 'update') notFound.add(w.key);
            uncertain.set(w.key, w.item);
            if (w.write.kind !== 'create') return;
            if (result.error.problem !== 'duplicate-key') unansweredCreates.add(w.key);
            else if (!unansweredCreates.has(w.key) && !progress.createdEarlier(w.item.company, w.key)) {
              // F&O had the customer before this create: whatever the re-read finds, this unit did not create it.
              outcome.delete(w.key);
              progress.forgetCreate(w.item.company, w.key);
            }
          }
        });
        written += chunk.length;
        progress.beat({ written, of: writes.length });
      };
      // Chunks queue at the gate behind other units' chunks, possibly for longer than the heartbeat timeout.
      const sent = await heartbeatWhile(() => Promise.allSettled(chunks.map(sendChunk)), () => progress.details());
      // Only once every chunk has settled: a retry of the unit must not race this attempt's writes still in flight.
      const refused = sent.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (refused) throw refused.reason;
      if (uncertain.size > 0) await rereadCustomers(uncertain, existing, progress);
      pending = uncertain;
      updatesNotFound = notFound;
    }
  }

  /**
   * The sync writes only customers it owns (IsExternallyMaintained = Yes: created from Sales) or none yet exists;
   * another customer with the account's key is reported and left as it is, unless the configuration adopts such
   * customers (`adoptExistingCustomers`), and then the update also marks it externally maintained.
   */
  function mayWrite(item: Desired, found: ExistingCustomer | undefined, counter: UnitCounters, failures: RecordFailure[]): boolean {
    if (found === undefined || found.IsExternallyMaintained === 'Yes' || deps.config.adoptExistingCustomers) return true;
    counter.failed += 1;
    const customerAccount = String(found.CustomerAccount ?? item.customer.CustomerAccount);
    failures.push(
      recordFailure(
        { accountId: item.account.accountid, accountNumber: item.customer.CustomerAccount, company: item.company },
        'CUSTOMER_NOT_EXTERNALLY_MAINTAINED',
        `F&O customer '${customerAccount}' in company '${item.company}' has this Account Number but is not maintained ` +
          `from Sales (IsExternallyMaintained = ${quoteValue(found.IsExternallyMaintained ?? '')}); the sync leaves it as ` +
          'it is — give the account another number, or set adoptExistingCustomers: true in the configuration to let ' +
          'the sync take such customers over.',
        { field: 'accountnumber', value: item.customer.CustomerAccount },
      ),
    );
    return false;
  }

  /** Reads back the uncertain keys, a slice of keys per request; keys F&O does not have are forgotten. */
  async function rereadCustomers(
    uncertain: Map<string, Desired>,
    existing: Map<string, ExistingCustomer>,
    progress: UnitProgress,
  ): Promise<void> {
    const items = [...uncertain.values()];
    const company = items[0]?.company;
    if (!company) return;
    for (const key of uncertain.keys()) existing.delete(key);
    await readCustomersInto(company, keysOf(items), existing, progress);
  }
}

/** Non-retryable: another attempt would read, PATCH and be told "not found" again, for ever. */
function unwritableCustomers(items: readonly Desired[]): ConnectorError {
  const company = items[0]?.company ?? '';
  const examples = items.slice(0, 5).map((item) => item.customer.CustomerAccount).join(', ');
  return new ConnectorError(
    `F&O answered "not found" to ${items.length} update${items.length === 1 ? '' : 's'} of customers in company '${company}' that it returns when read ` +
      `(${examples}${items.length > 5 ? ', …' : ''}), still after ${MAX_WRITE_ROUNDS} rounds of write and re-read: updates by key do not reach ` +
      `this company. Check that the F&O user the application is mapped to may write in '${company}'.`,
    { kind: 'configuration', service: 'fno', status: 404 },
  );
}

function keysOf(items: readonly Desired[]): CustomerSelection {
  return { kind: 'keys', keys: items.map((item) => item.customer.CustomerAccount) };
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

function unsettled(item: Desired): RecordFailure {
  const identity = { accountId: item.account.accountid, accountNumber: item.customer.CustomerAccount, company: item.company };
  return recordFailure(
    identity,
    'WRITE_CONFLICT',
    `writing customer '${item.customer.CustomerAccount}' did not settle after ${MAX_WRITE_ROUNDS} rounds of write and ` +
      `re-read in each of ${MAX_UNSETTLED_ATTEMPTS} attempts (F&O kept refusing it as existing without the re-read finding ` +
      'it, or kept failing it inside the batch) — check the F&O customer with this key; the next run tries again.',
    { field: 'accountnumber', value: item.customer.CustomerAccount },
  );
}

function rejection(item: Desired, error: ConnectorError): RecordFailure {
  const identity = { accountId: item.account.accountid, accountNumber: item.customer.CustomerAccount, company: item.company };
  const field = error.field ?? error.fieldLabel;
  const code = error.problem === 'reference-not-found' ? 'REFERENCE_NOT_FOUND' : error.problem === 'too-long' ? 'TOO_LONG' : 'FNO_REJECTED';
  return recordFailure(identity, code, `F&O refused the customer: ${error.message}`, {
    ...(field ? { field } : {}),
    ...(error.value !== undefined ? { value: error.value } : {}),
  });
}

function counters(): UnitCounters {
  return { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0, outOfScope: 0 };
}
