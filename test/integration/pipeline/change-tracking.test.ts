import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessUnitIds, currencyIdOf } from '@p2c-sync/emulators';
import type { SyncReport } from '../../../src/workflows';
import { PipelineHarness } from '../../support/pipeline';

// Issue 13 acceptance, on the real dev server, worker and emulators: incremental runs follow the previous run's delta
// link (and catch a change the versionnumber watermark loses for good), and deactivations and deletions reach F&O
// as holds under `deactivation: block`, never under `ignore`.

const ACCOUNTS = 10;
const idOf = (n: number) => `5a1b9c3d-0000-4000-8000-${String(n).padStart(12, '0')}`;
const numberOf = (n: number) => `DL-${String(n).padStart(4, '0')}`;
const account = (n: number) => ({
  accountid: idOf(n),
  accountnumber: numberOf(n),
  name: `Delta Company ${n}`,
  address1_city: 'Somewhere',
  _transactioncurrencyid_value: currencyIdOf('USD'),
  customertypecode: 3,
  statecode: 0,
  _owningbusinessunit_value: businessUnitIds.usmf,
});

async function seeded(config: Record<string, unknown> = {}): Promise<PipelineHarness> {
  const harness = await PipelineHarness.start({ emulators: { fno: { defaultCompany: 'usmf' } }, config });
  harness.emulators.dataverse.store.insertAccounts(Array.from({ length: ACCOUNTS }, (_, index) => account(index + 1)));
  return harness;
}

function fnoWrites(harness: PipelineHarness): number {
  return harness.emulators.fno.admin.counters.snapshot().writes;
}

function customer(harness: PipelineHarness, n: number) {
  return harness.emulators.fno.store.get('usmf', numberOf(n))?.row;
}

/** 3 edits, 1 deactivation (#4), 1 deletion (#5). */
function changeSales(harness: PipelineHarness): void {
  const store = harness.emulators.dataverse.store;
  for (const n of [1, 2, 3]) store.updateAccount(idOf(n), { name: `Edited Company ${n}` });
  store.updateAccount(idOf(4), { statecode: 1 });
  store.deleteAccount(idOf(5));
}

