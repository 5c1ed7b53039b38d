import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { quoteLiteral } from '@p2c-sync/odata-wire';
import { SeededRandom } from '@p2c-sync/emulators';
import type { ConnectedDependencies } from '../../src/activities/dependencies';
import { accountNumberKey, isValidAccountNumber } from '../../src/domain/account-number';
import { liveProgressQuery, liveSync, liveWorkflowId, stopSignal } from '../../src/workflows/live-sync';
import type { LiveProgress } from '../../src/workflows/live-state';
import { EmulatorProcess, unlimitedEmulatorLimits } from './emulator-process';
import { connectToEmulatorProcess, writeEmulatorSyncConfig, type SyncLimitsOverride } from './emulator-sync-config';
import type { ScenarioContext } from './pipeline-run';
import { waitForPollers } from './run-chain-history';
import { count, fixed, formatTable } from './table';
import { WorkerProcess } from './worker-process';

// `npm run bench -- --scenario live`: a live pipeline over N accounts (100,000 by default) at zero latency. First the
// idle cost (Dataverse requests a minute while nothing changes, from the emulator's request counter), then a steady
// stream of edits in Sales — a new phone number, or a deactivation — at a fixed rate, each made through the Web API
// as Sales makes it. For each edit: the time from the PATCH being answered (committed) to F&O showing the customer
// as it should be (the new phone, or OnHoldStatus All), read back through F&O's OData API every `checkEveryMs`.

export interface LiveBenchOptions extends ScenarioContext {
  accounts: number;
  pollSeconds: number;
  /** Edits per second in Sales. */
  editRate: number;
  editSeconds: number;
  /** Share of the edits that deactivate the account (the rest change its phone number). */
  deactivationShare: number;
  idleSeconds: number;
  limits: SyncLimitsOverride;
}

export interface LiveBenchResult {
  scenario: 'live';
  accounts: number;
  settings: { pollSeconds: number; editRate: number; editSeconds: number; deactivationShare: number; idleSeconds: number; limits: SyncLimitsOverride };
  catchUpSeconds: number;
  idle: { seconds: number; dataverseRequests: number; requestsPerMinute: number; polls: number };
  stream: {
    edits: number;
    deactivations: number;
    confirmed: number;
    latencySeconds: { p50: number; p95: number; max: number; min: number };
    dataverseRequestsPerMinute: number;
    fnoWrites: number;
  };
  progress: LiveProgress;
  table: string;
}

/** How often the watcher reads the pending customers back from F&O. */
const CHECK_EVERY_MS = 200;
const KEYS_PER_READ = 50;
/** How long after the last edit every edit must have reached F&O. */
const SETTLE_MS = 120_000;

interface Edit {
  accountid: string;
  accountNumber: string;
  company: string;
  kind: 'phone' | 'deactivation';
  phone?: string;
  committedAt?: number;
  confirmedAt?: number;
}

