import type { ActivityDependencies } from '../../src/activities/dependencies';
import type { SyncConfig } from '../../src/config/sync-config';
import { accountNumberKey } from '../../src/domain/account-number';
import { CUSTOMER_FIELDS } from '../../src/domain/customer-row';
import { diffCustomer } from '../../src/domain/diff-customer';
import type { FailureCode, RecordFailure } from '../../src/domain/record-failure';
import type { SyncReport } from '../../src/workflows';
import { expectedState, readAllAccounts } from '../../test/support/expected-state';

type Clients = Pick<ActivityDependencies, 'dataverse' | 'fno'>;

/** What Dataverse held before the run: each account's number (null when it had none) and whether it was active. */
export interface SourceSnapshot {
  numbers: Map<string, { accountNumber: string | null; active: boolean }>;
  unnumberedActive: number;
}

/** Failure codes that describe the record itself; any other code (or a fault) in a report is a defect. */
const INVALID_RECORD_CODES: ReadonlySet<FailureCode> = new Set<FailureCode>([
  'DUPLICATE_ACCOUNT_NUMBER',
  'REQUIRED_MISSING',
  'TOO_LONG',
  'UNKNOWN_COUNTRY',
  'UNKNOWN_STATE',
  'INVALID_ACCOUNT_NUMBER',
  'UNMAPPED_VALUE',
  'INVALID_VALUE',
  'REFERENCE_NOT_FOUND',
  'FNO_REJECTED',
  'OUT_OF_SCOPE',
]);
/** Refusals by F&O of a record that maps cleanly (e.g. a currency F&O does not know). */
const FNO_REFUSAL_CODES: ReadonlySet<string> = new Set(['REFERENCE_NOT_FOUND', 'TOO_LONG', 'INVALID_VALUE', 'FNO_REJECTED']);

export async function snapshotSource(clients: Clients): Promise<SourceSnapshot> {
  const numbers = new Map<string, { accountNumber: string | null; active: boolean }>();
  let unnumberedActive = 0;
  for (const account of await readAllAccounts(clients.dataverse)) {
    const accountNumber = account.accountnumber ?? null;
    const active = account.statecode === 0;
    numbers.set(account.accountid, { accountNumber, active });
    if (active && !accountNumber) unnumberedActive += 1;
  }
  return { numbers, unnumberedActive };
}

export interface ExactlyOnceInput {
  clients: Clients;
  config: SyncConfig;
  before: SourceSnapshot;
  report: SyncReport;
  /** Entity writes the emulators counted during the run (counters reset before it). */
  dataverseWrites: number;
  fnoWrites: number;
}

export interface ExactlyOnceVerdict {
  problems: string[];
  facts: { customers: number; expectedCustomers: number; rejectedByFno: number; failures: number; numbered: number };
}

/**
 * The exactly-once effect of a run, checked from the outside against an independent oracle (the expected-state
 * computation the integration tests use): F&O holds exactly the customers the valid active accounts call for, each
 * written once; every account that lacked a number got exactly one and no existing number changed; every failure
 * reported is about an invalid record.
 */