describe('incremental runs follow delta links', () => {
  let harness: PipelineHarness;
  let full: SyncReport;
  beforeAll(async () => {
    harness = await seeded();
    full = await harness.sync({ mode: 'full' });
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('ends a full run with a delta link for the next run', () => {
    expect(full).toMatchObject({ mode: 'full', totals: { read: ACCOUNTS, created: ACCOUNTS, failed: 0 } });
    expect(full.watermark.next).toMatch(/^delta:http:\/\/.+\/api\/data\/v9\.2\/accounts\?.*\$deltatoken=/);
    expect(full.holds).toBeUndefined();
  });

  it('catches a change whose transaction commits late, which the versionnumber watermark loses for good', async () => {
    const store = harness.emulators.dataverse.store;
    // A slow transaction takes its row version; a fast one writes after it and commits first.
    const slow = store.beginLateUpdate(idOf(6), { name: 'Slow writer' });
    store.updateAccount(idOf(7), { name: 'Fast writer' });
    const second = await harness.sync({ since: full.watermark.next as string });
    expect(second).toMatchObject({ mode: 'incremental', totals: { read: 1, updated: 1, created: 0 } });
    expect(customer(harness, 7)?.OrganizationName).toBe('Fast writer');
    // What the versionnumber method would have kept as its watermark at that moment: the highest version seen.
    const watermark = `version:${store.maxVersion()}`;
    expect(store.maxVersion()).toBeGreaterThan(slow.version);

    slow.commit();
    const byVersion = await harness.sync({ since: watermark });
    expect(byVersion).toMatchObject({ mode: 'incremental', totals: { read: 0, updated: 0 } });
    expect(customer(harness, 6)?.OrganizationName).toBe('Delta Company 6');

    const before = fnoWrites(harness);
    const byDelta = await harness.sync({ since: second.watermark.next as string });
    expect(byDelta).toMatchObject({ mode: 'incremental', totals: { read: 1, updated: 1, created: 0, failed: 0 } });
    expect(fnoWrites(harness) - before).toBe(1);
    expect(customer(harness, 6)?.OrganizationName).toBe('Slow writer');
  });

  it('writes exactly the changes under deactivation: ignore, and holds nobody', async () => {
    const { next } = (await harness.sync({ mode: 'full' })).watermark;
    changeSales(harness);
    const before = fnoWrites(harness);
    const report = await harness.sync({ since: next as string });
    expect(report).toMatchObject({ mode: 'incremental', totals: { read: 3, updated: 3, created: 0, unchanged: 0, failed: 0 } });
    expect(report.holds).toBeUndefined();
    expect(fnoWrites(harness) - before).toBe(3);
    expect([1, 2, 3].map((n) => customer(harness, n)?.OrganizationName)).toEqual(['Edited Company 1', 'Edited Company 2', 'Edited Company 3']);
    expect([4, 5].map((n) => customer(harness, n)?.OnHoldStatus)).toEqual(['No', 'No']);
  });

  it('falls back to a full run, and says why, when the delta link has expired', async () => {
    const link = full.watermark.next as string;
    const expired = link.replace(/(\$deltatoken=\d+)(!|%21)[^&]*/, '$1$208%2F01%2F2020%2000%3A00%3A00');
    expect(expired).not.toBe(link);
    const report = await harness.sync({ since: expired });
    expect(report.mode).toBe('full');
    expect(report.fallbackReason).toMatch(/^the previous run's delta link can no longer be used \(.*Version stamp associated with the client has expired.*\): a full sync instead$/);
    expect(report.totals.read).toBe(ACCOUNTS - 2);
    expect(report.watermark.next).toMatch(/^delta:/);
  });

  it('continues as new in the middle of a delta and syncs each change exactly once', async () => {
    const { next } = (await harness.sync({ mode: 'full' })).watermark;
    harness.emulators.dataverse.store.insertAccounts(Array.from({ length: 30 }, (_, index) => account(100 + index)));
    const before = fnoWrites(harness);
    const report = await harness.sync({ since: next as string, unitSize: 1, maxConcurrentUnits: 1, continueAsNewAfterEvents: 100 });
    expect(report.continuedAsNew).toBeGreaterThanOrEqual(1);
    expect(report).toMatchObject({ mode: 'incremental', totals: { read: 30, created: 30, updated: 0, failed: 0 } });
    expect(report.fallbackReason).toBeUndefined();
    expect(fnoWrites(harness) - before).toBe(30);
    expect(customer(harness, 129)?.OrganizationName).toBe('Delta Company 129');
  });
});

describe('deactivation: block', () => {
  let harness: PipelineHarness;
  beforeAll(async () => {
    harness = await seeded({ deactivation: 'block' });
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('blocks the customers of a deactivated and a deleted account, writes the 3 edits, and unblocks on reactivation', async () => {
    const full = await harness.sync({ mode: 'full' });
    expect(full).toMatchObject({ totals: { created: ACCOUNTS }, holds: { totals: { blocked: 0, unblocked: 0 } } });

    changeSales(harness);
    let before = fnoWrites(harness);
    const incremental = await harness.sync({ since: full.watermark.next as string });
    expect(incremental).toMatchObject({
      mode: 'incremental',
      totals: { read: 3, updated: 3, created: 0, failed: 0 },
      holds: { totals: { blocked: 2, unblocked: 0 }, companies: { usmf: { blocked: 2, unblocked: 0 }, demf: { blocked: 0, unblocked: 0 } } },
    });
    expect(fnoWrites(harness) - before).toBe(5);
    expect([1, 4, 5].map((n) => customer(harness, n)?.OnHoldStatus)).toEqual(['No', 'All', 'All']);

    harness.emulators.dataverse.store.updateAccount(idOf(4), { statecode: 0 });
    before = fnoWrites(harness);
    const reactivated = await harness.sync({ since: incremental.watermark.next as string });
    expect(reactivated).toMatchObject({
      totals: { read: 1, updated: 0, unchanged: 1 },
      holds: { totals: { blocked: 0, unblocked: 1 }, companies: { usmf: { blocked: 0, unblocked: 1 } } },
    });
    expect(fnoWrites(harness) - before).toBe(1);
    expect([4, 5].map((n) => customer(harness, n)?.OnHoldStatus)).toEqual(['No', 'All']);
  });
});
