import type { EmulatorCounters } from './emulator-process';
import {
  type DataverseLimitsModel,
  executionMs,
  executionRateSeconds,
  type FnoLimitsModel,
  meanServerTimeMs,
  type RequestMix,
  type ServerTime,
  type ServiceLimitsModel,
  theoreticalMinimum,
  type TheoreticalMinimum,
} from './limits-model';
import { DEFAULT_NUMBERING_BATCH } from '../../src/activities/assign-account-numbers';
import { numberingScenario, type NumberingResult } from './numbering';
import { runPipeline, type ScenarioContext } from './pipeline-run';
import { count, fixed, formatTable, type Row } from './table';

export type LimitsRegime = 'fno' | 'dataverse' | 'numbering';

export interface LimitsOptions extends ScenarioContext {
  regimes: readonly LimitsRegime[];
  /** Whether the worker paces its Dataverse requests to the budgets (default, as the product) or only answers 429s. */
  pace?: boolean;
  /** F&O-bound regime: accounts, the environment's ceiling, customer writes per F&O `$batch`. */
  fnoBound: { accounts: number; fnoCeiling: number; fnoBatchSize: number };
  /**
   * Dataverse-bound regime: accounts, and the factor the Dataverse window and its budgets are divided by (the
   * numbering batch is divided by it too, so a request keeps its share of the window).
   */
  dataverseBound: { accounts: number; windowScale: number; fnoCeiling: number; fnoBatchSize: number };
  /** Numbering estimate: unnumbered accounts, the time scale of the run, updates per request of the bound. */
  numbering: { accounts: number; timeScale: number; updatesPerRequest: number };
}

/** One pipeline run against a limits model. */
export interface RegimeResult {
  regime: 'fno' | 'dataverse';
  accounts: number;
  model: ServiceLimitsModel;
  settings: Record<string, unknown>;
  mix: RequestMix;
  theoretical: TheoreticalMinimum;
  achievedSeconds: number;
  achievedAccountsPerSecond: number;
  theoreticalAccountsPerSecond: number;
  efficiency: number;
  throttled: { dataverse: number; fno: number };
  failedValidRecords: number;
  exactlyOnceProblems: string[];
  numberingSeconds: number;
  table: string;
}

export interface LimitsResult {
  scenario: 'limits';
  regimes: RegimeResult[];
  numbering?: Omit<NumberingResult, 'rows'>;
  table: string;
}

/**
 * Microsoft's documented service protection limits ("Service protection API limits", per user and per web server):
 * 6,000 requests and 1,200 s of execution time per 5-minute sliding window, 52 concurrent requests.
 */
export const DOCUMENTED_DATAVERSE = { windowMs: 300_000, maxRequests: 6000, maxExecutionMs: 1_200_000, maxConcurrent: 52 } as const;

/**
 * Server time per Dataverse operation. Writes: 30 ms per account update (25 ms + up to 10 ms) — Microsoft's bulk
 * operations sample (microsoft/PowerApps-Samples, dataverse/orgsvc/C#-NETCore/BulkOperations) prints "Updated 100
 * records in 3 seconds" for one UpdateMultiple request, ~30 ms per record of server time (its sequential loop of
 * single updates: 100 in 12 s, 120 ms per round trip with the network). Reads: 50 ms per request (45 + up to 10),
 * assumed (the same mean as the earlier 40 + 20 ms latency per request).
 */
export const DATAVERSE_SERVER_TIME: ServerTime = { readMs: 45, writeMs: 25, jitterMs: 10 };

/**
 * F&O: 20 ms + up to 10 ms per request, plus 150 ms + up to 50 ms for each write, run one after another while the
 * request holds one of the environment's slots (emulator choice; Microsoft publishes no figures).
 */
const FNO_REQUEST_LATENCY = { latencyMs: 20, jitterMs: 10 };
const FNO_SERVER_TIME: ServerTime = { readMs: 0, writeMs: 150, jitterMs: 50 };
/** The Dataverse-bound regime's F&O: writes of 40 ms + up to 10 ms, so that F&O stays well below Dataverse's bound. */
const FAST_FNO_SERVER_TIME: ServerTime = { readMs: 0, writeMs: 40, jitterMs: 10 };
const FNO_BUDGET = { requestBudget: 1_000_000, budgetWindowMs: 300_000 };

