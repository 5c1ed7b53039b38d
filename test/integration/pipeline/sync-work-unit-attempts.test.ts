import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToEmulators } from '../../../src/dev/connect-to-emulators';
import type { CompanyScope, SyncWorkUnitResult } from '../../../src/activities/contracts';
import type { ConnectedDependencies } from '../../../src/activities/dependencies';
import { createPlanWorkUnits } from '../../../src/activities/plan-work-units';
import { createPreflight } from '../../../src/activities/preflight';
import { createSyncWorkUnit } from '../../../src/activities/sync-work-unit';
import type { FnoClient } from '../../../src/connectors/fno-client';
import type { WorkUnit } from '../../../src/domain/work-unit';
import { startEmulators, type RunningEmulators } from '@p2c-sync/emulators';
import { readAllCustomers } from '../../support/expected-state';

// One work unit's attempts, driven the way Temporal drives them: a retry gets the last heartbeat of the attempt
// before it. What F&O holds is exactly-once either way; these tests are about what the unit reports.
describe('syncWorkUnit across attempts', () => {
  let emulators: RunningEmulators;
  let deps: ConnectedDependencies;
  let companies: CompanyScope[];
  let unit: WorkUnit;

  beforeAll(async () => {
    emulators = await startEmulators({ generate: { count: 400, seed: 23 } });
    // Small batches: a unit's creates go out in many `$batch` requests, several at once.
    ({ deps } = connectToEmulators(emulators, { limits: { fnoWriteBatchSize: 10, fnoConcurrency: 4 } }));
    ({ companies, unit } = await wholeRunAsOneUnit(deps));
  }, 60_000);

  afterAll(async () => {
    await deps?.close();
    await emulators?.close();
  });

  const customersInFno = async () => (await readAllCustomers(deps.fno, companies.map((c) => c.dataAreaId))).size;
  const fnoWrites = () => emulators.fno.admin.counters.snapshot().writes;

  /** Runs one attempt; `heartbeats` receives every heartbeat's details, the last being what a crash leaves. */
  async function attempt(
    options: { attempt?: number; heartbeatDetails?: unknown; fno?: FnoClient },
    heartbeats: unknown[] = [],
  ): Promise<SyncWorkUnitResult> {
    // The attempt meant to fail would log its failure as a warning.
    const env = new MockActivityEnvironment(
      { attempt: options.attempt ?? 1, heartbeatDetails: options.heartbeatDetails },
      { logger: new DefaultLogger('ERROR') },
    );
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const sync = createSyncWorkUnit({ ...deps, fno: options.fno ?? deps.fno });
    return await inActivity(() => sync({ unit, companies, dryRun: false }), env);
  }

  it('counts the creates of an attempt whose answers were lost as created on the retry (B5)', async () => {
    const customersBefore = await customersInFno();
    expect(customersBefore).toBe(0);

    // The first `$batch` commits in F&O but its answer never arrives: the worker died (here: the call throws
    // something that is not a connector error, which ends the attempt). The other batches go out and land.
    let calls = 0;
    const dying = new Proxy(deps.fno, {
      get(target, property, receiver) {
        if (property !== 'writeCustomers') {
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        }
        return async (...args: Parameters<FnoClient['writeCustomers']>) => {
          calls += 1;
          const call = calls;
          const results = await target.writeCustomers(...args);
          if (call === 1) throw new Error('worker killed after F&O committed the batch');
          return results;
        };
      },
    });
    const heartbeats: unknown[] = [];
    await expect(attempt({ fno: dying }, heartbeats)).rejects.toThrow(/worker killed/);
    // The other batches of the round were already on their way: a unit's chunks go out together (B4).
    expect(calls).toBeGreaterThan(2);
    // What the crash leaves: the keys whose create was sent, each once — bounded by the unit's accounts.
    const left = heartbeats.at(-1) as { created: Record<string, string[]> };
    const keys = Object.entries(left.created).flatMap(([company, list]) => list.map((key) => `${company}|${key}`));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeLessThanOrEqual(400);
    const createdFirst = await customersInFno();
    expect(createdFirst).toBeGreaterThan(50);
    expect(keys.length).toBeGreaterThanOrEqual(createdFirst);
    expect(fnoWrites()).toBe(createdFirst);

    // The retry finds those customers in place: the first attempt reached both companies (they go side by side, and
    // the attempt failed only once every write of both had settled), so it creates none, and reports every customer
    // in F&O as created by this unit, once.
    const retried = await attempt({ attempt: 2, heartbeatDetails: heartbeats.at(-1) });
    const created = await customersInFno();
    expect(created).toBe(createdFirst);
    expect(fnoWrites()).toBe(created);
    expect(retried.totals.created).toBe(created);
    expect(retried.totals.unchanged).toBe(0);
    const byCompany = Object.values(retried.companies);
    expect(byCompany.reduce((sum, c) => sum + c.created, 0)).toBe(created);

    // A later run of the same unit (a new activity, no earlier heartbeat) created nothing: all unchanged.
    const later = await attempt({});
    expect(later.totals).toMatchObject({ created: 0, updated: 0, unchanged: created });
  });

  it('counts a create committed before its answer was lost as created within one attempt', async () => {
    const fresh = await startEmulators({ generate: { count: 120, seed: 29 } });
    const connected = connectToEmulators(fresh, { limits: { fnoWriteBatchSize: 10, fnoConcurrency: 4 } });
    try {
      const { companies: scopes, unit: whole } = await wholeRunAsOneUnit(connected.deps);
      // Every other write is committed and then answered by a dropped connection: the ambiguous outcome.
      fresh.fno.admin.faults.configure({ commitThenTimeoutRate: 0.5, commitThenTimeoutMode: 'reset', seed: 3 });
      const sync = createSyncWorkUnit(connected.deps);
      const result = await inActivity(() => sync({ unit: whole, companies: scopes, dryRun: false }));
      expect(fresh.fno.admin.faults.status().injected.commitThenTimeouts).toBeGreaterThan(0);
      const customers = (await readAllCustomers(connected.deps.fno, scopes.map((c) => c.dataAreaId))).size;
      expect(customers).toBeGreaterThan(30);
      expect(fresh.fno.admin.counters.snapshot().writes).toBe(customers);
      expect(result.totals).toMatchObject({ created: customers, updated: 0, unchanged: 0 });
    } finally {
      await connected.deps.close();
      await fresh.close();
    }
  });
});

async function inActivity<R>(fn: () => Promise<R>, env = new MockActivityEnvironment()): Promise<R> {
  // `run` cannot infer the result type from a function argument.
  return (await env.run(fn)) as R;
}

/** The companies preflight checked and the run's accounts as one unit, as the workflow would get them. */
async function wholeRunAsOneUnit(deps: ConnectedDependencies): Promise<{ companies: CompanyScope[]; unit: WorkUnit }> {
  const preflight = createPreflight(deps);
  const planWorkUnits = createPlanWorkUnits(deps);
  const { companies } = await inActivity(() => preflight({}));
  const planned = await inActivity(() => planWorkUnits({ cursor: null, unitSize: 5000, maxUnits: 1, pageSize: 5000 }));
  expect(planned.done).toBe(true);
  expect(planned.units).toHaveLength(1);
  return { companies, unit: planned.units[0] as WorkUnit };
}