export async function checkExactlyOnce(input: ExactlyOnceInput): Promise<ExactlyOnceVerdict> {
  const { clients, config, before, report } = input;
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 25) problems.push(text);
  };
  if (report.status !== 'completed') problem(`run status ${report.status}`);

  // Numbered once: one Dataverse write per account that lacked a number, and no number that existed changed.
  if (input.dataverseWrites !== before.unnumberedActive) {
    problem(`Dataverse writes ${input.dataverseWrites} != active accounts that lacked a number ${before.unnumberedActive}`);
  }
  const units = await businessUnitsByCompany(clients, config);
  const expected = await expectedState(clients.dataverse, config, units);
  if (expected.unnumbered.length > 0) problem(`${expected.unnumbered.length} active accounts still have no number`);
  const newNumbers = new Map<string, string>();
  for (const account of expected.accounts) {
    const earlier = before.numbers.get(account.accountid);
    if (!earlier) problem(`account ${account.accountid} appeared during the run`);
    else if (earlier.accountNumber !== null && account.accountnumber !== earlier.accountNumber) {
      problem(`account ${account.accountid}: number changed from ${earlier.accountNumber} to ${account.accountnumber}`);
    } else if (earlier.accountNumber === null && account.accountnumber) {
      const key = accountNumberKey(account.accountnumber);
      const holder = newNumbers.get(key);
      if (holder) problem(`new number ${account.accountnumber} given to both ${holder} and ${account.accountid}`);
      newNumbers.set(key, account.accountid);
    }
  }

  // Synced once: exactly the expected customers, one row per key, each matching its account, each written once.
  const rows = await readCustomerRows(clients, config.companies.map((c) => c.dataAreaId));
  const customers = new Map<string, Record<string, unknown>>();
  for (const { key, row } of rows) {
    if (customers.has(key)) problem(`duplicate customer ${key}`);
    customers.set(key, row);
  }
  const shown = report.failures.shown;
  const complete = report.failures.total === shown.length;
  const failuresOf = new Map<string, RecordFailure[]>();
  for (const failure of shown) failuresOf.set(failure.accountId, [...(failuresOf.get(failure.accountId) ?? []), failure]);
  let rejectedByFno = 0;
  const rejectedIds = new Set<string>();
  for (const [key, { account, row }] of expected.customers) {
    const actual = customers.get(key);
    if (actual) {
      const change = diffCustomer(row, actual);
      if (change.kind !== 'unchanged') problem(`customer ${key} differs from its account: ${JSON.stringify(change).slice(0, 300)}`);
      continue;
    }
    rejectedByFno += 1;
    rejectedIds.add(account.accountid);
    const codes = (failuresOf.get(account.accountid) ?? []).map((f) => f.code);
    if (complete && !codes.some((code) => FNO_REFUSAL_CODES.has(code))) problem(`customer ${key} is missing and not reported as refused by F&O (codes: ${codes.join(',') || 'none'})`);
  }
  for (const key of customers.keys()) if (!expected.customers.has(key)) problem(`unexpected customer ${key}`);
  if (input.fnoWrites !== customers.size) problem(`F&O writes ${input.fnoWrites} != customers ${customers.size}: some customer was written more than once`);
  // A create made by an attempt that was lost (worker killed) is found by the retry and counted as unchanged, so
  // the report's created + unchanged is what F&O holds (the runs start from an empty F&O, nothing to update).
  const counted = report.totals.created + report.totals.unchanged + report.totals.updated;
  if (counted !== customers.size) problem(`report counts ${counted} customers (created + unchanged + updated), F&O holds ${customers.size}`);

  // Failures only for invalid records.
  const invalid = new Set([...expected.mappingFailures.keys(), ...expected.duplicateAccountIds, ...rejectedIds]);
  for (const failure of shown) {
    if (!INVALID_RECORD_CODES.has(failure.code as FailureCode)) problem(`failure ${failure.code} for ${failure.accountId}: ${failure.reason.slice(0, 200)}`);
    else if (!invalid.has(failure.accountId)) problem(`failure ${failure.code} for valid account ${failure.accountId}: ${failure.reason.slice(0, 200)}`);
  }
  if (complete) {
    for (const id of [...expected.mappingFailures.keys(), ...expected.duplicateAccountIds]) {
      if (!failuresOf.has(id)) problem(`invalid account ${id} is not reported`);
    }
  }
  return {
    problems,
    facts: { customers: customers.size, expectedCustomers: expected.customers.size, rejectedByFno, failures: report.failures.total, numbered: newNumbers.size },
  };
}

/** Company → ids of the business units it takes accounts from, as the configuration names them. */
async function businessUnitsByCompany(clients: Clients, config: SyncConfig): Promise<Record<string, string[]>> {
  const idsByName = new Map<string, string[]>();
  for await (const rows of clients.dataverse.queryAll({ entitySet: 'businessunits', select: ['businessunitid', 'name'] })) {
    for (const row of rows as { businessunitid: string; name: string }[]) {
      const name = row.name.toLowerCase();
      idsByName.set(name, [...(idsByName.get(name) ?? []), row.businessunitid]);
    }
  }
  return Object.fromEntries(config.companies.map((company) => [company.dataAreaId, (company.businessUnits ?? []).flatMap((name) => idsByName.get(name.toLowerCase()) ?? [])]));
}

/** Every customer row of the companies, keyed like the oracle (`company|KEY`), duplicates kept. */
async function readCustomerRows(clients: Clients, companies: readonly string[]): Promise<{ key: string; row: Record<string, unknown> }[]> {
  const rows: { key: string; row: Record<string, unknown> }[] = [];
  for (const company of companies) {
    for await (const page of clients.fno.queryCustomers({ dataAreaId: company, select: [...CUSTOMER_FIELDS] })) {
      for (const row of page as Record<string, unknown>[]) rows.push({ key: `${company}|${accountNumberKey(String(row.CustomerAccount))}`, row });
    }
  }
  return rows;
}
