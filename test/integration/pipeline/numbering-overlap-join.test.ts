import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressQuery, type SyncProgress } from '../../../src/workflows';
import type { SyncReport } from '../../../src/workflows/sync-report';
import { readAllAccounts } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';
import { countByCodeAndField, CUSTOMERS_PER_COMPANY, FAILURES_BY_CODE_AND_FIELD, SEED_7 } from '../../support/seed-7';
import { waitFor } from '../../support/worker-process';

// The overlap as it is on by default (numberingOverlap omitted): the accounts the upgrade script numbers join the sync
// as each of its chunks returns, and the run continues as new in the middle of numbering. Dataverse takes 20 ms of
// server time per numbering write, 20 accounts per batch and one batch at a time, so numbering the seed's 379 active
// accounts without a number takes several seconds beyond its 3 s opening chunk.
//
// Literals for generateAccounts({ count: 2000, seed: 7 }) (seed-7.ts: the clean run's customers and failures):
// 1,896 active accounts, 379 of them without a number; no account has an ACC number, so numbering starts at 1.
const ACTIVE = 1896;
const UNNUMBERED_ACTIVE = 379;

/**
 * Three of those 379, each a valid USMF customer in the clean run (US address with a state code, USD, short name and
 * city), with the highest account ids: numbering goes in id order, so it reaches them last.
 */
const TYPED = { accountid: 'fd75141a-72cb-4738-bce5-7af36f6e4b98', accountnumber: 'ACC-900000-TYPED1' } as const; // index 1276
const TWINS = [
  { accountid: 'fcdf27e5-c181-413f-919a-b4586807db97', accountnumber: 'ACC-900001-TWINS1' }, // index 1503
  { accountid: 'fbb9e307-5a40-4e45-9aca-49aa2552a5b4', accountnumber: 'acc-900001-twins1' }, // index 551, the same key
] as const;

const SLOW_NUMBERING = {
  emulators: { generate: SEED_7, dataverse: { serverTime: { readMs: 0, writeMs: 20, jitterMs: 0 } } },
  config: { limits: { numberingBatchSize: 20, numberingConcurrency: 1 } },
};