export async function liveScenario(options: LiveBenchOptions): Promise<LiveBenchResult> {
  const { client, log } = options;
  log(`live: starting emulators with ${count(options.accounts)} generated accounts`);
  const emulators = await EmulatorProcess.start({
    ...unlimitedEmulatorLimits,
    nodeOptions: options.tuning.emulatorNodeOptions,
    generate: options.accounts,
    seed: options.seed,
  });
  const { file: configFile, loaded } = writeEmulatorSyncConfig(emulators, options.scratch, options.limits, { deactivation: 'block' });
  const taskQueue = `bench-live-${randomUUID().slice(0, 8)}`;
  const worker = WorkerProcess.start({
    configFile,
    temporalAddress: options.temporalAddress,
    taskQueue,
    clientSecret: emulators.clientSecret,
    nodeOptions: options.tuning.workerNodeOptions,
    ...(options.tuning.workerLogFile ? { logFile: options.tuning.workerLogFile } : {}),
    ...(options.tuning.workflowBundleFile ? { workflowBundleFile: options.tuning.workflowBundleFile } : {}),
  });
  const deps = connectToEmulatorProcess(emulators, loaded);
  let handle: WorkflowHandle<typeof liveSync> | undefined;
  try {
    await waitForPollers(client, taskQueue);
    const pipeline = `bench-live-${randomUUID().slice(0, 6)}`;
    const started = performance.now();
    handle = await client.workflow.start(liveSync, { taskQueue, workflowId: liveWorkflowId(pipeline), args: [{ pipeline, pollSeconds: options.pollSeconds }] });
    const live = handle;
    const query = () => live.query(liveProgressQuery);
    await until(async () => (await query().catch(() => undefined))?.catchUp.done === true, options.timeoutMs, 'the catch-up pass', async () => {
      const p = await query().catch(() => undefined);
      if (p) log(`live: catching up — ${p.phase}, ${count(p.totals.read)} read, ${count(p.totals.created)} created`);
    });
    const catchUpSeconds = (performance.now() - started) / 1000;
    log(`live: caught up in ${fixed(catchUpSeconds)} s`);

    // Idle: nothing changes; every Dataverse request counted is the live workflow's.
    await emulators.resetCounters('dataverse');
    const idlePolls = (await query()).counts.polls;
    const idleStarted = performance.now();
    await sleep(options.idleSeconds * 1000);
    const idleSeconds = (performance.now() - idleStarted) / 1000;
    const idleRequests = (await emulators.counters('dataverse')).requests.total;
    const idle = {
      seconds: idleSeconds,
      dataverseRequests: idleRequests,
      requestsPerMinute: (idleRequests / idleSeconds) * 60,
      polls: (await query()).counts.polls - idlePolls,
    };
    log(`live: idle ${fixed(idle.seconds)} s, ${idle.dataverseRequests} Dataverse requests (${fixed(idle.requestsPerMinute)}/min), ${idle.polls} polls`);

    const edits = await chooseEdits(deps, options);
    log(`live: streaming ${count(edits.length)} edits at ${options.editRate}/s`);
    await emulators.resetCounters('dataverse');
    await emulators.resetCounters('fno');
    const streamStarted = performance.now();
    const stream = streamEdits(deps, edits, options.editRate);
    const watching = watch(deps, edits, () => stream.done);
    await stream.finished;
    const streamSeconds = (performance.now() - streamStarted) / 1000;
    const dataverseStream = (await emulators.counters('dataverse')).requests.total;
    await Promise.race([watching, sleep(SETTLE_MS)]);
    const fnoWrites = (await emulators.counters('fno')).writes;
    const latencies = edits.filter((e) => e.confirmedAt !== undefined && e.committedAt !== undefined).map((e) => ((e.confirmedAt as number) - (e.committedAt as number)) / 1000);
    latencies.sort((a, b) => a - b);
    const progress = await query();
    const result = {
      edits: edits.length,
      deactivations: edits.filter((e) => e.kind === 'deactivation').length,
      confirmed: latencies.length,
      latencySeconds: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: latencies.at(-1) ?? NaN, min: latencies[0] ?? NaN },
      // The edits themselves are Dataverse requests too: subtracted, so what is left is the pipeline's.
      dataverseRequestsPerMinute: ((dataverseStream - edits.length) / streamSeconds) * 60,
      fnoWrites,
    };
    const target = options.pollSeconds + 5;
    const table = formatTable(`Live: ${count(options.accounts)} accounts, zero latency, poll every ${options.pollSeconds} s, ${options.editRate} edits/s for ${options.editSeconds} s`, [
      { metric: 'catch-up pass (s)', value: fixed(catchUpSeconds) },
      { metric: 'idle: Dataverse requests per minute', value: fixed(idle.requestsPerMinute), target: '<= 10', met: idle.requestsPerMinute <= 10 },
      { metric: 'idle: polls / window (s)', value: `${idle.polls} / ${fixed(idle.seconds, 0)}` },
      { metric: 'edits (of which deactivations)', value: `${count(result.edits)} (${count(result.deactivations)})` },
      { metric: 'edits confirmed in F&O', value: count(result.confirmed), target: count(result.edits), met: result.confirmed === result.edits },
      { metric: 'edit → F&O p50 (s)', value: fixed(result.latencySeconds.p50, 2) },
      { metric: 'edit → F&O p95 (s)', value: fixed(result.latencySeconds.p95, 2), target: `<= ${target}`, met: result.latencySeconds.p95 <= target },
      { metric: 'edit → F&O min / max (s)', value: `${fixed(result.latencySeconds.min, 2)} / ${fixed(result.latencySeconds.max, 2)}` },
      { metric: 'F&O writes / edits', value: `${count(fnoWrites)} / ${count(result.edits)}` },
      { metric: 'streaming: pipeline Dataverse requests/min', value: fixed(result.dataverseRequestsPerMinute) },
      { metric: 'polls / continue-as-new', value: `${count(progress.counts.polls)} / ${progress.continuedAsNew}` },
    ]);
    return {
      scenario: 'live',
      accounts: options.accounts,
      settings: {
        pollSeconds: options.pollSeconds,
        editRate: options.editRate,
        editSeconds: options.editSeconds,
        deactivationShare: options.deactivationShare,
        idleSeconds: options.idleSeconds,
        limits: options.limits,
      },
      catchUpSeconds,
      idle,
      stream: result,
      progress,
      table,
    };
  } finally {
    if (handle) {
      await handle.signal(stopSignal).catch(() => undefined);
      await Promise.race([handle.result().catch(() => undefined), sleep(60_000)]);
    }
    await deps.close();
    await worker.stop();
    await emulators.stop();
  }
}

/**
 * Distinct active accounts whose customer exists in F&O and whose number no other active account shares (a
 * duplicate's customer is never blocked while the other account is active), in a seeded random order.
 */
