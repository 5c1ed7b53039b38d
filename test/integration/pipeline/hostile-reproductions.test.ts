import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { afterEach, describe, expect, it } from 'vitest';
import type { FnoClient } from '../../../src/connectors/fno-client';
import type { AccountInput } from '@p2c-sync/emulators';
import { PipelineHarness, type PipelineHarnessOptions } from '../../support/pipeline';
import { createTestWorker } from '../../support/temporal';
import { account, accountId, customersOf } from './hostile-accounts';

// The reproductions of issue 11 ("overwrites and lost records", "runs that stall for ever"), each through a real
// sync against the emulators. Expected values are written out by hand.

let harness: PipelineHarness | undefined;
let worker: { worker: Worker; run: Promise<void> } | undefined;

afterEach(async () => {
  if (worker) {
    worker.worker.shutdown();
    await worker.run.catch(() => undefined);
    worker = undefined;
  }
  await harness?.close();
  harness = undefined;
});

async function start(accounts: AccountInput[], options: PipelineHarnessOptions = {}): Promise<PipelineHarness> {
  harness = await PipelineHarness.start(options);
  harness.emulators.dataverse.store.insertAccounts(accounts);
  return harness;
}

function seedCustomer(h: PipelineHarness, values: Record<string, string>): void {
  h.emulators.fno.store.insert({ dataAreaId: 'usmf', PartyType: 'Organization', CustomerGroupId: '10', SalesCurrencyCode: 'USD', ...values });
}