/**
 * Item 1 and 5 of issue 15: the pipeline under realistic server times and the documented limits, against the
 * fastest those limits allow for the requests the run made, in two regimes (F&O-bound, Dataverse-bound); and the
 * upgrade script alone over 190,000 accounts against its execution-time bound.
 */
export async function limitsScenario(options: LimitsOptions): Promise<LimitsResult> {
  const regimes: RegimeResult[] = [];
  const tables: string[] = [];
  const failures: string[] = [];
  // Each regime's table as soon as it is measured (a later regime failing keeps the earlier figures on screen).
  const show = (table: string) => {
    tables.push(table);
    process.stdout.write(`\n${table}\n\n`);
  };
  const attempt = async (name: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      options.log(`limits (${name}) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  };
  await attempt('fno', async () => {
    if (!options.regimes.includes('fno')) return;
    const { accounts, fnoCeiling, fnoBatchSize } = options.fnoBound;
    const result = await runRegime(options, {
      regime: 'fno',
      accounts,
      dataverse: { ...DOCUMENTED_DATAVERSE, meanRequestLatencyMs: 0, serverTime: DATAVERSE_SERVER_TIME },
      fno: fnoModel(fnoCeiling, FNO_SERVER_TIME),
      fnoBatchSize,
      title: `F&O-bound: ${count(accounts)} accounts, documented Dataverse limits, F&O ceiling ${fnoCeiling}, ${fnoBatchSize} writes per $batch`,
    });
    regimes.push(result);
    show(result.table);
  });
  await attempt('dataverse', async () => {
    if (!options.regimes.includes('dataverse')) return;
    const { accounts, windowScale, fnoCeiling, fnoBatchSize } = options.dataverseBound;
    const dataverse = scaleWindow(windowScale);
    const numberingBatchSize = Math.max(1, Math.round(DEFAULT_NUMBERING_BATCH / windowScale));
    const result = await runRegime(options, {
      regime: 'dataverse',
      accounts,
      dataverse,
      fno: fnoModel(fnoCeiling, FAST_FNO_SERVER_TIME),
      fnoBatchSize,
      numberingBatchSize,
      title:
        `Dataverse-bound: ${count(accounts)} accounts, Dataverse window 1/${windowScale} (${dataverse.windowMs / 1000} s: ${count(dataverse.maxRequests)} requests, ` +
        `${dataverse.maxExecutionMs / 1000} s execution, ${dataverse.maxConcurrent} in flight; numbering $batch ${numberingBatchSize}), F&O ceiling ${fnoCeiling}, writes 40+10 ms`,
    });
    regimes.push(result);
    show(result.table);
  });
  let numbering: NumberingResult | undefined;
  await attempt('numbering', async () => {
    if (!options.regimes.includes('numbering')) return;
    const { accounts, timeScale, updatesPerRequest } = options.numbering;
    numbering = await numberingScenario({
      ...options,
      accounts,
      timeScale,
      updatesPerRequest,
      dataverse: { ...DOCUMENTED_DATAVERSE, meanRequestLatencyMs: 0, serverTime: DATAVERSE_SERVER_TIME },
      pace: options.pace ?? true,
    });
    show(
      formatTable(
        `Upgrade script: ${count(accounts)} unnumbered accounts, one application user, documented limits, ${fixed(meanServerTimeMs(DATAVERSE_SERVER_TIME, 'write'), 0)} ms per update, clock 1/${timeScale}`,
        numbering.rows,
      ),
    );
  });
  if (failures.length > 0) throw new Error(`limits scenario: ${failures.join('; ')}`);
  const { rows: _rows, ...numberingFigures } = numbering ?? { rows: [] };
  const summary = [
    ...regimes.map((r) => `${r.regime}-bound: ${fixed(r.efficiency * 100, 1)} % (${fixed(r.achievedSeconds)} s vs ${fixed(r.theoretical.seconds)} s), failed valid records ${r.failedValidRecords}`),
    ...(numbering ? [`numbering ${count(numbering.accounts)}: ${fixed(numbering.seconds)} s vs execution-time bound ${fixed(numbering.executionRateSeconds)} s`] : []),
  ];
  return {
    scenario: 'limits',
    regimes,
    ...(numbering ? { numbering: numberingFigures as Omit<NumberingResult, 'rows'> } : {}),
    table: ['Limits scenario summary (tables above)', ...summary].join('\n'),
  };
}

/**
 * The documented limits with the window divided by `factor` and both budgets with it: the same requests per second
 * and execution seconds per second, the same concurrency, but a run spans `factor` times more windows — a tenant
 * `factor` times larger in miniature.
 */
export function scaleWindow(factor: number): DataverseLimitsModel {
  return {
    windowMs: DOCUMENTED_DATAVERSE.windowMs / factor,
    maxRequests: DOCUMENTED_DATAVERSE.maxRequests / factor,
    maxExecutionMs: DOCUMENTED_DATAVERSE.maxExecutionMs / factor,
    maxConcurrent: DOCUMENTED_DATAVERSE.maxConcurrent,
    meanRequestLatencyMs: 0,
    serverTime: DATAVERSE_SERVER_TIME,
  };
}

function fnoModel(ceiling: number, serverTime: ServerTime): FnoLimitsModel {
  return { maxConcurrent: ceiling, meanRequestLatencyMs: FNO_REQUEST_LATENCY.latencyMs + FNO_REQUEST_LATENCY.jitterMs / 2, serverTime, ...FNO_BUDGET };
}

interface RegimeSettings {
  regime: 'fno' | 'dataverse';
  accounts: number;
  dataverse: DataverseLimitsModel;
  fno: FnoLimitsModel;
  fnoBatchSize: number;
  /** Account updates per numbering `$batch` (the product's default when absent). */
  numberingBatchSize?: number;
  title: string;
}

/**
 * One full sync through `p2c worker` against the limits of `settings`, and the fastest they allow for the requests
 * and operations the run made. The worker gets the documented limits as its own (Dataverse 52 in flight, F&O the
 * environment's ceiling); a unit sends its `$batch` chunks together and the F&O client's gate keeps the ceiling.
 */
async function runRegime(options: LimitsOptions, settings: RegimeSettings): Promise<RegimeResult> {
  const { dataverse, fno } = settings;
  const limits = {
    dataverseConcurrency: dataverse.maxConcurrent,
    // The (scaled) budgets the emulator enforces, for the pacer when it is on (--dataverse-pace on).
    dataverseServiceProtection: { windowSeconds: dataverse.windowMs / 1000, maxRequests: dataverse.maxRequests, maxExecutionSeconds: dataverse.maxExecutionMs / 1000, pace: options.pace ?? true },
    fnoConcurrency: fno.maxConcurrent,
    fnoWriteBatchSize: settings.fnoBatchSize,
    ...(settings.numberingBatchSize === undefined ? {} : { numberingBatchSize: settings.numberingBatchSize }),
  };
  // Enough units in flight to keep every F&O slot busy, and units small enough that the tail (the last units
  // finishing while the window empties) stays short.
  // The overlap (on by default since numbering-overlap-join; asked for explicitly here) lets the accounts that have a number sync while numbering runs; 20,000–40,000 accounts fit
  // in one execution's history.
  const input = { unitSize: 200, maxConcurrentUnits: 8, pageSize: 5000, numberingOverlap: true };
  options.log(`limits (${settings.regime}-bound): ${count(settings.accounts)} accounts`);
  const run = await runPipeline({
    client: options.client,
    temporalAddress: options.temporalAddress,
    scratch: options.scratch,
    accounts: settings.accounts,
    seed: options.seed,
    emulators: {
      dataverseLimits: { windowMs: dataverse.windowMs, maxRequests: dataverse.maxRequests, maxExecutionMs: dataverse.maxExecutionMs, maxConcurrent: dataverse.maxConcurrent },
      dataverseServerTime: { ...dataverse.serverTime },
      fnoLimits: { maxConcurrent: fno.maxConcurrent, requestBudget: fno.requestBudget, budgetWindowMs: fno.budgetWindowMs },
      fnoFaults: { ...FNO_REQUEST_LATENCY, seed: options.seed + 1 },
      fnoServerTime: { ...fno.serverTime },
    },
    limits,
    input,
    incrementalShare: 0,
    verify: true,
    timeoutMs: options.timeoutMs,
    tuning: options.tuning,
    log: options.log,
  });

  const model: ServiceLimitsModel = { dataverse, fno };
  const mix: RequestMix = {
    dataverse: {
      requests: answered(run.counters.dataverse),
      readOperations: run.counters.dataverse.other.readOperations ?? 0,
      writeOperations: run.counters.dataverse.other.writeOperations ?? 0,
    },
    fno: {
      requests: answered(run.counters.fno),
      // The product's only F&O POSTs are `$batch` requests.
      batchRequests: (run.counters.fno.requests.byMethod.POST ?? 0) - (run.counters.fno.requests.byMethodAndStatus['POST 429'] ?? 0),
      batchOperations: run.counters.fno.other.batchOperations ?? 0,
      readOperations: run.counters.fno.other.readOperations ?? 0,
      writeOperations: run.counters.fno.other.writeOperations ?? 0,
    },
  };
  const theoretical = theoreticalMinimum(mix, model);
  const efficiency = theoretical.seconds / run.seconds;
  const problems = run.verdict?.problems ?? ['not verified'];
  // A valid record that failed shows up as a problem of the exactly-once check (missing and not an F&O refusal, or
  // reported with a non-record failure code).
  const failedValidRecords = problems.filter((p) => /not reported as refused|failure .* for valid account|^failure [A-Z_]+ for/.test(p)).length;
  const throttled = { dataverse: run.counters.dataverse.throttled, fno: run.counters.fno.throttled };
  const rows: Row[] = [
    { metric: 'achieved accounts/s', value: fixed(settings.accounts / run.seconds, 1) },
    { metric: 'theoretical max accounts/s', value: fixed(settings.accounts / theoretical.seconds, 1) },
    { metric: 'efficiency (theoretical time / achieved time)', value: `${fixed(efficiency * 100, 1)} %`, target: '>= 90 %', met: efficiency >= 0.9 },
    { metric: 'achieved wall time (s)', value: fixed(run.seconds) },
    { metric: '  of which numbering (s)', value: fixed(run.report.timings.numberingSeconds) },
    { metric: 'theoretical minimum (s)', value: fixed(theoretical.seconds), target: theoretical.binding },
    ...theoretical.bounds.map((bound) => ({ metric: `  bound: ${bound.limit} (s)`, value: fixed(bound.seconds), target: bound.basis })),
    {
      metric: '  Dataverse execution at the limit\'s rate (s)',
      value: fixed(executionRateSeconds(executionMs(mix.dataverse, dataverse), dataverse.maxExecutionMs, dataverse.windowMs)),
      target: 'not a bound: a sliding window allows one window\'s budget at once',
    },
    { metric: '429s received: Dataverse / F&O', value: `${count(throttled.dataverse)} / ${count(throttled.fno)}` },
    { metric: 'failed valid records', value: count(failedValidRecords), target: '0', met: failedValidRecords === 0 },
    { metric: 'exactly-once check', value: problems.length === 0 ? 'passed' : `${problems.length} problems`, target: 'passed', met: problems.length === 0 },
    { metric: 'created / failed (invalid) records', value: `${count(run.report.totals.created)} / ${count(run.report.totals.failed)}` },
    {
      metric: 'Dataverse requests / reads / writes',
      value: `${count(mix.dataverse.requests)} / ${count(mix.dataverse.readOperations)} / ${count(mix.dataverse.writeOperations)}`,
    },
    { metric: 'F&O requests / $batch operations', value: `${count(mix.fno.requests)} / ${count(mix.fno.batchOperations)}` },
  ];
  return {
    regime: settings.regime,
    accounts: settings.accounts,
    model,
    settings: { ...input, limits, fnoRequestLatency: FNO_REQUEST_LATENCY },
    mix,
    theoretical,
    achievedSeconds: run.seconds,
    achievedAccountsPerSecond: settings.accounts / run.seconds,
    theoreticalAccountsPerSecond: settings.accounts / theoretical.seconds,
    efficiency,
    throttled,
    failedValidRecords,
    exactlyOnceProblems: problems,
    numberingSeconds: run.report.timings.numberingSeconds,
    table: formatTable(settings.title, rows),
  };
}

/** Requests the service answered with anything but 429: the ones the run needed. */
function answered(counters: EmulatorCounters): number {
  return counters.requests.total - (counters.requests.byStatus['429'] ?? 0);
}
