import { Context } from '@temporalio/activity';
import { type CustomerSelection, type ExistingCustomer, readCustomers } from '../connectors/customer-reads';
import { ConnectorError } from '../connectors/errors';
import type { CustomerWrite, CustomerWriteResult } from '../connectors/fno-client';
import { accountNumberKey } from '../domain/account-number';
import type { CustomerRow } from '../domain/customer-row';
import { diffCustomer } from '../domain/diff-customer';
import { quoteValue, recordFailure, type RecordFailure } from '../domain/record-failure';
import type { SourceAccount } from '../domain/source-account';
import { settledAll } from '../util/settled-all';
import type { PlanEntry, UnitCounters } from './contracts';
import type { ActivityDependencies } from './dependencies';
import { heartbeatWhile } from './heartbeat';
import type { PlanReferences } from './plan-references';
import type { UnitProgress } from './unit-progress';

/** Rounds of write → re-read → re-plan before the activity gives up and lets Temporal retry it from scratch. */
const MAX_WRITE_ROUNDS = 4;
/** Attempts of a unit whose writes stay uncertain after every round before those records are reported instead. */
const MAX_UNSETTLED_ATTEMPTS = 3;

/** What one account should be in one company. */
export interface Desired {
  company: string;
  account: SourceAccount;
  customer: CustomerRow;
}

/** One company's part of a unit: the customers it should have, and where the counts and failures go. */
export interface CompanyReconciliation {
  company: string;
  /** The customers F&O may already have: the unit's range of keys, or the desired keys. */
  existing: CustomerSelection;
  desired: Desired[];
  counter: UnitCounters;
  failures: RecordFailure[];
  /** Dry run: what would be written goes here, checked against F&O's reference data; nothing is written. */
  planning?: { entries: PlanEntry[]; references: PlanReferences };
  progress: UnitProgress;
}

type Outcome = 'created' | 'updated';

interface Write {
  key: string;
  item: Desired;
  write: CustomerWrite;
  kind: Outcome;
}

/**
 * Brings one company's customers of a unit in line with the desired ones: read what F&O holds, diff, write only the
 * differences, read back whatever is uncertain (a failed batch, a duplicate-key create, a 5xx part) and plan again
 * from what F&O now holds, a few rounds at most. Every attempt starts from what F&O holds now, so a write that landed
 * before a timeout is seen as done, and a create is never sent for a key F&O already has.
 */
export async function reconcileCustomers(deps: Pick<ActivityDependencies, 'fno' | 'config'>, job: CompanyReconciliation): Promise<void> {
  await new Reconciliation(deps, job).run();
}

class Reconciliation {
  private readonly existing = new Map<string, ExistingCustomer>();
  // What each key was first meant to become: a create that landed unanswered is found on re-read, and is still a
  // creation, whatever the round (or attempt) that finds it.
  private readonly outcome = new Map<string, Outcome>();
  // Keys whose create went out without a definite answer (a failed batch, a 5xx part): if a later create of the key
  // is refused as a duplicate, the customer may be this unit's own, so it still counts as created.
  private readonly unansweredCreates = new Set<string>();

  constructor(
    private readonly deps: Pick<ActivityDependencies, 'fno' | 'config'>,
    private readonly job: CompanyReconciliation,
  ) {}

  async run(): Promise<void> {
    await this.read(this.job.existing);
    let pending = await this.firstLook();
    if (this.job.planning) return;
    // Updates F&O answered "not found" in the last round. Found again on re-read, they are sent again; a record that
    // is readable but not writable by key every round is not a race but a company F&O will not let us write.
    let updatesNotFound = new Set<string>();
    for (let round = 1; pending.size > 0; round += 1) {
      if (round > MAX_WRITE_ROUNDS) {
        this.giveUp(pending, updatesNotFound);
        return;
      }
      const answer = await this.write(this.writesOf(pending));
      if (answer.uncertain.size > 0) await this.reread(answer.uncertain);
      pending = answer.uncertain;
      updatesNotFound = answer.notFound;
    }
  }

