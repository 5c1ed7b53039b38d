import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_PACE_MS, createAssignAccountNumbers, MAX_NUMBERING_SWEEPS, OPENING_CHUNK_MS, OPENING_NUMBERING_BATCH } from '../../../src/activities/assign-account-numbers';
import type { AssignAccountNumbersInput, AssignAccountNumbersResult } from '../../../src/activities/contracts';
import type { ConnectedDependencies } from '../../../src/activities/dependencies';
import { type DataverseClient } from '../../../src/connectors/dataverse-client';
import { ConnectorError } from '../../../src/connectors/errors';
import { parseAccountNumberSequence } from '../../../src/domain/account-number';
import { connectToEmulators } from '../../../src/dev/connect-to-emulators';
import type { AccountRow } from '@p2c-sync/emulators';
import { startEmulators, type RunningEmulators } from '@p2c-sync/emulators';

// The upgrade script against the Dataverse emulator over real HTTP, driven the way Temporal drives an activity: a
// retry gets the heartbeat details of the attempt before it.

const UNNUMBERED = 120;
const NUMBERED = 30;
const elapsedSince = (start: number) => Date.now() - start;
const accountId = (i: number) => `0000000a-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('numbering at the limit (assignAccountNumbers)', () => {
  let emulators: RunningEmulators | undefined;
  let deps: ConnectedDependencies | undefined;
  afterEach(async () => {
    await deps?.close();
    await emulators?.close();
    deps = undefined;
    emulators = undefined;
  });

  async function start(serverTime = { readMs: 0, writeMs: 2, jitterMs: 0 }) {
    emulators = await startEmulators({ dataverse: { serverTime } });
    const accounts = [];
    for (let i = 1; i <= UNNUMBERED + NUMBERED; i++) {
      accounts.push({ accountid: accountId(i), name: `Account ${i}`, statecode: 0, ...(i > UNNUMBERED ? { accountnumber: `ACC-${String(900 + i).padStart(5, '0')}-EXISTS` } : {}) });
    }
    // Inactive and unnumbered: never numbered.
    accounts.push({ accountid: accountId(9999), name: 'Inactive', statecode: 1 });
    emulators.dataverse.store.insertAccounts(accounts);
    ({ deps } = connectToEmulators(emulators, { limits: { dataverseConcurrency: 8 } }));
    return { emulators, deps };
  }

  const writes = () => emulators?.dataverse.admin.counters.snapshot().writes ?? 0;
  const accounts = (): AccountRow[] => emulators?.dataverse.store.listAccounts() ?? [];

  /**
   * A client whose `batch` runs `around` (which calls `send` to forward the batch); its bulk-job view (`asBulkJob`, which
   * numbering sends through) is wrapped the same way, counting calls together.
   */
  function withBatch(client: DataverseClient, around: (send: () => ReturnType<DataverseClient['batch']>, call: number, items: Parameters<DataverseClient['batch']>[0]) => ReturnType<DataverseClient['batch']>): DataverseClient {
    let calls = 0;
    const wrap = (inner: DataverseClient): DataverseClient =>
      new Proxy(inner, {
        get(target, property, receiver) {
          if (property === 'asBulkJob') return () => wrap(target.asBulkJob());
          if (property !== 'batch') {
            const value: unknown = Reflect.get(target, property, receiver);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          }
          return (...args: Parameters<DataverseClient['batch']>) => {
            calls += 1;
            return around(() => target.batch(...args), calls, args[0]);
          };
        },
      });
    return wrap(client);
  }

  async function attempt(
    dataverse: DataverseClient,
    input: Partial<AssignAccountNumbersInput> = {},
    options: { heartbeatDetails?: unknown; heartbeats?: unknown[]; concurrency?: number; batchSize?: number } = {},
  ): Promise<AssignAccountNumbersResult> {
    const env = new MockActivityEnvironment({ attempt: options.heartbeatDetails ? 2 : 1, heartbeatDetails: options.heartbeatDetails }, { logger: new DefaultLogger('ERROR') });
    env.on('heartbeat', (details: unknown) => options.heartbeats?.push(details));
    const assign = createAssignAccountNumbers({ dataverse, random: seeded(7), numbering: { concurrency: options.concurrency ?? 3, batchSize: options.batchSize ?? 10 } });
    return await env.run(assign, { dryRun: false, duplicatePolicy: 'report' as const, ...input });
  }

  function expectEachNumberedOnce(before: AccountRow[]) {
    const after = accounts();
    const numbers = after.map((a) => a.accountnumber).filter((n): n is string => typeof n === 'string');
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const account of before) {
      const now = after.find((a) => a.accountid === account.accountid);
      if (account.accountnumber) expect(now?.accountnumber).toBe(account.accountnumber);
    }
    expect(after.filter((a) => a.statecode === 0 && !a.accountnumber)).toEqual([]);
    expect(after.find((a) => a.accountid === accountId(9999))?.accountnumber ?? null).toBeNull();
  }

  it('keeps the configured number of $batch requests in flight, numbering every account once above the highest ACC number', async () => {
    // 250 ms of server time per batch: far longer than reading the next page, even on a loaded machine.
    const { deps } = await start({ readMs: 0, writeMs: 25, jitterMs: 0 });
    const before = accounts();
    const started = Date.now();
    let inFlight = 0;
    let most = 0;
    const counting = withBatch(deps.dataverse, async (send) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      try {
        return await send();
      } finally {
        inFlight -= 1;
      }
    });
    const heartbeats: unknown[] = [];
    const result = await attempt(counting, {}, { concurrency: 4, batchSize: 10, heartbeats });
    expect(most).toBe(4);
    // 12 batches of 10 in about a second: the checkpoint after a batch at most once a second (CHECKPOINT_PACE_MS),
    // besides the numbered scan's page, the start's, the end of the pass's and the end's — not one per batch.
    expect(heartbeats.length).toBeLessThanOrEqual(4 + Math.ceil(elapsedSince(started) / CHECKPOINT_PACE_MS));
    expect(heartbeats.length).toBeLessThan(UNNUMBERED / 10);
    expect(heartbeats.at(-1)).toMatchObject({ assigned: UNNUMBERED });
    expect(result).toMatchObject({ assigned: UNNUMBERED, done: true, toNumber: UNNUMBERED, failures: [] });
    expect(writes()).toBe(UNNUMBERED);
    expectEachNumberedOnce(before);
    // Continuing above the highest ACC number in use (ACC-01050-EXISTS).
    const sequences = accounts().map((a) => parseAccountNumberSequence(a.accountnumber ?? '') ?? 0);
    expect(Math.min(...sequences.filter((s) => s > 1050))).toBe(1051);
    expect(Math.max(...sequences)).toBe(1050 + UNNUMBERED);
  }, 60_000);

  it('never overwrites a number typed in Sales between its read and its write; an account edited otherwise still gets one', async () => {
    const { emulators, deps } = await start();
    const before = accounts();
    const typed = new Map<string, string>();
    let renamed: string | undefined;
    const racing = withBatch(deps.dataverse, async (send, call, items) => {
      if (call === 1) {
        // The batch is on its way; someone types numbers into two of its accounts and renames a third.
        const ids = items.map((item) => /accounts\(([^)]+)\)/.exec('url' in item ? item.url : '')?.[1] ?? '');
        for (const id of ids.slice(0, 2)) {
          const number = `TYPED-${id.slice(-4)}`;
          emulators.dataverse.store.updateAccount(id, { accountnumber: number });
          typed.set(id, number);
        }
        renamed = ids[2];
        if (renamed) emulators.dataverse.store.updateAccount(renamed, { name: 'Renamed in Sales' });
      }
      return await send();
    });
    const result = await attempt(racing);
    expect(typed.size).toBe(2);
    for (const [id, number] of typed) expect(emulators.dataverse.store.getAccount(id)?.accountnumber).toBe(number);
    const third = emulators.dataverse.store.getAccount(renamed ?? '');
    expect(third?.name).toBe('Renamed in Sales');
    expect(parseAccountNumberSequence(third?.accountnumber ?? '')).toBeGreaterThan(1050);
    expect(result).toMatchObject({ assigned: UNNUMBERED - 2, done: true, failures: [] });
    expectEachNumberedOnce(before.filter((a) => !typed.has(a.accountid)));
  }, 60_000);

  it('after a crash whose batch had committed, the retry never gives an account a second number nor reuses a sequence', async () => {
    const { deps } = await start();
    const before = accounts();
    const dying = withBatch(deps.dataverse, async (send, call) => {
      const parts = await send();
      if (call === 3) throw new Error('worker killed after Dataverse committed the batch');
      return parts;
    });
    const heartbeats: unknown[] = [];
    await expect(attempt(dying, {}, { heartbeats })).rejects.toThrow(/worker killed/);
    const numberedByFirst = writes();
    expect(numberedByFirst).toBeGreaterThanOrEqual(30);
    expect(numberedByFirst).toBeLessThan(UNNUMBERED);

    const result = await attempt(deps.dataverse, {}, { heartbeatDetails: heartbeats.at(-1) });
    expect(result).toMatchObject({ assigned: UNNUMBERED, done: true, failures: [] });
    // Every write was one account receiving its one number.
    expect(writes()).toBe(UNNUMBERED);
    expectEachNumberedOnce(before);
  }, 60_000);

  it('in chunks: stops at its deadline with a checkpoint, and the next call continues from it to the same end', async () => {
    const { deps } = await start({ readMs: 0, writeMs: 15, jitterMs: 0 });
    const before = accounts();
    let result = await attempt(deps.dataverse, { chunkSeconds: 0.2 }, { concurrency: 1, batchSize: 5 });
    const seen: number[] = [result.assigned];
    let chunks = 1;
    while (result.done === false) {
      expect(result.checkpoint).toBeDefined();
      result = await attempt(deps.dataverse, { chunkSeconds: 0.2, ...(result.checkpoint ? { checkpoint: result.checkpoint } : {}) }, { concurrency: 1, batchSize: 5 });
      seen.push(result.assigned);
      chunks += 1;
      expect(chunks).toBeLessThan(100);
    }
    expect(chunks).toBeGreaterThan(2);
    // Cumulative and growing, ending at every account.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[0]).toBeGreaterThan(0);
    expect(result).toMatchObject({ assigned: UNNUMBERED, done: true, toNumber: UNNUMBERED });
    expect(writes()).toBe(UNNUMBERED);
    expectEachNumberedOnce(before);
  }, 60_000);

  it('the opening chunk writes small batches and hands back after OPENING_CHUNK_MS, however long its chunk, so the sync can start', async () => {
    // 70 ms of server time per update: a batch of 50 takes 3.5 s, longer than the opening chunk's 3 s.
    const { deps } = await start({ readMs: 0, writeMs: 70, jitterMs: 0 });
    const before = accounts();
    const sizes: number[] = [];
    const sized = withBatch(deps.dataverse, (send, _call, items) => {
      sizes.push(items.length);
      return send();
    });
    expect(OPENING_NUMBERING_BATCH).toBe(50);
    expect(OPENING_CHUNK_MS).toBe(3_000);
    // One batch in flight: the first page of 100 goes out as two batches of 50, one after the other; the second is
    // launched after the first (3.5 s), past the opening chunk's time, so the chunk hands back after the page.
    const opening = await attempt(sized, { chunkSeconds: 600 }, { concurrency: 1, batchSize: 100 });
    expect(opening).toMatchObject({ assigned: 100, done: false, toNumber: UNNUMBERED });
    expect(sizes).toEqual([50, 50]);
    expect(writes()).toBe(100);
    // The next chunk (from the checkpoint) writes full batches: the 20 left in one.
    const rest = await attempt(sized, { chunkSeconds: 600, ...(opening.checkpoint ? { checkpoint: opening.checkpoint } : {}) }, { concurrency: 1, batchSize: 100 });
    expect(rest).toMatchObject({ assigned: UNNUMBERED, done: true });
    expect(sizes).toEqual([50, 50, 20]);
    expectEachNumberedOnce(before);
  }, 60_000);

  it('a fast Dataverse finishes numbering inside the opening chunk, so the run needs no overlap', async () => {
    const { deps } = await start();
    const before = accounts();
    const sizes: number[] = [];
    const sized = withBatch(deps.dataverse, (send, _call, items) => {
      sizes.push(items.length);
      return send();
    });
    const opening = await attempt(sized, { chunkSeconds: 600 }, { concurrency: 3, batchSize: 100 });
    expect(opening).toMatchObject({ assigned: UNNUMBERED, done: true, toNumber: UNNUMBERED });
    // Pages of 100: the first in two batches of 50; the last (20 accounts) cut evenly over the 3 slots: 7, 7, 6.
    expect(sizes).toEqual([50, 50, 7, 7, 6]);
    expectEachNumberedOnce(before);
  }, 60_000);

  it(`gives up after ${MAX_NUMBERING_SWEEPS} passes when Dataverse keeps failing the writes (transient, retried by Temporal)`, async () => {
    const { deps } = await start();
    let calls = 0;
    const failing = withBatch(deps.dataverse, async () => {
      calls += 1;
      throw new ConnectorError('Dataverse POST $batch: socket hang up', { kind: 'transient', service: 'dataverse', ambiguous: true });
    });
    const error = await attempt(failing, {}, { batchSize: 40 }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).kind).toBe('transient');
    expect((error as Error).message).toBe(
      `Dataverse did not take ${UNNUMBERED} Account Number writes in ${MAX_NUMBERING_SWEEPS} passes (server errors, throttled parts or lost answers); the numbering attempt is retried later`,
    );
    // Three batches of 40 per pass, four passes.
    expect(calls).toBe(3 * MAX_NUMBERING_SWEEPS);
    expect(writes()).toBe(0);
  }, 60_000);

  it(`reports an account edited in Sales before every one of its ${MAX_NUMBERING_SWEEPS} writes, numbering the others`, async () => {
    const { emulators, deps } = await start();
    const restless = accountId(5);
    const editing = withBatch(deps.dataverse, async (send, _call, items) => {
      if (items.some((item) => 'url' in item && item.url.includes(restless))) {
        emulators.dataverse.store.updateAccount(restless, { name: `Edited ${Date.now()}` });
      }
      return await send();
    });
    const result = await attempt(editing);
    expect(result.assigned).toBe(UNNUMBERED - 1);
    expect(result.failures).toEqual([
      expect.objectContaining({ accountId: restless, code: 'NUMBERING_FAILED', field: 'accountnumber' }),
    ]);
    expect(result.failures[0]?.reason).toContain(`changed in Sales each time the upgrade script was about to give it an Account Number (${MAX_NUMBERING_SWEEPS} passes`);
    expect(emulators.dataverse.store.getAccount(restless)?.accountnumber ?? null).toBeNull();
  }, 60_000);
});

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
