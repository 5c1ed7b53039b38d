/**
 * Measures the two request shapes the upgrade script could use against the Dataverse emulator with a server time
 * per operation and Microsoft's limits scaled down in time (same ratios: 1,200 s of execution per 300 s window
 * becomes 40 s per 10 s; 52 concurrent requests):
 *
 *  A. `$batch` of `If-Match` PATCHes (what assign-account-numbers.ts sends), several batches in flight;
 *  B. `UpdateMultiple` (no row-version check) plus a verification read of the same accounts.
 *
 *   npx tsx scripts/numbering-shapes.ts [accounts=10000] [writeMs=8] [readMs=20] [batch=500] [concurrency=6]
 *
 * Prints, per shape: wall time, requests, 429s, server time charged, and the execution-time bound (server time /
 * (execution per window / window)).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createAssignAccountNumbers } from '../src/activities/assign-account-numbers';
import { readUnnumberedPage } from '../src/connectors/account-reads';
import { formatAccountNumber } from '../src/domain/account-number';
import { connectToEmulators } from '../src/dev/connect-to-emulators';
import { startEmulators } from '@p2c-sync/emulators';

const [accounts = 10_000, writeMs = 8, readMs = 20, batch = 500, concurrency = 6] = process.argv.slice(2).map(Number);
const limits = { windowMs: 10_000, maxExecutionMs: 40_000, maxRequests: 200, maxConcurrent: 52 };

async function setUp() {
  const emulators = await startEmulators({ dataverse: { serverTime: { readMs, writeMs, jitterMs: 0 }, limits } });
  emulators.dataverse.store.insertAccounts(
    Array.from({ length: accounts }, (_, i) => ({ accountid: `0000000b-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, name: `Account ${i + 1}`, statecode: 0 })),
  );
  const { deps } = connectToEmulators(emulators, { limits: { dataverseConcurrency: 52 } });
  return { emulators, deps };
}

interface Figures {
  shape: string;
  seconds: number;
  requests: number;
  throttled: number;
  serverSeconds: number;
  numbered: number;
}

async function shapeA(): Promise<Figures> {
  const { emulators, deps } = await setUp();
  const assign = createAssignAccountNumbers({ dataverse: deps.dataverse, numbering: { concurrency, batchSize: batch } });
  const before = emulators.dataverse.admin.counters.snapshot();
  const started = Date.now();
  await new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') }).run(assign, { dryRun: false, duplicatePolicy: 'report' as const });
  const seconds = (Date.now() - started) / 1000;
  const after = emulators.dataverse.admin.counters.snapshot();
  const figures = summarise('A: $batch of If-Match PATCHes', seconds, before, after, emulators.dataverse.store.listAccounts().filter((a) => a.accountnumber).length);
  await deps.close();
  await emulators.close();
  return figures;
}

async function shapeB(): Promise<Figures> {
  const { emulators, deps } = await setUp();
  const before = emulators.dataverse.admin.counters.snapshot();
  const started = Date.now();
  let sequence = 1000;
  let verificationReads = 0;
  let after: string | undefined;
  const inFlight = new Set<Promise<void>>();
  for (;;) {
    const page = await readUnnumberedPage(deps.dataverse, after, batch);
    const last = page.at(-1);
    if (!last) break;
    after = last.accountid;
    const planned = page.map((row) => ({ id: row.accountid, number: formatAccountNumber((sequence += 1), 'SHAPEB') }));
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const write: Promise<void> = (async () => {
      // UpdateMultiple, sent as the one operation of a `$batch` (the client has no bulk-message method): one request.
      const [result] = await deps.dataverse.batch(
        [
          {
            method: 'POST',
            url: 'accounts/Microsoft.Dynamics.CRM.UpdateMultiple',
            body: { Targets: planned.map((p) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: p.id, accountnumber: p.number })) },
          },
        ],
        { continueOnError: true },
      );
      if (!result?.ok) throw new Error(`UpdateMultiple failed: ${result?.error.message ?? 'no answer'}`);
      // The verification read: did each account get our number? (It cannot tell whether one was typed over.)
      const ids = planned.map((p) => `'${p.id}'`).join(',');
      // Sent inside a `$batch` (one request): 500 ids do not fit in a request line.
      verificationReads += 1;
      const [check] = await deps.dataverse.batch(
        [{ method: 'GET', url: `accounts?$select=accountid,accountnumber&$filter=Microsoft.Dynamics.CRM.In(PropertyName='accountid',PropertyValues=[${ids}])` }],
        { continueOnError: true },
      );
      const rows = check?.ok ? ((JSON.parse(check.part.body) as { value: unknown[] }).value ?? []) : [];
      if (rows.length !== planned.length) throw new Error('verification read came back short');
    })().finally(() => inFlight.delete(write));
    inFlight.add(write);
  }
  await Promise.all(inFlight);
  const seconds = (Date.now() - started) / 1000;
  const afterCounters = emulators.dataverse.admin.counters.snapshot();
  const figures = summarise('B: UpdateMultiple + verification read', seconds, before, afterCounters, emulators.dataverse.store.listAccounts().filter((a) => a.accountnumber).length, verificationReads);
  await deps.close();
  await emulators.close();
  return figures;
}

type Snapshot = ReturnType<Awaited<ReturnType<typeof startEmulators>>['dataverse']['admin']['counters']['snapshot']>;

function summarise(shape: string, seconds: number, before: Snapshot, after: Snapshot, numbered: number, extraReads = 0): Figures {
  const requests = after.requests.total - before.requests.total;
  const throttled = after.throttled - before.throttled;
  const writes = after.writes - before.writes;
  // Reads: every GET outside a batch is one read operation; shape B's verification reads likewise.
  const gets = (after.requests.byMethod.GET ?? 0) - (before.requests.byMethod.GET ?? 0) + extraReads;
  const serverSeconds = (writes * writeMs + gets * readMs) / 1000;
  return { shape, seconds, requests, throttled, serverSeconds, numbered };
}

const bound = (serverSeconds: number) => serverSeconds / (limits.maxExecutionMs / limits.windowMs);

async function main(): Promise<void> {
  const results = [await shapeA(), await shapeB()];
  console.log(`accounts ${accounts}, writeMs ${writeMs}, readMs ${readMs}, batch ${batch}, concurrency ${concurrency}, limits ${JSON.stringify(limits)}`);
  for (const r of results) {
    console.log(
      `${r.shape.padEnd(40)} ${r.seconds.toFixed(1)} s wall, ${r.requests} requests (${(r.numbered / r.requests).toFixed(0)} accounts/request), ` +
      `${r.throttled} x 429, server ${r.serverSeconds.toFixed(1)} s, execution bound ${bound(r.serverSeconds).toFixed(1)} s ` +
        `(efficiency ${((100 * bound(r.serverSeconds)) / r.seconds).toFixed(0)} %), numbered ${r.numbered}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
