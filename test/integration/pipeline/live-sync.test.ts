import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountNumberKey, parseAccountNumberSequence } from '../../../src/domain/account-number';
import { pauseSignal, progressQuery } from '../../../src/workflows';
import { liveProgressQuery, liveSync, liveWorkflowId, stopSignal } from '../../../src/workflows/live-sync';
import type { LiveInput } from '../../../src/workflows/live-input';
import type { LiveProgress } from '../../../src/workflows/live-state';
import { p2c, temporalArgs } from '../cli/cli-runner';
import { readAllAccounts, readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';
import { uniqueName } from '../../support/temporal';
import { waitFor, type WorkerProcess } from '../../support/worker-process';

// Live mode on real parts: worker processes (so one can be SIGKILLed), the dev server, the emulators over HTTP.
// Every edit is made through the Dataverse Web API, as Sales makes it, and F&O is read back through its OData API.

const COMPANIES = ['usmf', 'demf'];

describe('live sync follows the change feed', () => {
  let harness: PipelineHarness;
  let worker: WorkerProcess;
  let args: string[];
  /** Active accounts whose customer exists after the catch-up: id, number and the customer's key. */
  let synced: { accountid: string; accountnumber: string; key: string }[] = [];

  beforeAll(async () => {
    harness = await PipelineHarness.start({
      inProcessWorker: false,
      emulators: { generate: { count: 300, seed: 23 }, fno: { faults: { latencyMs: 40 } } },
      // Small F&O batches: a SIGKILL right after the first one commits lands in the middle of an activity.
      config: { limits: { fnoWriteBatchSize: 2 } },
    });
    worker = harness.startWorkerProcess();
    args = temporalArgs(harness.taskQueue);
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  const fnoWrites = () => harness.emulators.fno.admin.counters.snapshot().writes;

  async function startLive(input: LiveInput): Promise<WorkflowHandle<typeof liveSync>> {
    return await harness.env.client.workflow.start(liveSync, {
      taskQueue: harness.taskQueue,
      workflowId: liveWorkflowId(input.pipeline ?? 'default'),
      args: [input],
    });
  }

  async function progressOf(handle: WorkflowHandle<typeof liveSync>): Promise<LiveProgress | undefined> {
    return await handle.query(liveProgressQuery).catch(() => undefined);
  }

  async function caughtUp(handle: WorkflowHandle<typeof liveSync>): Promise<LiveProgress> {
    await waitFor(async () => (await progressOf(handle))?.catchUp.done === true, 'the live workflow to finish its catch-up pass', 120_000);
    return (await progressOf(handle)) as LiveProgress;
  }

  /** The customer (in whichever company holds it) of an Account Number, read from F&O. */
  async function customerOf(accountNumber: string): Promise<Record<string, unknown> | undefined> {
    const customers = await readAllCustomers(harness.deps.fno, COMPANIES);
    for (const company of COMPANIES) {
      const found = customers.get(`${company}|${accountNumberKey(accountNumber)}`);
      if (found) return found;
    }
    return undefined;
  }

  async function edit(accountid: string, phone: string): Promise<void> {
    await harness.deps.dataverse.update('accounts', accountid, { telephone1: phone });
  }

  it('catches up, then carries an edit to F&O within the poll interval, written once', async () => {
    const pipeline = uniqueName('live');
    const handle = await startLive({ pipeline, pollSeconds: 2 });
    const progress = await caughtUp(handle);
    expect(progress.totals.created).toBeGreaterThan(100);

    const customers = await readAllCustomers(harness.deps.fno, COMPANIES);
    const accounts = await readAllAccounts(harness.deps.dataverse);
    synced = accounts
      .filter((a) => a.statecode === 0 && a.accountnumber)
      .map((a) => ({ accountid: a.accountid, accountnumber: a.accountnumber as string, key: accountNumberKey(a.accountnumber as string) }))
      .filter((a) => COMPANIES.some((company) => customers.has(`${company}|${a.key}`)));
    expect(synced.length).toBeGreaterThan(100);

    // Idle: polls go on, nothing is written.
    const writesBefore = fnoWrites();
    const pollsBefore = progress.counts.polls;
    await waitFor(async () => ((await progressOf(handle))?.counts.polls ?? 0) >= pollsBefore + 2, 'two idle polls');
    expect(fnoWrites()).toBe(writesBefore);

    const target = synced[0] as (typeof synced)[number];
    await edit(target.accountid, '+1 555 0100 001');
    const committed = Date.now();
    await waitFor(async () => (await customerOf(target.accountnumber))?.PrimaryContactPhone === '+1 555 0100 001', 'the edit to reach F&O', 30_000);
    const seconds = (Date.now() - committed) / 1000;
    // One poll interval, plus the poll's own work and this test's read-back on a loaded machine.
    expect(seconds).toBeLessThan(2 + 6);
    expect(fnoWrites()).toBe(writesBefore + 1);

    const after = (await progressOf(handle)) as LiveProgress;
    expect(after.lastChangeAt).toBeDefined();
    expect(after.lastChanges).toEqual({ changed: 1, deactivated: 0, deleted: 0, unnumbered: 0 });
    expect(after.totals.updated).toBe(progress.totals.updated + 1);
    expect(after.health).toBe('ok');

    // p2c live status names last poll, last change and lag; stop releases the pipeline and completes.
    const status = await p2c([...args, 'live', 'status', pipeline]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Last poll:\s+\d{4}-\d\d-\d\dT/);
    expect(status.stdout).toMatch(/Last change:\s+\d{4}-.*1 changed, 0 deactivated, 0 deleted/);
    expect(status.stdout).toMatch(/Lag:\s+\d+ s/);
    const stopped = await p2c([...args, 'live', 'stop', pipeline]);
    expect(stopped.code, stopped.stderr).toBe(0);
    const report = await handle.result();
    expect(report.status).toBe('stopped');
    expect(report.totals.updated).toBe(after.totals.updated);
    // Released: a full run of the pipeline may run now.
    const full = await harness.sync({ pipeline, mode: 'full' });
    expect(full.status).toBe('completed');
    expect(full.totals.created + full.totals.updated).toBe(0);
  }, 240_000);

  it('survives a worker SIGKILL and continue-as-new without losing or repeating a change', async () => {
    const pipeline = uniqueName('live-crash');
    const handle = await startLive({ pipeline, pollSeconds: 1, heartbeatTimeoutSeconds: 5, continueAsNewAfterEvents: 100, unitSize: 10 });
    const start = await caughtUp(handle);
    const writesBefore = fnoWrites();

    // Wave 1: 30 edits at once; the worker dies right after F&O committed the first of them.
    const wave1 = synced.slice(1, 31);
    for (const [index, account] of wave1.entries()) await edit(account.accountid, `+1 555 0201 ${String(index).padStart(3, '0')}`);
    await waitFor(() => fnoWrites() > writesBefore, 'the first write of wave 1 to reach F&O', 30_000);
    await worker.kill('SIGKILL');
    expect(fnoWrites() - writesBefore).toBeLessThan(wave1.length);
    // Edits keep coming while no worker runs.
    const wave2 = synced.slice(31, 41);
    for (const [index, account] of wave2.entries()) await edit(account.accountid, `+1 555 0202 ${String(index).padStart(3, '0')}`);
    worker = harness.startWorkerProcess();

    // Wave 3, after the workflow has continued as new at least once.
    await waitFor(async () => ((await progressOf(handle))?.continuedAsNew ?? 0) > start.continuedAsNew, 'a continue-as-new', 120_000);
    const wave3 = synced.slice(41, 51);
    for (const [index, account] of wave3.entries()) await edit(account.accountid, `+1 555 0203 ${String(index).padStart(3, '0')}`);

    const expected = new Map<string, string>([
      ...wave1.map((a, i): [string, string] => [a.accountnumber, `+1 555 0201 ${String(i).padStart(3, '0')}`]),
      ...wave2.map((a, i): [string, string] => [a.accountnumber, `+1 555 0202 ${String(i).padStart(3, '0')}`]),
      ...wave3.map((a, i): [string, string] => [a.accountnumber, `+1 555 0203 ${String(i).padStart(3, '0')}`]),
    ]);
    const allThere = async () => {
      const customers = await readAllCustomers(harness.deps.fno, COMPANIES);
      for (const [number, phone] of expected) {
        const customer = COMPANIES.map((c) => customers.get(`${c}|${accountNumberKey(number)}`)).find(Boolean);
        if (customer?.PrimaryContactPhone !== phone) return false;
      }
      return true;
    };
    await waitFor(allThere, 'every edit of the three waves to be in F&O', 120_000);
    // Nothing lost (all there), nothing repeated: exactly one F&O write per edited account, and no more after more polls.
    expect(fnoWrites() - writesBefore).toBe(expected.size);
    const polls = (await progressOf(handle))?.counts.polls ?? 0;
    await waitFor(async () => ((await progressOf(handle))?.counts.polls ?? 0) >= polls + 3, 'three more polls');
    expect(fnoWrites() - writesBefore).toBe(expected.size);

    // The lock went along with the continuation: a full run is refused, naming the live workflow's current run.
    const progress = (await progressOf(handle)) as LiveProgress;
    expect(progress.continuedAsNew).toBeGreaterThan(0);
    const current = await handle.describe();
    const refused = await harness.sync({ pipeline, mode: 'full' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowFailedError);
    const cause = (refused as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('PipelineBusy');
    expect(cause.message).toContain(`workflow ${liveWorkflowId(pipeline)}, run ${current.runId}`);
    expect(cause.message).toContain(`p2c live stop ${pipeline}`);

    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
  }, 360_000);

  it('refuses to run beside a full run of its pipeline, in both directions', async () => {
    // A full run holds the pipeline: live start is refused by the CLI and, started directly, by the lock.
    const pipeline = uniqueName('live-lock');
    const full = await harness.startSync({ pipeline, unitSize: 10, maxConcurrentUnits: 1, mode: 'full' });
    await waitFor(async () => (await full.query(progressQuery).catch(() => undefined))?.phase === 'syncing', 'the full run to hold its lock and sync', 60_000);
    await full.signal(pauseSignal);
    const cli = await p2c([...args, 'live', 'start', '--pipeline', pipeline]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`pipeline '${pipeline}' has a sync run in progress: workflow ${full.workflowId}, run ${full.firstExecutionRunId}`);
    const direct = await startLive({ pipeline, pollSeconds: 1 });
    const error = await direct.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('PipelineBusy');
    expect(cause.message).toContain(`workflow ${full.workflowId}, run ${full.firstExecutionRunId}`);
    await full.cancel();
    await full.result().catch(() => undefined);

    // Live holds the pipeline: a full run is refused by the CLI and, started directly, by the lock.
    const started = await p2c([...args, 'live', 'start', '--pipeline', pipeline, '--poll-seconds', '1']);
    expect(started.code, started.stderr).toBe(0);
    const live = harness.env.client.workflow.getHandle<typeof liveSync>(liveWorkflowId(pipeline));
    await caughtUp(live);
    const again = await p2c([...args, 'live', 'start', '--pipeline', pipeline]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`pipeline '${pipeline}' already runs live: workflow ${liveWorkflowId(pipeline)}`);
    const syncCli = await p2c([...args, 'sync', 'start', '--pipeline', pipeline, '--mode', 'full']);
    expect(syncCli.code).toBe(1);
    expect(syncCli.stderr).toContain(`pipeline '${pipeline}' runs live: workflow ${liveWorkflowId(pipeline)}`);
    const refused = await harness.sync({ pipeline, mode: 'full' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowFailedError);
    expect(((refused as WorkflowFailedError).cause as ApplicationFailure).type).toBe('PipelineBusy');
    await live.signal(stopSignal);
    expect((await live.result()).status).toBe('stopped');

    // Terminated by hand, no code of it runs: its lock is found left over by the next run, which takes it.
    const again2 = await startLive({ pipeline, pollSeconds: 1 });
    await caughtUp(again2);
    await again2.terminate('test: an operator terminates the live workflow');
    const after = await harness.sync({ pipeline, mode: 'full' });
    expect(after.status).toBe('completed');
  }, 240_000);
});

describe('live sync under deactivation: block, with accounts created in Sales', () => {
  let harness: PipelineHarness;

  beforeAll(async () => {
    harness = await PipelineHarness.start({ emulators: { generate: { count: 120, seed: 29 } }, config: { deactivation: 'block' } });
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  const fnoWrites = () => harness.emulators.fno.admin.counters.snapshot().writes;

  it('blocks a deactivated account within the poll interval, unblocks it when active again, and numbers and syncs a new account', async () => {
    const pipeline = uniqueName('live-holds');
    const handle = await harness.env.client.workflow.start(liveSync, {
      taskQueue: harness.taskQueue,
      workflowId: liveWorkflowId(pipeline),
      args: [{ pipeline, pollSeconds: 1 }],
    });
    await waitFor(async () => (await handle.query(liveProgressQuery).catch(() => undefined))?.catchUp.done === true, 'the catch-up pass', 120_000);
    const customers = await readAllCustomers(harness.deps.fno, COMPANIES);
    const accounts = await readAllAccounts(harness.deps.dataverse);
    const [company, key, account] = (() => {
      for (const a of accounts) {
        if (a.statecode !== 0 || !a.accountnumber) continue;
        for (const c of COMPANIES) if (customers.has(`${c}|${accountNumberKey(a.accountnumber)}`)) return [c, accountNumberKey(a.accountnumber), a] as const;
      }
      throw new Error('no synced account');
    })();
    const holdOf = async () => {
      for await (const rows of harness.deps.fno.queryCustomers({ dataAreaId: company, select: ['CustomerAccount', 'OnHoldStatus'] })) {
        const row = (rows as { CustomerAccount: string; OnHoldStatus?: string }[]).find((r) => accountNumberKey(r.CustomerAccount) === key);
        if (row) return row.OnHoldStatus;
      }
      return undefined;
    };
    expect(await holdOf()).toBe('No');

    const writes = fnoWrites();
    await harness.deps.dataverse.update('accounts', account.accountid, { statecode: 1 });
    await waitFor(async () => (await holdOf()) === 'All', 'the customer of the deactivated account to be put on hold', 20_000);
    expect(fnoWrites()).toBe(writes + 1);
    await harness.deps.dataverse.update('accounts', account.accountid, { statecode: 0 });
    await waitFor(async () => (await holdOf()) === 'No', 'the customer to be taken off hold', 20_000);
    // F&O shows the hold lifted as soon as the write commits; the workflow counts it when the activity's result is
    // recorded, a moment later.
    await waitFor(async () => (await handle.query(liveProgressQuery)).counts.unblocked === 1, 'the unblock to be counted', 20_000);
    const progress = await handle.query(liveProgressQuery);
    expect(progress.counts).toMatchObject({ blocked: 1, unblocked: 1 });

    // A new account in Sales, without an Account Number: numbered by the live workflow (the sequence going on from
    // the catch-up's numbering, without scanning every number again), then created in F&O.
    const highest = Math.max(...(await readAllAccounts(harness.deps.dataverse)).map((a) => (a.accountnumber ? (parseAccountNumberSequence(a.accountnumber) ?? 0) : 0)));
    const newId = '7e57ab1e-0000-4000-8000-000000000001';
    // Without a number, as an import writes it (the Web API numbers the accounts it creates, as the P2C solution does).
    harness.emulators.dataverse.store.insertAccounts([
      {
        accountid: newId,
        name: 'Live Mode Test Account',
        statecode: 0,
        address1_country: account.address1_country,
        address1_city: account.address1_city,
        telephone1: '+1 555 0300 001',
        _owningbusinessunit_value: account._owningbusinessunit_value,
        _transactioncurrencyid_value: account._transactioncurrencyid_value,
      },
    ]);
    let numbered: string | undefined;
    await waitFor(async () => {
      const row = (await harness.deps.dataverse.getByKey('accounts', newId, ['accountnumber'])) as { accountnumber?: string | null };
      numbered = row.accountnumber ?? undefined;
      return numbered !== undefined && (await readAllCustomers(harness.deps.fno, COMPANIES)).has(`${company}|${accountNumberKey(numbered)}`);
    }, 'the new account to be numbered and created in F&O', 30_000);
    expect(numbered).toMatch(/^ACC-\d{5,9}-[A-Z0-9]{6}$/);
    expect(parseAccountNumberSequence(numbered as string)).toBe(highest + 1);
    const after = await handle.query(liveProgressQuery);
    expect(after.counts.accountNumbersAssigned).toBeGreaterThanOrEqual(1);
    expect(after.totals.created).toBe(progress.totals.created + 1);

    await handle.signal(stopSignal);
    expect((await handle.result()).counts).toMatchObject({ blocked: 1, unblocked: 1 });
  }, 180_000);
});
