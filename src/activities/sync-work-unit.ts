import { Context } from '@temporalio/activity';
import { mapAccountToCustomer } from '../domain/map-account';
import type { RecordFailure, RecordWarning } from '../domain/record-failure';
import { settledAll } from '../util/settled-all';
import { emptyCounters, type PlanEntry, type SyncWorkUnitInput, type SyncWorkUnitResult, type UnitCounters } from './contracts';
import type { ActivityDependencies } from './dependencies';
import { PlanReferences } from './plan-references';
import { readAndScopeUnit } from './read-unit';
import { type Desired, reconcileCustomers } from './reconcile-customers';
import { UnitProgress } from './unit-progress';
import { unitWarnings } from './unit-warnings';

/** One company's part of a unit: its mapped customers, and what its reconciliation counts and reports. */
interface CompanyPart {
  company: string;
  counter: UnitCounters;
  desired: Desired[];
  failures: RecordFailure[];
  plan: PlanEntry[];
}

/**
 * Brings one work unit's customers in line with its accounts: read and scope the unit's accounts (read-unit.ts) →
 * map each into the customer of each of its companies → reconcile each company with what F&O holds, the companies
 * side by side (reconcile-customers.ts: read, diff, write only the differences, re-read what is uncertain).
 * Idempotent: every attempt starts from what F&O holds now. Returns counts and failures, never records.
 */
export function createSyncWorkUnit(deps: Pick<ActivityDependencies, 'dataverse' | 'fno' | 'config' | 'currencies'>) {
  return async function syncWorkUnit(input: SyncWorkUnitInput): Promise<SyncWorkUnitResult> {
    const progress = new UnitProgress(Context.current().info.heartbeatDetails);
    const totals = emptyCounters();
    const companies: Record<string, UnitCounters> = Object.fromEntries(input.companies.map((c) => [c.dataAreaId, emptyCounters()]));
    const warnings: RecordWarning[] = [];
    const plan: PlanEntry[] = [];
    const references = input.dryRun ? new PlanReferences(deps.fno) : undefined;

    const unit = await readAndScopeUnit(deps, input.unit, input.companies, progress, input.band);
    const failures: RecordFailure[] = unit.failures;
    totals.read = unit.read;
    totals.outOfScope = unit.outOfScope;

    const currencyCodeById = await deps.currencies();
    const parts: CompanyPart[] = [];
    for (const { scope, accounts: inCompany } of unit.companies) {
      const company = scope.dataAreaId;
      const counter = companies[company] ?? emptyCounters();
      counter.read = inCompany.size;
      const part: CompanyPart = { company, counter, desired: [], failures: [], plan: [] };
      for (const account of inCompany.values()) {
        const mapped = mapAccountToCustomer(account, { dataAreaId: company, config: deps.config.mapping, currencyCodeById });
        if (mapped.ok) {
          part.desired.push({ company, account, customer: mapped.customer });
          warnings.push(...mapped.warnings);
        }
        else {
          counter.failed += 1;
          part.failures.push(...mapped.failures);
        }
      }
      parts.push(part);
    }
    // The companies are reconciled side by side: their customers are separate records in F&O, and each company's
    // reads and writes wait on the others' only at the client's gate. One after another, a unit of two companies took
    // two rounds of `$batch`es where one would do (the last units of a run beside numbering: ~2 s instead of ~1).
    // Every company settles before a failure is thrown (no write of this attempt races its retry), and failures and
    // plan entries are listed in company order, as before.
    await settledAll(
      parts.map(async (part) => {
        if (part.desired.length === 0) return;
        const existing =
          input.unit.kind === 'range'
            ? { kind: 'range' as const, after: input.unit.after, upTo: input.unit.upTo }
            : { kind: 'keys' as const, keys: part.desired.map((item) => item.customer.CustomerAccount) };
        await reconcileCustomers(deps, {
          company: part.company,
          existing,
          desired: part.desired,
          counter: part.counter,
          failures: part.failures,
          ...(references ? { planning: { entries: part.plan, references } } : {}),
          progress,
        });
      }),
    );
    for (const part of parts) {
      failures.push(...part.failures);
      plan.push(...part.plan);
    }

    // Records, not failure entries: one account can fail several rules, and counts once per company it failed in.
    totals.failed = new Set(failures.map((failure) => `${failure.accountId}|${failure.company ?? ''}`)).size;
    for (const counter of Object.values(companies)) {
      totals.created += counter.created;
      totals.updated += counter.updated;
      totals.unchanged += counter.unchanged;
    }
    return { totals, companies, failures, ...unitWarnings(warnings), ...(input.dryRun ? { plan } : {}) };
  };
}
