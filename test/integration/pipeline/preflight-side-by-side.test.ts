import { describe, expect, it } from 'vitest';
import { checkConfiguration } from '../../../src/activities/preflight';
import { connectToEmulators } from '../../../src/dev/connect-to-emulators';
import { startEmulators } from '@p2c-sync/emulators';

// The online configuration check (preflight, `p2c config validate --online`) against the emulators over real HTTP,
// each read taking 40 ms of server time: its reads are independent, so they go side by side — the F&O metadata beside
// the Dataverse checks, every company's reference sets at once — instead of one after another. Asserted on what the
// emulators counted at once, not on the wall time.

describe('the configuration check reads side by side', () => {
  it('sends the reference-set reads of both companies at once, and lists what it finds as before', async () => {
    const slowReads = { readMs: 40, writeMs: 0, jitterMs: 0 };
    const emulators = await startEmulators({ generate: { count: 10, seed: 3 }, dataverse: { serverTime: slowReads }, fno: { serverTime: slowReads } });
    const { deps } = connectToEmulators(emulators);
    try {
      emulators.fno.admin.counters.reset();
      const check = await checkConfiguration(deps, undefined);
      expect(check.problems).toEqual([]);
      expect(check.companies.map((company) => company.dataAreaId)).toEqual(['usmf', 'demf']);
      const fno = emulators.fno.admin.counters.snapshot();
      // One at a time, the F&O reads would never overlap: the reference sets of one company alone are several reads.
      expect(fno.peakInFlight).toBeGreaterThanOrEqual(4);
    } finally {
      await deps.close();
      await emulators.close();
    }
  }, 60_000);
});