async function chooseEdits(deps: ConnectedDependencies, options: LiveBenchOptions): Promise<Edit[]> {
  const companyOf = new Map<string, string>();
  for (const company of ['usmf', 'demf']) {
    for await (const rows of deps.fno.queryCustomers({ dataAreaId: company, select: ['CustomerAccount'] })) {
      for (const row of rows as { CustomerAccount: string }[]) companyOf.set(accountNumberKey(row.CustomerAccount), company);
    }
  }
  const byKey = new Map<string, { accountid: string; accountNumber: string }[]>();
  for await (const rows of deps.dataverse.queryAll({ entitySet: 'accounts', select: ['accountid', 'accountnumber', 'statecode'], pageSize: 5000 })) {
    for (const row of rows as { accountid: string; accountnumber: string | null; statecode: number }[]) {
      if (row.statecode !== 0 || !row.accountnumber || !isValidAccountNumber(row.accountnumber)) continue;
      const key = accountNumberKey(row.accountnumber);
      byKey.set(key, [...(byKey.get(key) ?? []), { accountid: row.accountid, accountNumber: row.accountnumber }]);
    }
  }
  const candidates = [...byKey.entries()].filter(([key, accounts]) => accounts.length === 1 && companyOf.has(key));
  const wanted = Math.min(candidates.length, Math.round(options.editRate * options.editSeconds));
  const random = new SeededRandom(options.seed + 13);
  for (let i = 0; i < wanted; i += 1) {
    const j = i + Math.floor(random.next() * (candidates.length - i));
    [candidates[i], candidates[j]] = [candidates[j] as (typeof candidates)[number], candidates[i] as (typeof candidates)[number]];
  }
  return candidates.slice(0, wanted).map(([key, [account]], index) => {
    const deactivation = random.next() < options.deactivationShare;
    return {
      accountid: (account as { accountid: string }).accountid,
      accountNumber: (account as { accountNumber: string }).accountNumber,
      company: companyOf.get(key) as string,
      kind: deactivation ? 'deactivation' : 'phone',
      ...(deactivation ? {} : { phone: `+1 555 7${String(index).padStart(6, '0')}` }),
    };
  });
}

/** One PATCH every 1/rate seconds, on a fixed schedule (a slow answer does not delay the next edit). */
function streamEdits(deps: ConnectedDependencies, edits: Edit[], rate: number): { finished: Promise<void>; readonly done: boolean } {
  const state = { done: false };
  const started = performance.now();
  const finished = (async () => {
    const inFlight: Promise<void>[] = [];
    for (const [index, edit] of edits.entries()) {
      const due = started + (index * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      inFlight.push(
        deps.dataverse
          .update('accounts', edit.accountid, edit.kind === 'deactivation' ? { statecode: 1 } : { telephone1: edit.phone })
          .then(() => {
            edit.committedAt = Date.now();
          }),
      );
    }
    await Promise.all(inFlight);
    state.done = true;
  })();
  return {
    finished,
    get done() {
      return state.done;
    },
  };
}

/** Reads the pending edits' customers back from F&O until every edit is there; records when each first was. */
async function watch(deps: ConnectedDependencies, edits: Edit[], streamDone: () => boolean): Promise<void> {
  for (;;) {
    const pending = edits.filter((e) => e.committedAt !== undefined && e.confirmedAt === undefined);
    if (pending.length === 0 && streamDone()) return;
    for (const company of ['usmf', 'demf']) {
      const mine = pending.filter((e) => e.company === company);
      for (let start = 0; start < mine.length; start += KEYS_PER_READ) {
        const slice = mine.slice(start, start + KEYS_PER_READ);
        const byKey = new Map(slice.map((e) => [accountNumberKey(e.accountNumber), e]));
        const filter = `(${slice.map((e) => `CustomerAccount eq ${quoteLiteral(e.accountNumber)}`).join(' or ')})`;
        for await (const rows of deps.fno.queryCustomers({ dataAreaId: company, filter, select: ['CustomerAccount', 'PrimaryContactPhone', 'OnHoldStatus'] })) {
          const now = Date.now();
          for (const row of rows as { CustomerAccount: string; PrimaryContactPhone?: string; OnHoldStatus?: string }[]) {
            const edit = byKey.get(accountNumberKey(row.CustomerAccount));
            if (!edit) continue;
            const right = edit.kind === 'deactivation' ? row.OnHoldStatus === 'All' : row.PrimaryContactPhone === edit.phone;
            if (right) edit.confirmedAt = now;
          }
        }
      }
    }
    await sleep(CHECK_EVERY_MS);
  }
}

function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] as number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, report: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nextReport = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    if (Date.now() >= nextReport) {
      await report();
      nextReport = Date.now() + 15_000;
    }
    await sleep(500);
  }
}
