import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplyCustomerHolds } from '../../../src/activities/apply-customer-holds';
import { connectToEmulators } from '../../../src/dev/connect-to-emulators';
import type { ApplyCustomerHoldsInput, ReadAccountChangesInput, ReadAccountChangesResult } from '../../../src/activities/contracts';
import type { ConnectedDependencies } from '../../../src/activities/dependencies';
import { createPreflight } from '../../../src/activities/preflight';
import { createReadAccountChanges } from '../../../src/activities/read-account-changes';
import { businessUnitIds, currencyIdOf } from '@p2c-sync/emulators';
import { startEmulators, type RunningEmulators } from '@p2c-sync/emulators';

// The activities of issue 13 on the emulators over real HTTP: reading the account delta (keys only) and putting
// customers on hold / taking them off it. The workflow that strings them together is tested in change-tracking.test.ts.

const idOf = (n: number) => `7c0d4e2a-0000-4000-8000-${String(n).padStart(12, '0')}`;
const account = (n: number, accountnumber: string | null) => ({
  accountid: idOf(n),
  accountnumber,
  name: `Company ${n}`,
  address1_city: 'Somewhere',
  _transactioncurrencyid_value: currencyIdOf('USD'),
  customertypecode: 3,
  statecode: 0,
  _owningbusinessunit_value: businessUnitIds.usmf,
});
const NUMBERS = ['CT-0001', 'CT-0002', 'CT-0003', 'CT-0004', 'CT-0005', 'CT-0006'];

const env = () => new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
const base: Omit<ReadAccountChangesInput, 'deltaLink'> = { unitSize: 2, pageSize: 2, maxKeys: 100 };

describe('readAccountChanges', () => {
  let emulators: RunningEmulators;
  let deps: ConnectedDependencies;
  const read = async (input: Partial<ReadAccountChangesInput> = {}) =>
    (await env().run(() => createReadAccountChanges(deps)({ ...base, ...input }))) as ReadAccountChangesResult;

  beforeAll(async () => {
    emulators = await startEmulators({ fno: { defaultCompany: 'usmf' } });
    emulators.dataverse.store.insertAccounts(NUMBERS.map((number, index) => account(index + 1, number)));
    ({ deps } = connectToEmulators(emulators));
  }, 60_000);
  afterAll(async () => {
    await deps?.close();
    await emulators?.close();
  });

  it('starts with a delta link only, then returns exactly the changed keys, deactivations and deletions', async () => {
    const started = await read();
    expect(started).toEqual({ kind: 'started', deltaLink: expect.stringContaining('$deltatoken='), scanned: 6 });
    const link = (started as { deltaLink: string }).deltaLink;

    const store = emulators.dataverse.store;
    store.updateAccount(idOf(3), { name: 'Edited 3' });
    store.updateAccount(idOf(1), { name: 'Edited 1' });
    store.updateAccount(idOf(2), { name: 'Edited 2' });
    store.updateAccount(idOf(4), { statecode: 1 });
    store.deleteAccount(idOf(5));
    store.insertAccounts([account(7, null), account(8, 'CT-0001 ')]);

    const delta = await read({ deltaLink: link });
    expect(delta).toEqual({
      kind: 'changes',
      deltaLink: expect.stringContaining('$deltatoken='),
      // Two keys a unit (unitSize 2), in key order; the invalid number (trailing blank) listed by id in the last unit.
      units: [
        { kind: 'keys', keys: ['CT-0001', 'CT-0002'] },
        { kind: 'keys', keys: ['CT-0003'], accountIds: [idOf(8)] },
      ],
      changed: 4,
      deactivated: ['CT-0004'],
      deactivatedWithoutNumber: 0,
      unnumbered: 1,
      deleted: 1,
      scanned: 7,
    });
    // The same link read again gives the same delta (a retry is safe); a continuation skips keys up to its cursor.
    expect(await read({ deltaLink: link, after: 'CT-0001' })).toMatchObject({
      units: [{ kind: 'keys', keys: ['CT-0002', 'CT-0003'], accountIds: [idOf(8)] }],
    });
    const next = (delta as { deltaLink: string }).deltaLink;
    expect(await read({ deltaLink: next })).toMatchObject({ kind: 'changes', units: [], changed: 0, deactivated: [], deleted: 0, scanned: 0 });
  });

  it('answers a delta larger than maxKeys as overflow, with a link that starts after it', async () => {
    const { deltaLink } = (await read()) as { deltaLink: string };
    for (const n of [1, 2, 3]) emulators.dataverse.store.updateAccount(idOf(n), { name: `Again ${n}` });
    expect(await read({ deltaLink, maxKeys: 2 })).toEqual({ kind: 'overflow', deltaLink: expect.any(String), changes: 3, maxKeys: 2, scanned: 3 });
    const overflow = (await read({ deltaLink, maxKeys: 2 })) as { deltaLink: string };
    expect(await read({ deltaLink: overflow.deltaLink })).toMatchObject({ kind: 'changes', changed: 0 });
  });

  it('answers an expired or unusable link as expired, with the reason', async () => {
    const { deltaLink } = (await read()) as { deltaLink: string };
    const old = deltaLink.replace(/(\$deltatoken=\d+)(!|%21)[^&]*/, '$1$208%2F01%2F2020%2000%3A00%3A00');
    expect(await read({ deltaLink: old })).toEqual({ kind: 'expired', reason: expect.stringContaining('Version stamp associated with the client has expired') });
    // Only this organisation's accounts set: the bearer token must not go elsewhere.
    for (const foreign of [deltaLink.replace(/^http:\/\/[^/]+/, 'http://attacker.example'), deltaLink.replace('/accounts?', '/contacts?')]) {
      expect(await read({ deltaLink: foreign })).toEqual({ kind: 'expired', reason: expect.stringContaining("not one of this Dataverse organisation's account set") });
    }
    expect(await read({ deltaLink: deltaLink.replace(/\$deltatoken=[^&]*/, '$deltatoken=garbage') })).toEqual({
      kind: 'expired',
      reason: expect.stringContaining('Dataverse refused the delta link'),
    });
  });
});

