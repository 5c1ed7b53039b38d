import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { startEmulators } from '@p2c-sync/emulators';
import type { CompanyScope, SyncWorkUnitResult } from '../../../src/activities/contracts';
import { createPlanWorkUnits } from '../../../src/activities/plan-work-units';
import { createPreflight } from '../../../src/activities/preflight';
import { createSyncWorkUnit } from '../../../src/activities/sync-work-unit';
import { connectToEmulators } from '../../../src/dev/connect-to-emulators';
import type { WorkUnit } from '../../../src/domain/work-unit';
import { readAllCustomers } from '../../support/expected-state';

// One work unit over the emulators' two companies, over real HTTP, each F&O request taking 40 ms of server time per
// operation and every company's writes fitting one `$batch`: one company after another, F&O would never see two of
// the unit's requests at once. The companies go side by side; what the unit reports is listed company by company.
// Asserted on what the emulator counted at once and what F&O holds afterwards, not on the wall time.

describe("a unit's companies are reconciled side by side", () => {
  it('reads and writes both companies at once, creates every customer once, and lists failures in company order', async () => {
    const slow = { readMs: 40, writeMs: 40, jitterMs: 0 };
    const emulators = await startEmulators({ generate: { count: 80, seed: 29 }, fno: { serverTime: slow } });
    const { deps } = connectToEmulators(emulators, { limits: { fnoWriteBatchSize: 1000, fnoConcurrency: 8 } });
    try {
      const run = async <R>(fn: () => Promise<R>) => (await new MockActivityEnvironment().run(fn)) as R;
      const { companies } = await run(() => createPreflight(deps)({}));
      expect(companies.map((company: CompanyScope) => company.dataAreaId)).toEqual(['usmf', 'demf']);
      const planned = await run(() => createPlanWorkUnits(deps)({ cursor: null, unitSize: 5000, maxUnits: 1, pageSize: 5000 }));
      const unit = planned.units[0] as WorkUnit;

      emulators.fno.admin.counters.reset();
      const result: SyncWorkUnitResult = await run(() => createSyncWorkUnit(deps)({ unit, companies, dryRun: false }));
      const counted = emulators.fno.admin.counters.snapshot();

      // One `$batch` and one range read per company: only side by side are two of them in flight at once.
      expect(counted.peakInFlight).toBeGreaterThanOrEqual(2);
      expect(result.companies.usmf?.created).toBeGreaterThan(0);
      expect(result.companies.demf?.created).toBeGreaterThan(0);
      const held = await readAllCustomers(deps.fno, ['usmf', 'demf']);
      expect(held.size).toBe(result.totals.created);
      expect(counted.writes).toBe(result.totals.created);

      // Failures: the unit's own (no company) first, then usmf's, then demf's — never interleaved.
      const order = result.failures.map((failure) => ['', 'usmf', 'demf'].indexOf(failure.company ?? ''));
      expect(order.some((index) => index === 1) && order.some((index) => index === 2)).toBe(true);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    } finally {
      await deps.close();
      await emulators.close();
    }
  }, 60_000);
});