function sampler(read: () => Promise<SyncProgress>) {
  const samples: SyncProgress[] = [];
  let finished = false;
  const running = (async () => {
    while (!finished) {
      const sample = await read().catch(() => undefined);
      if (sample) samples.push(sample);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  return {
    samples,
    stop: async () => {
      finished = true;
      await running;
    },
  };
}

const show = (samples: SyncProgress[]) => JSON.stringify(samples.map((p) => [p.continuedAsNew, p.numbering?.assigned, p.numbering?.done, p.numbering?.joined, p.totals.read]));

describe('numbering overlap on by default, continuing as new in the middle of numbering', () => {
  let harness: PipelineHarness;
  beforeAll(async () => {
    harness = await PipelineHarness.start(SLOW_NUMBERING);
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('syncs each valid account once, joins numbered accounts before numbering ends, and syncs numbers typed in the generated form during the run', async () => {
    const handle = await harness.startSync({ unitSize: 100, maxConcurrentUnits: 2, numberingChunkSeconds: 1, continueAsNewAfterEvents: 100, maxFailuresInResult: 10_000 });
    const progress = sampler(() => handle.query(progressQuery));

    // Numbers typed by hand in the generated form once numbering has started (its first sequence is set), above
    // anything it hands out: one unique, two sharing a number (letter case aside).
    await waitFor(() => progress.samples.some((p) => (p.numbering?.assigned ?? 0) > 0), 'the first numbering chunk', 90_000);
    for (const { accountid, accountnumber } of [TYPED, ...TWINS]) await harness.deps.dataverse.update('accounts', accountid, { accountnumber }, {});

    const report: SyncReport = await handle.result();
    await progress.stop();
    expect(report.status).toBe('completed');
    const samples = progress.samples;

    // Continued as new while numbering was still under way, and numbered accounts were synced before it ended.
    expect(report.continuedAsNew).toBeGreaterThan(0);
    expect(samples.some((p) => p.continuedAsNew > 0 && p.numbering !== undefined && !p.numbering.done), show(samples)).toBe(true);
    expect(samples.some((p) => p.numbering !== undefined && !p.numbering.done && (p.numbering.joined ?? 0) > 0), show(samples)).toBe(true);

    // Numbered once each, and the typed numbers left alone: 376 numbers plus the test's three updates.
    expect(report.accountNumbers.assigned).toBe(UNNUMBERED_ACTIVE - 3);
    expect(harness.emulators.dataverse.admin.counters.snapshot().writes).toBe(UNNUMBERED_ACTIVE);
    const accounts = await readAllAccounts(harness.deps.dataverse);
    const after = new Map(accounts.map((a) => [a.accountid, a.accountnumber]));
    for (const { accountid, accountnumber } of [TYPED, ...TWINS]) expect(after.get(accountid)).toBe(accountnumber);
    expect(accounts.filter((a) => a.statecode === 0 && a.accountnumber === null)).toEqual([]);

    // Every active account read once, across passes and executions.
    expect(report.totals.read).toBe(ACTIVE);
    // The clean run's outcome, but for the three typed accounts: the twins are reported as duplicates (two more), and
    // are no customers (USMF two fewer); the unique one is a customer under its typed number.
    expect(countByCodeAndField(report.failures.shown)).toEqual({ ...FAILURES_BY_CODE_AND_FIELD, 'DUPLICATE_ACCOUNT_NUMBER accountnumber': 34 });
    expect(
      report.failures.shown
        .filter((f) => f.code === 'DUPLICATE_ACCOUNT_NUMBER' && TWINS.some((twin) => twin.accountid === f.accountId))
        .map((f) => f.accountId)
        .sort(),
    ).toEqual(TWINS.map((twin) => twin.accountid).sort());
    expect(harness.emulators.fno.store.countIn('usmf')).toBe(CUSTOMERS_PER_COMPANY.usmf - 2);
    expect(harness.emulators.fno.store.countIn('demf')).toBe(CUSTOMERS_PER_COMPANY.demf);
    expect(harness.emulators.fno.admin.counters.snapshot().writes).toBe(CUSTOMERS_PER_COMPANY.usmf - 2 + CUSTOMERS_PER_COMPANY.demf);
    expect(harness.emulators.fno.store.get('usmf', TYPED.accountnumber)?.row.CustomerAccount).toBe(TYPED.accountnumber);
    expect(harness.emulators.fno.store.get('usmf', 'ACC-900001-TWINS1')).toBeUndefined();
  }, 300_000);
});

describe('numbering overlap with the worker killed after a chunk, its units in flight', () => {
  let harness: PipelineHarness;
  beforeAll(async () => {
    harness = await PipelineHarness.start({ ...SLOW_NUMBERING, inProcessWorker: false });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('finishes on a new worker with each account numbered once and each valid account synced once', async () => {
    let worker = harness.startWorkerProcess();
    const handle = await harness.startSync({ unitSize: 100, maxConcurrentUnits: 2, numberingChunkSeconds: 1, heartbeatTimeoutSeconds: 5, maxFailuresInResult: 10_000 });
    // The first chunk returned and the units of its numbers started; numbering goes on.
    await waitFor(
      async () => {
        const p = await handle.query(progressQuery);
        return p.numbering !== undefined && !p.numbering.done && (p.numbering.joined ?? 0) > 0;
      },
      'units of numbered accounts to start while numbering goes on',
      120_000,
    );
    await worker.kill('SIGKILL');
    worker = harness.startWorkerProcess();
    const report = await handle.result();
    expect(report.status).toBe('completed');

    expect(report.accountNumbers.assigned).toBe(UNNUMBERED_ACTIVE);
    expect(harness.emulators.dataverse.admin.counters.snapshot().writes).toBe(UNNUMBERED_ACTIVE);
    expect(report.totals.read).toBe(ACTIVE);
    expect(countByCodeAndField(report.failures.shown)).toEqual(FAILURES_BY_CODE_AND_FIELD);
    expect(harness.emulators.fno.store.countIn('usmf')).toBe(CUSTOMERS_PER_COMPANY.usmf);
    expect(harness.emulators.fno.store.countIn('demf')).toBe(CUSTOMERS_PER_COMPANY.demf);
    // Each customer written by one create: a unit retried after the kill finds its customers and writes nothing again.
    expect(harness.emulators.fno.admin.counters.snapshot().writes).toBe(CUSTOMERS_PER_COMPANY.usmf + CUSTOMERS_PER_COMPANY.demf);
  }, 300_000);
});