describe('readAccountChanges and preflight with Track changes off', () => {
  let emulators: RunningEmulators;
  let deps: ConnectedDependencies;
  afterAll(async () => {
    await deps?.close();
    await emulators?.close();
  });

  it('reads untracked, preflight warns under ignore and refuses under block', async () => {
    emulators = await startEmulators({ dataverse: { changeTrackingEnabled: false }, fno: { defaultCompany: 'usmf' } });
    emulators.dataverse.store.insertAccounts([account(1, 'CT-0001')]);
    ({ deps } = connectToEmulators(emulators));
    expect(await env().run(() => createReadAccountChanges(deps)({ ...base }))).toEqual({
      kind: 'untracked',
      reason: expect.stringContaining('Track changes is off for the account table'),
    });
    const checked = await env().run(() => createPreflight(deps)({}));
    expect(checked).toMatchObject({ changeTracking: false, deactivation: 'ignore' });
    expect((checked as { warnings: string[] }).warnings.filter((warning) => warning.includes('Track changes'))).toEqual([
      expect.stringMatching(/^Track changes is off for the Dataverse account table: incremental runs read accounts by versionnumber/),
    ]);

    const blocking = connectToEmulators(emulators, { deactivation: 'block' });
    try {
      const refusal = await env()
        .run(() => createPreflight(blocking.deps)({}))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(String((refusal as { details?: unknown }).details ?? refusal)).toContain('deactivation: block needs Track changes');
    } finally {
      await blocking.deps.close();
    }
  });
});

