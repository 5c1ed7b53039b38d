import { afterEach, describe, expect, it } from 'vitest';
import { accountNumberKey } from '../../../src/domain/account-number';
import { readAllAccounts, readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';

describe('company scopes and run policies', () => {
  let harness: PipelineHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('gives a company the accounts its Dataverse filter selects, and counts the rest out of scope', async () => {
    harness = await PipelineHarness.start({
      emulators: { generate: { count: 400, seed: 31 } },
      config: { companies: [{ dataAreaId: 'usmf', filter: "startswith(name,'a') or startswith(name,'b')" }] },
    });
    const report = await harness.sync({ maxFailuresInResult: 10_000 });
    const accounts = (await readAllAccounts(harness.deps.dataverse)).filter((a) => a.statecode === 0);
    const selected = accounts.filter((a) => /^[ab]/i.test(a.name ?? ''));
    expect(selected.length).toBeGreaterThan(10);
    const customers = await readAllCustomers(harness.deps.fno, ['usmf']);
    const selectedKeys = new Set(selected.map((a) => `usmf|${accountNumberKey(a.accountnumber ?? '')}`));
    for (const key of customers.keys()) expect(selectedKeys.has(key), key).toBe(true);
    const failed = new Set(report.failures.shown.map((f) => f.accountId));
    for (const account of selected) {
      const key = `usmf|${accountNumberKey(account.accountnumber ?? '')}`;
      expect(customers.has(key) || failed.has(account.accountid), key).toBe(true);
    }
    expect(report.companies.usmf?.read).toBe(selected.filter((a) => !report.failures.shown.some((f) => f.code === 'DUPLICATE_ACCOUNT_NUMBER' && f.accountId === a.accountid)).length);
    expect(report.totals.outOfScope).toBeGreaterThan(100);
  });

  it('renumbers all but the oldest account of each duplicated number when asked to', async () => {
    harness = await PipelineHarness.start({ emulators: { generate: { count: 600, seed: 41 } } });
    const before = (await readAllAccounts(harness.deps.dataverse)).filter((a) => a.statecode === 0 && a.accountnumber);
    const groups = new Map<string, typeof before>();
    for (const account of before) {
      const key = accountNumberKey(account.accountnumber ?? '');
      groups.set(key, [...(groups.get(key) ?? []), account]);
    }
    const duplicated = [...groups.values()].filter((group) => group.length > 1);
    expect(duplicated.length).toBeGreaterThan(0);

    const report = await harness.sync({ duplicatePolicy: 'renumber', maxFailuresInResult: 10_000 });
    expect(report.accountNumbers.renumbered).toBe(duplicated.reduce((sum, group) => sum + group.length - 1, 0));
    expect(report.failures.shown.filter((f) => f.code === 'DUPLICATE_ACCOUNT_NUMBER')).toEqual([]);

    const after = new Map((await readAllAccounts(harness.deps.dataverse)).map((a) => [a.accountid, a]));
    for (const group of duplicated) {
      const oldest = [...group].sort((a, b) => (a.createdon ?? '').localeCompare(b.createdon ?? '') || a.accountid.localeCompare(b.accountid))[0];
      for (const account of group) {
        const now = after.get(account.accountid)?.accountnumber;
        if (account.accountid === oldest?.accountid) expect(now).toBe(account.accountnumber);
        else expect(now).toMatch(/^ACC-\d{5,}-[A-Z0-9]{6}$/);
      }
    }
  });

  it('runs a full sync, and says why, when an incremental run has no watermark', async () => {
    harness = await PipelineHarness.start({ emulators: { generate: { count: 100, seed: 51 } } });
    const report = await harness.sync({ mode: 'incremental' });
    expect(report.mode).toBe('full');
    expect(report.fallbackReason).toMatch(/no watermark/);
    const next = await harness.sync({ mode: 'auto', since: report.watermark.next });
    expect(next.mode).toBe('incremental');
    expect(next.totals.read).toBe(0);
  });
});