  /** Counts what needs no write, plans (dry run) or returns what does. */
  private async firstLook(): Promise<Map<string, Desired>> {
    const { counter, failures, planning, progress } = this.job;
    const pending = new Map<string, Desired>();
    for (const item of this.job.desired) {
      const key = accountNumberKey(item.customer.CustomerAccount);
      if (!this.mayWrite(item, this.existing.get(key))) continue;
      const change = diffCustomer(item.customer, this.existing.get(key));
      if (!planning && progress.createdEarlier(item.company, key)) this.outcome.set(key, 'created');
      if (change.kind === 'unchanged') counter[this.outcome.get(key) ?? 'unchanged'] += 1;
      else if (planning) {
        const identity = { accountId: item.account.accountid, accountNumber: item.customer.CustomerAccount, company: item.company };
        const refusal = await planning.references.refusal(identity, change.kind === 'create' ? change.row : change.changes);
        if (refusal) {
          counter.failed += 1;
          failures.push(refusal);
          continue;
        }
        planning.entries.push({
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
    return pending;
  }

  /** This round's writes: what still differs from what F&O holds now. */
  private writesOf(pending: Map<string, Desired>): Write[] {
    const writes: Write[] = [];
    for (const [key, item] of pending) {
      const found = this.existing.get(key);
      // Re-read: a customer someone else created meanwhile is not ours either.
      if (!this.mayWrite(item, found)) continue;
      const change = diffCustomer(item.customer, found);
      if (change.kind === 'unchanged') {
        // A write from an earlier round landed after all: count it as what it was meant to be.
        this.job.counter[this.outcome.get(key) ?? 'unchanged'] += 1;
        continue;
      }
      const kind: Outcome = change.kind === 'create' ? 'created' : 'updated';
      if (!this.outcome.has(key)) this.outcome.set(key, kind);
      if (change.kind === 'create') this.job.progress.noteCreate(item.company, key);
      writes.push({
        key,
        item,
        kind,
        write:
          change.kind === 'create'
            ? { kind: 'create', row: { ...change.row } }
            : { kind: 'update', dataAreaId: item.company, customerAccount: found?.CustomerAccount ?? item.customer.CustomerAccount, changes: { ...change.changes } },
      });
    }
    return writes;
  }

  /**
   * Sends a round's writes, cut into `$batch` requests by the F&O client (`fnoWriteBatchSize`). The requests go out
   * together: the client's gate decides how many are in flight (`fnoConcurrency`), not the number of units in flight.
   */
  private async write(writes: Write[]): Promise<{ uncertain: Map<string, Desired>; notFound: Set<string> }> {
    const { progress } = this.job;
    const uncertain = new Map<string, Desired>();
    const notFound = new Set<string>();
    let written = 0;
    // Before anything is sent, so that the creates about to go out are in the details a crash leaves behind.
    progress.beat({ written, of: writes.length }, this.job.company);
    const sendChunk = async (chunk: Write[]): Promise<void> => {
      let results: CustomerWriteResult[];
      try {
        results = await this.deps.fno.writeCustomers(chunk.map((w) => w.write));
      } catch (error) {
        if (error instanceof ConnectorError && (error.ambiguous || error.kind === 'transient')) {
          for (const w of chunk) {
            uncertain.set(w.key, w.item);
            if (w.kind === 'created') this.unansweredCreates.add(w.key);
          }
          return;
        }
        throw error;
      }
      results.forEach((result, index) => {
        const w = chunk[index];
        if (w) this.absorb(w, result, uncertain, notFound);
      });
      written += chunk.length;
      progress.beat({ written, of: writes.length }, this.job.company);
    };
    // Chunks queue at the gate behind other units' chunks, possibly for longer than the heartbeat timeout.
    // A failure is thrown only once every chunk has settled: a retry of the unit must not race this attempt's writes.
    await heartbeatWhile(() => settledAll(this.deps.fno.batchChunks(writes).map(sendChunk)), () => progress.details());
    return { uncertain, notFound };
  }

  /** One write's answer: counted, reported, or left uncertain for the re-read. */
  private absorb(w: Write, result: CustomerWriteResult, uncertain: Map<string, Desired>, notFound: Set<string>): void {
    const { counter, failures, progress } = this.job;
    if (result.ok) {
      counter[this.outcome.get(w.key) ?? w.kind] += 1;
      return;
    }
    if (result.error.kind === 'invalid-record') {
      counter.failed += 1;
      failures.push(rejection(w.item, result.error));
      return;
    }
    // Duplicate key (someone created it meanwhile), stale, throttled, not found (deleted meanwhile?) or a 5xx inside
    // the batch: re-read.
    if (result.error.kind === 'not-found' && w.write.kind === 'update') notFound.add(w.key);
    uncertain.set(w.key, w.item);
    if (w.write.kind !== 'create') return;
    if (result.error.problem !== 'duplicate-key') this.unansweredCreates.add(w.key);
    else if (!this.unansweredCreates.has(w.key) && !progress.createdEarlier(w.item.company, w.key)) {
      // F&O had the customer before this create: whatever the re-read finds, this unit did not create it.
      this.outcome.delete(w.key);
      progress.forgetCreate(w.item.company, w.key);
    }
  }

  /**
   * Writes still uncertain after every round: F&O refusing updates by key to customers it returns is a company it
   * will not let us write (configuration); anything else is retried with the unit, and reported after a few attempts.
   */
  private giveUp(pending: Map<string, Desired>, updatesNotFound: Set<string>): void {
    const unwritable = [...pending.keys()].filter((key) => updatesNotFound.has(key) && this.existing.has(key));
    if (unwritable.length > 0) throw unwritableCustomers(unwritable.map((key) => pending.get(key) as Desired));
    if (Context.current().info.attempt < MAX_UNSETTLED_ATTEMPTS) {
      throw new ConnectorError(`${pending.size} customer writes were still uncertain after ${MAX_WRITE_ROUNDS} rounds; retrying the unit`, {
        kind: 'transient',
        service: 'fno',
      });
    }
    // The same writes stayed unsettled attempt after attempt: not a passing fault. Report them and end the unit.
    for (const item of pending.values()) {
      this.job.counter.failed += 1;
      this.job.failures.push(unsettled(item));
    }
  }

  /**
   * The sync writes only customers it owns (IsExternallyMaintained = Yes: created from Sales) or none yet exists;
   * another customer with the account's key is reported and left as it is, unless the configuration adopts such
   * customers (`adoptExistingCustomers`), and then the update also marks it externally maintained.
   */
  private mayWrite(item: Desired, found: ExistingCustomer | undefined): boolean {
    if (found === undefined || found.IsExternallyMaintained === 'Yes' || this.deps.config.adoptExistingCustomers) return true;
    this.job.counter.failed += 1;
    this.job.failures.push(
      recordFailure(
        { accountId: item.account.accountid, accountNumber: item.customer.CustomerAccount, company: item.company },
        'CUSTOMER_NOT_EXTERNALLY_MAINTAINED',
        `F&O customer '${found.CustomerAccount}' in company '${item.company}' has this Account Number but is not maintained ` +
          `from Sales (IsExternallyMaintained = ${quoteValue(found.IsExternallyMaintained ?? '')}); the sync leaves it as ` +
          'it is — give the account another number, or set adoptExistingCustomers: true in the configuration to let ' +
          'the sync take such customers over.',
        { field: 'accountnumber', value: item.customer.CustomerAccount },
      ),
    );
    return false;
  }

  /** Reads back the uncertain keys; keys F&O does not have are forgotten. */
  private async reread(uncertain: Map<string, Desired>): Promise<void> {
    for (const key of uncertain.keys()) this.existing.delete(key);
    await this.read({ kind: 'keys', keys: [...uncertain.values()].map((item) => item.customer.CustomerAccount) });
  }

  /** Existing customers of the company, by comparison key. */
  private async read(selection: CustomerSelection): Promise<void> {
    for await (const customers of readCustomers(this.deps.fno, this.job.company, selection)) {
      for (const customer of customers) this.existing.set(accountNumberKey(customer.CustomerAccount), customer);
      this.job.progress.beat({ existing: this.existing.size }, this.job.company);
    }
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