describe('applyCustomerHolds', () => {
  let emulators: RunningEmulators;
  let deps: ConnectedDependencies;
  const hold = async (input: Partial<ApplyCustomerHoldsInput>) =>
    await env().run(() => createApplyCustomerHolds(deps)({ companies: ['usmf', 'demf'], block: [], unblock: [], scan: 'none', dryRun: false, ...input }));
  const status = (company: string, number: string) => emulators.fno.store.get(company, number)?.row.OnHoldStatus;
  const customer = (company: string, number: string, extra: Record<string, unknown> = {}) =>
    emulators.fno.store.insert({ dataAreaId: company, CustomerAccount: number, OrganizationName: number, CustomerGroupId: '10', SalesCurrencyCode: 'USD', IsExternallyMaintained: 'Yes', ...extra });

  beforeAll(async () => {
    emulators = await startEmulators({ fno: { defaultCompany: 'usmf' } });
    emulators.dataverse.store.insertAccounts(NUMBERS.map((number, index) => account(index + 1, number)));
    for (const number of NUMBERS) customer('usmf', number);
    customer('demf', 'CT-0004');
    // Not maintained from Sales: never held, whatever happens to an account with its number.
    customer('usmf', 'CT-0009', { IsExternallyMaintained: 'No' });
    // A hold of its own (Invoice) on a customer whose account stays active: never lifted.
    customer('usmf', 'CT-0010', { OnHoldStatus: 'Invoice' });
    emulators.dataverse.store.insertAccounts([account(10, 'CT-0010')]);
    ({ deps } = connectToEmulators(emulators));
  }, 60_000);
  afterAll(async () => {
    await deps?.close();
    await emulators?.close();
  });

  it('blocks the customers of a deactivated account in every company, and nothing while an active account has the number', async () => {
    emulators.dataverse.store.updateAccount(idOf(4), { statecode: 1 });
    expect(await hold({ block: ['CT-0004', 'CT-0001'], dryRun: true })).toMatchObject({ totals: { blocked: 2, unblocked: 0 } });
    expect(status('usmf', 'CT-0004')).toBe('No');
    const result = await hold({ block: ['CT-0004', 'CT-0001'] });
    expect(result).toEqual({
      totals: { blocked: 2, unblocked: 0 },
      companies: { usmf: { blocked: 1, unblocked: 0 }, demf: { blocked: 1, unblocked: 0 } },
      failures: [],
      scanned: { accounts: 0, customers: 2 },
    });
    expect([status('usmf', 'CT-0004'), status('demf', 'CT-0004'), status('usmf', 'CT-0001')]).toEqual(['All', 'All', 'No']);
    // Already on hold: nothing to write, nothing counted.
    expect(await hold({ block: ['CT-0004'] })).toMatchObject({ totals: { blocked: 0, unblocked: 0 } });
  });

  it('blocks orphans (deleted accounts) found by the scan, never customers not maintained from Sales', async () => {
    emulators.dataverse.store.deleteAccount(idOf(5));
    const result = await hold({ scan: 'orphans' });
    expect(result).toMatchObject({ totals: { blocked: 1, unblocked: 0 }, companies: { usmf: { blocked: 1 }, demf: { blocked: 0 } } });
    expect([status('usmf', 'CT-0005'), status('usmf', 'CT-0009')]).toEqual(['All', 'No']);
  });

  it('unblocks a reactivated account, and lifts only holds of All', async () => {
    emulators.dataverse.store.updateAccount(idOf(4), { statecode: 0 });
    expect(await hold({ unblock: ['CT-0004', 'CT-0010', 'CT-0002'] })).toMatchObject({
      totals: { blocked: 0, unblocked: 2 },
      companies: { usmf: { unblocked: 1 }, demf: { unblocked: 1 } },
    });
    expect([status('usmf', 'CT-0004'), status('demf', 'CT-0004'), status('usmf', 'CT-0010')]).toEqual(['No', 'No', 'Invoice']);
  });

  it('a full scan unblocks held customers whose account is active and blocks those whose account is gone', async () => {
    emulators.fno.store.update('usmf', 'CT-0002', { OnHoldStatus: 'All' });
    emulators.dataverse.store.updateAccount(idOf(6), { statecode: 1 });
    const result = await hold({ scan: 'all' });
    expect(result).toMatchObject({ totals: { blocked: 1, unblocked: 1 }, companies: { usmf: { blocked: 1, unblocked: 1 } } });
    expect([status('usmf', 'CT-0002'), status('usmf', 'CT-0005'), status('usmf', 'CT-0006')]).toEqual(['No', 'All', 'All']);
  });
});
