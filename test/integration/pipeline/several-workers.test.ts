import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessUnitIds, currencyIdOf } from '@p2c-sync/emulators';
import type { AccountInput } from '@p2c-sync/emulators';
import { progressQuery } from '../../../src/workflows';
import { readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';
import { waitFor, type WorkerProcess } from '../../support/worker-process';

const ACCOUNTS = 20_000;
const UNNUMBERED = 1_000;
/** The deployment's limits (sync configuration) and the emulators' ceilings for the one application user. */
const LIMIT = 6;
const WORKERS = 3;

/** Clean accounts, half per company, so that the end state is exactly ACCOUNTS customers; some need a number first. */
function cleanAccounts(): AccountInput[] {
  return Array.from({ length: ACCOUNTS }, (_, index) => {
    const us = index % 2 === 0;
    return {
      name: `Several Workers Customer ${index}`,
      accountnumber: index < UNNUMBERED ? null : `SW-${String(index).padStart(6, '0')}`,
      address1_line1: `${index} Main Street`,
      address1_city: us ? 'Seattle' : 'Berlin',
      address1_postalcode: us ? '98052' : '10115',
      address1_country: us ? 'US' : 'DE',
      _transactioncurrencyid_value: currencyIdOf(us ? 'USD' : 'EUR'),
      _owningbusinessunit_value: us ? businessUnitIds.usmf : businessUnitIds.demf,
      statecode: 0,
    };
  });
}

/**
 * Three `p2c worker` processes on one task queue, one application user: the work spreads over them, one is
 * SIGKILLed mid-run and the other two finish, every account ends up a customer exactly once, and the requests the
 * emulators see from all three together never exceed the limits the deployment declared (each worker takes a third).
 */
describe('three workers on one task queue during a 20,000-account sync', () => {
  let harness: PipelineHarness;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    harness = await PipelineHarness.start({
      inProcessWorker: false,
      emulators: {
        // Latency keeps requests in flight long enough to overlap; the ceilings answer 429 above LIMIT.
        dataverse: { limits: { maxConcurrent: LIMIT }, faults: { latencyMs: 40 } },
        fno: { limits: { maxConcurrentRequests: LIMIT }, faults: { latencyMs: 60 } },
      },
      config: { limits: { dataverseConcurrency: LIMIT, fnoConcurrency: LIMIT, fnoWriteBatchSize: 50 } },
    });
    expect(harness.emulators.dataverse.store.insertAccounts(cleanAccounts())).toBe(ACCOUNTS);
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('spreads the work, survives losing one worker, syncs each account once and stays within the shared limits', async () => {
    for (let index = 0; index < WORKERS; index += 1) workers.push(harness.startWorkerProcess({ P2C_WORKER_COUNT: String(WORKERS) }));
    for (const worker of workers) {
      await waitFor(() => worker.messageCount('connected to Temporal') > 0, `a worker to connect\n${worker.log}`, 60_000);
      // Each worker declared its share: floor(6 / 3) = 2 requests per service.
      expect(worker.log).toContain('"dataverseConcurrency":2');
    }
    harness.emulators.dataverse.admin.counters.reset();
    harness.emulators.fno.admin.counters.reset();

    const handle = await harness.startSync({ batchSize: 250, maxConcurrentBatches: 9, heartbeatTimeoutSeconds: 5, maxFailuresInResult: 100 });
    const completed = (worker: WorkerProcess) => worker.messageCount('activity completed');
    await waitFor(() => workers.every((worker) => completed(worker) > 0), 'every worker to complete an activity', 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}: activities completed per worker ${workers.map(completed).join('/')}`);
    });
    const progress = await handle.query(progressQuery);
    expect(progress.planningDone && progress.unitsQueued === 0 && progress.unitsInFlight === 0, 'the run ended before the kill').toBe(false);
    const [killed] = workers;
    await killed?.kill('SIGKILL');
    const completedByKilled = killed ? completed(killed) : 0;

    const report = await handle.result();
    expect(report.status).toBe('completed');
    expect(report.failures.total).toBe(0);
    expect(report.totals.read).toBe(ACCOUNTS);
    // Customers the killed worker had written before it died are found by the retry and left alone (unchanged).
    expect(report.totals.created + report.totals.unchanged).toBe(ACCOUNTS);
    expect(report.totals.updated).toBe(0);
    expect(report.accountNumbers.assigned).toBe(UNNUMBERED);

    // The work was spread: every worker completed activities; the two survivors finished the run.
    const counts = workers.map(completed);
    expect(completedByKilled).toBeGreaterThan(0);
    for (const count of counts) expect(count).toBeGreaterThan(0);

    // Exactly once: 20,000 customers, each written by one create; each missing number written once.
    const customers = await readAllCustomers(harness.deps.fno, ['usmf', 'demf']);
    expect(customers.size).toBe(ACCOUNTS);
    const fno = harness.emulators.fno.admin.counters.snapshot();
    const dataverse = harness.emulators.dataverse.admin.counters.snapshot();
    expect(fno.writes).toBe(ACCOUNTS);
    expect(dataverse.writes).toBe(UNNUMBERED);

    // Within the limits the three share: never more than LIMIT requests at once on either service, no 429 …
    expect(dataverse.peakInFlight).toBeLessThanOrEqual(LIMIT);
    expect(fno.peakInFlight).toBeLessThanOrEqual(LIMIT);
    expect(dataverse.throttled).toBe(0);
    expect(fno.throttled).toBe(0);
    // … and the limits were shared, not merely unreached: more than one worker's share was in flight at once.
    expect(fno.peakInFlight).toBeGreaterThan(LIMIT / WORKERS);
  }, 150_000);
});
