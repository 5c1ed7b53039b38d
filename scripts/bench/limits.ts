import type { EmulatorCounters } from './emulator-process';
import { theoreticalMinimum, type RequestMix, type ServiceLimitsModel, type TheoreticalMinimum } from './limits-model';
import { runPipeline, type ScenarioContext } from './pipeline-run';
import { count, fixed, formatTable, type Row } from './table';

export interface LimitsOptions extends ScenarioContext {
  accounts: number;
  /** F&O concurrency ceiling of the environment (the worker is configured to the same figure). */
  fnoCeiling: number;
  /** Customer writes per F&O `$batch`. */
  fnoBatchSize: number;
}

export interface LimitsResult {
  scenario: 'limits';
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

/**
 * Realistic service times: a Dataverse page 40 ms + up to 20 ms jitter; an F&O request 20 ms + up to 10 ms, plus
 * 150 ms + up to 50 ms for each operation of a `$batch`, which F&O runs one after another.
 */
const DATAVERSE_LATENCY = { latencyMs: 40, jitterMs: 20 };
const FNO_LATENCY = { latencyMs: 20, jitterMs: 10, operationLatencyMs: 150, operationJitterMs: 50 };
/** Microsoft's documented service protection limits (contract §2), the emulator's defaults. */
const DATAVERSE_LIMITS = { windowMs: 300_000, maxRequests: 6000, maxExecutionMs: 1_200_000, maxConcurrent: 52 };
const FNO_BUDGET = { requestBudget: 1_000_000, budgetWindowMs: 300_000 };

/**
 * Item 2: the run under realistic latency and the documented limits, against the fastest those limits allow for
 * the requests the run made. The worker gets the documented limits as its own (Dataverse 52 in flight, F&O the
 * environment's ceiling); a unit sends its `$batch` chunks together and the F&O client's gate keeps the ceiling.
 */
export async function limitsScenario(options: LimitsOptions): Promise<LimitsResult> {
  const ceiling = options.fnoCeiling;
  const limits = { dataverseConcurrency: DATAVERSE_LIMITS.maxConcurrent, fnoConcurrency: ceiling, fnoWriteBatchSize: options.fnoBatchSize };
  // Enough units in flight to keep every F&O slot busy, and units small enough that the tail (the last units
  // finishing while the window empties) stays short.
  const input = { batchSize: 200, maxConcurrentBatches: 8, pageSize: 5000 };
  const run = await runPipeline({
    client: options.client,
    temporalAddress: options.temporalAddress,
    scratch: options.scratch,
    accounts: options.accounts,
    seed: options.seed,
    emulators: {
      dataverseLimits: DATAVERSE_LIMITS,
      fnoLimits: { maxConcurrent: ceiling, ...FNO_BUDGET },
      dataverseFaults: { ...DATAVERSE_LATENCY, seed: options.seed },
      fnoFaults: { ...FNO_LATENCY, seed: options.seed + 1 },
    },
    limits,
    input,
    incrementalShare: 0,
    verify: true,
    timeoutMs: options.timeoutMs,
    tuning: options.tuning,
    log: options.log,
  });

  const model: ServiceLimitsModel = {
    dataverse: { ...DATAVERSE_LIMITS, meanLatencyMs: DATAVERSE_LATENCY.latencyMs + DATAVERSE_LATENCY.jitterMs / 2 },
    fno: {
      maxConcurrent: ceiling,
      meanLatencyMs: FNO_LATENCY.latencyMs + FNO_LATENCY.jitterMs / 2,
      meanOperationLatencyMs: FNO_LATENCY.operationLatencyMs + FNO_LATENCY.operationJitterMs / 2,
      ...FNO_BUDGET,
    },
  };
  const mix: RequestMix = {
    dataverseRequests: answered(run.counters.dataverse),
    dataverseBatchOperations: run.counters.dataverse.other.batchOperations ?? 0,
    fnoRequests: answered(run.counters.fno),
    // The product's only F&O POSTs are `$batch` requests.
    fnoBatchRequests: (run.counters.fno.requests.byMethod.POST ?? 0) - (run.counters.fno.requests.byMethodAndStatus['POST 429'] ?? 0),
    fnoBatchOperations: run.counters.fno.other.batchOperations ?? 0,
  };
  const theoretical = theoreticalMinimum(mix, model);
  const efficiency = theoretical.seconds / run.seconds;
  const problems = run.verdict?.problems ?? ['not verified'];
  // A valid record that failed shows up as a problem of the exactly-once check (missing and not an F&O refusal, or
  // reported with a non-record failure code).
  const failedValidRecords = problems.filter((p) => /not reported as refused|failure .* for valid account|^failure [A-Z_]+ for/.test(p)).length;
  const throttled = { dataverse: run.counters.dataverse.throttled, fno: run.counters.fno.throttled };
  const rows: Row[] = [
    { metric: 'achieved accounts/s', value: fixed(options.accounts / run.seconds, 1) },
    { metric: 'theoretical max accounts/s', value: fixed(options.accounts / theoretical.seconds, 1) },
    { metric: 'efficiency (theoretical time / achieved time)', value: `${fixed(efficiency * 100, 1)} %`, target: '>= 90 %', met: efficiency >= 0.9 },
    { metric: 'achieved wall time (s)', value: fixed(run.seconds) },
    { metric: '  of which numbering (s)', value: fixed(run.report.timings.numberingSeconds) },
    { metric: 'theoretical minimum (s)', value: fixed(theoretical.seconds), target: theoretical.binding },
    ...theoretical.bounds.map((bound) => ({ metric: `  bound: ${bound.limit} (s)`, value: fixed(bound.seconds), target: bound.basis })),
    { metric: '429s received: Dataverse / F&O', value: `${count(throttled.dataverse)} / ${count(throttled.fno)}` },
    { metric: 'failed valid records', value: count(failedValidRecords), target: '0', met: failedValidRecords === 0 },
    { metric: 'exactly-once check', value: problems.length === 0 ? 'passed' : `${problems.length} problems`, target: 'passed', met: problems.length === 0 },
    { metric: 'created / failed (invalid) records', value: `${count(run.report.totals.created)} / ${count(run.report.totals.failed)}` },
    { metric: 'requests: Dataverse (+batch ops) / F&O', value: `${count(mix.dataverseRequests)} (+${count(mix.dataverseBatchOperations)}) / ${count(mix.fnoRequests)}` },
  ];
  return {
    scenario: 'limits',
    accounts: options.accounts,
    model,
    settings: { ...input, limits, dataverseLatency: DATAVERSE_LATENCY, fnoLatency: FNO_LATENCY },
    mix,
    theoretical,
    achievedSeconds: run.seconds,
    achievedAccountsPerSecond: options.accounts / run.seconds,
    theoreticalAccountsPerSecond: options.accounts / theoretical.seconds,
    efficiency,
    throttled,
    failedValidRecords,
    exactlyOnceProblems: problems,
    numberingSeconds: run.report.timings.numberingSeconds,
    table: formatTable(`Limit efficiency: ${count(options.accounts)} accounts, Dataverse 40+20 ms, F&O 20+10 ms per request and 150+50 ms per operation, ${options.fnoBatchSize} writes per $batch, documented limits, F&O ceiling ${ceiling}`, rows),
  };
}

/** Requests the service answered with anything but 429: the ones the run needed. */
function answered(counters: EmulatorCounters): number {
  return counters.requests.total - (counters.requests.byStatus['429'] ?? 0);
}