/** A worker of the harness's task queue whose F&O client is `wrap(client)`: a fault or a race at an exact moment. */
async function startWorkerWithFno(h: PipelineHarness, wrap: (fno: FnoClient) => Partial<FnoClient>): Promise<void> {
  const overrides = wrap(h.deps.fno);
  const fno = new Proxy(h.deps.fno, {
    get(target, property, receiver) {
      const override = (overrides as Record<string | symbol, unknown>)[property];
      if (override !== undefined) return override;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const created = await createTestWorker(h.env, h.taskQueue, { ...h.deps, fno });
  worker = { worker: created, run: created.run() };
}

async function failureOf(promise: Promise<unknown>): Promise<{ activity: ActivityFailure; cause: ApplicationFailure }> {
  const error = await promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const activity = (error as WorkflowFailedError).cause;
  expect(activity).toBeInstanceOf(ActivityFailure);
  const cause = (activity as ActivityFailure).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { activity: activity as ActivityFailure, cause: cause as ApplicationFailure };
}

describe('duplicates hidden by padding or case', () => {
  it("' DUP-A' (Alpha), 1,200 others and 'DUP-A' (Beta): Alpha is refused, Beta synced, counts match F&O", async () => {
    const accounts = [account(1, ' DUP-A', 'Alpha Corp')];
    for (let i = 1; i <= 1200; i += 1) accounts.push(account(1 + i, `C-${String(i).padStart(5, '0')}`, `Other ${i}`));
    accounts.push(account(1202, 'DUP-A', 'Beta Corp'));
    const h = await start(accounts);
    const report = await h.sync({ batchSize: 100 });
    expect(report.status).toBe('completed');
    const customers = customersOf(h);
    expect(customers.size).toBe(1201);
    expect(report.totals).toMatchObject({ read: 1202, created: 1201, failed: 1 });
    expect(customers.get('DUP-A')?.OrganizationName).toBe('Beta Corp');
    expect(report.failures.shown.map((f) => [f.accountId, f.code, f.value])).toEqual([[accountId(1), 'INVALID_ACCOUNT_NUMBER', ' DUP-A']]);
  }, 180_000);

  it("case-1, CASE-1 and ' Case-1 ' one per unit: the case variants are duplicates, the padded one invalid", async () => {
    const h = await start([account(1, 'case-1', 'Lower'), account(2, 'CASE-1', 'Upper'), account(3, ' Case-1 ', 'Padded'), account(4, 'B-1', 'Before')]);
    const report = await h.sync({ batchSize: 1 });
    expect(report.totals).toMatchObject({ read: 4, created: 1, failed: 3 });
    expect([...customersOf(h).keys()]).toEqual(['B-1']);
    const codes = Object.fromEntries(report.failures.shown.map((f) => [f.accountId, f.code]));
    expect(codes).toEqual({
      [accountId(1)]: 'DUPLICATE_ACCOUNT_NUMBER',
      [accountId(2)]: 'DUPLICATE_ACCOUNT_NUMBER',
      [accountId(3)]: 'INVALID_ACCOUNT_NUMBER',
    });
  }, 60_000);
});

describe('customers the sync does not own', () => {
  it("'\u0131d-foreign' never touches customer ID-FOREIGN, nor does 'id-foreign' (IsExternallyMaintained = No)", async () => {
    const h = await start([account(1, '\u0131d-foreign', 'Dotless'), account(2, 'id-foreign', 'Dotted')]);
    seedCustomer(h, { CustomerAccount: 'ID-FOREIGN', OrganizationName: 'Foreign Ltd', IsExternallyMaintained: 'No' });
    const before = customersOf(h);
    for (const batchSize of [100, 1]) {
      const report = await h.sync({ mode: 'full', batchSize });
      expect(report.totals).toMatchObject({ read: 2, created: 0, updated: 0, failed: 2 });
      expect(report.failures.shown.map((f) => [f.accountId, f.code])).toEqual([
        [accountId(1), 'INVALID_ACCOUNT_NUMBER'],
        [accountId(2), 'CUSTOMER_NOT_EXTERNALLY_MAINTAINED'],
      ]);
      expect(customersOf(h)).toEqual(before);
    }
    expect(h.emulators.fno.admin.counters.snapshot().writes).toBe(0);
  }, 60_000);

  it('adoptExistingCustomers: true takes such a customer over and marks it externally maintained', async () => {
    const h = await start([account(1, 'id-owned', 'Adopted Inc')], { config: { adoptExistingCustomers: true } });
    seedCustomer(h, { CustomerAccount: 'ID-OWNED', OrganizationName: 'Owned by F&O', IsExternallyMaintained: 'No' });
    const report = await h.sync({});
    expect(report.totals).toMatchObject({ read: 1, created: 0, updated: 1, failed: 0 });
    const customers = customersOf(h);
    expect(customers.size).toBe(1);
    expect(customers.get('ID-OWNED')).toMatchObject({ OrganizationName: 'Adopted Inc', IsExternallyMaintained: 'Yes' });
  }, 60_000);

  it('a customer someone else creates between the read and the create is re-read: owned ones updated, not counted as created', async () => {
    const h = await start([account(1, 'RACE-1', 'Race one'), account(2, 'RACE-2', 'Race two')], { inProcessWorker: false });
    let raced = false;
    await startWorkerWithFno(h, (fno) => ({
      writeCustomers: async (writes) => {
        if (!raced && writes.some((w) => w.kind === 'create')) {
          raced = true;
          seedCustomer(h, { CustomerAccount: 'RACE-1', OrganizationName: 'Someone else first', IsExternallyMaintained: 'Yes' });
          seedCustomer(h, { CustomerAccount: 'RACE-2', OrganizationName: 'F&O user first', IsExternallyMaintained: 'No' });
        }
        return await fno.writeCustomers(writes);
      },
    }));
    const report = await h.sync({ batchSize: 1 });
    expect(raced).toBe(true);
    expect(report.totals).toMatchObject({ read: 2, created: 0, updated: 1, failed: 1 });
    expect(report.failures.shown.map((f) => [f.accountId, f.code])).toEqual([[accountId(2), 'CUSTOMER_NOT_EXTERNALLY_MAINTAINED']]);
    const customers = customersOf(h);
    expect(customers.get('RACE-1')?.OrganizationName).toBe('Race one');
    expect(customers.get('RACE-2')).toMatchObject({ OrganizationName: 'F&O user first', IsExternallyMaintained: 'No' });
  }, 60_000);
});

describe('runs that used to stall for ever', () => {
  it('ACC-999999999-AAAAAA plus an unnumbered account: a non-retryable failure naming the account with the highest number', async () => {
    const h = await start([account(1, 'ACC-999999999-AAAAAA', 'Highest'), account(2, null, 'Unnumbered')]);
    const started = Date.now();
    const { activity, cause } = await failureOf(h.sync({}));
    expect(activity.activityType).toBe('assignAccountNumbers');
    expect(cause.type).toBe('AccountNumbersExhausted');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toContain(`account ${accountId(1)} holds 'ACC-999999999-AAAAAA'`);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(h.emulators.dataverse.store.getAccount(accountId(2))?.accountnumber).toBeNull();
    expect(h.emulators.fno.admin.counters.snapshot().writes).toBe(0);
  }, 60_000);

  it('K-KELVIN beside the Kelvin-sign one: one customer, the other refused, no repeated creates', async () => {
    const h = await start([account(1, 'K-KELVIN', 'Plain K'), account(2, '\u212a-KELVIN', 'Kelvin sign')]);
    const report = await h.sync({});
    expect(report.totals).toMatchObject({ read: 2, created: 1, failed: 1 });
    expect(report.failures.shown.map((f) => [f.accountId, f.code])).toEqual([[accountId(2), 'INVALID_ACCOUNT_NUMBER']]);
    expect([...customersOf(h).entries()].map(([key, c]) => [key, c.OrganizationName])).toEqual([['K-KELVIN', 'Plain K']]);
    expect(h.emulators.fno.admin.counters.snapshot().writes).toBe(1);
  }, 60_000);

  it('an F&O customer keyed with the Kelvin sign: the create F&O refuses and the read-back never finds ends as WRITE_CONFLICT', async () => {
    const h = await start([account(1, 'K-X', 'Plain K')]);
    seedCustomer(h, { CustomerAccount: '\u212a-X', OrganizationName: 'Kelvin customer', IsExternallyMaintained: 'Yes' });
    const before = customersOf(h);
    const report = await h.sync({});
    expect(report.status).toBe('completed');
    expect(report.totals).toMatchObject({ read: 1, created: 0, updated: 0, failed: 1 });
    expect(report.failures.shown.map((f) => [f.accountId, f.code])).toEqual([[accountId(1), 'WRITE_CONFLICT']]);
    expect(customersOf(h)).toEqual(before);
    expect(h.emulators.fno.admin.counters.snapshot().writes).toBe(0);
  }, 90_000);

  it('a lone surrogate Account Number is refused, whatever the run mode', async () => {
    const h = await start([account(1, '\ud800-LONE', 'Lone'), account(2, 'A-1', 'Fine')]);
    for (const input of [{ mode: 'full' as const }, { mode: 'incremental' as const, since: 'version:0' }]) {
      const report = await h.sync({ ...input, batchSize: 1 });
      expect(report.failures.shown.map((f) => [f.accountId, f.code])).toEqual([[accountId(1), 'INVALID_ACCOUNT_NUMBER']]);
      expect(report.totals).toMatchObject({ read: 2, failed: 1 });
    }
    expect([...customersOf(h).keys()]).toEqual(['A-1']);
  }, 60_000);

  it('an unexpected error in an activity (a TypeError) fails the run after a bounded number of attempts', async () => {
    const h = await start([account(1, 'A-1', 'Fine')], { inProcessWorker: false });
    let calls = 0;
    await startWorkerWithFno(h, () => ({
      queryCustomers: () => {
        calls += 1;
        throw new TypeError('boom');
      },
    }));
    const { activity, cause } = await failureOf(h.sync({}));
    expect(activity.activityType).toBe('syncWorkUnit');
    expect(cause.type).toBe('UnexpectedError');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toContain('TypeError: boom');
    expect(cause.message).toContain('in 3 attempts');
    expect(calls).toBe(3);
  }, 60_000);
});
