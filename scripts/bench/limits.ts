import type { Client } from '@temporalio/client';
import type { EmulatorCounters } from '../../src/bench/emulator-process';
import { theoreticalMinimum, type RequestMix, type ServiceLimitsModel, type TheoreticalMinimum } from '../../src/bench/limits-model';
import { runPipeline, type ProcessTuning } from './pipeline-run';
import { count, fixed, formatTable, type Row } from './table';

export interface LimitsOptions {
  client: Client;
  temporalAddress: string;
  scratch: string;
  accounts: number;
  seed: number;
  timeoutMs: number;
  tuning: ProcessTuning;
  /** F&O concurrency ceiling of the environment (the worker is configured to the same figure). */
  fnoCeiling: number;
  log: (line: string) => void;
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

/** Realistic service times: a Dataverse page 40 ms + up to 20 ms jitter, an F&O write 150 ms + up to 50 ms. */
const DATAVERSE_LATENCY = { latencyMs: 40, jitterMs: 20 };
const FNO_LATENCY = { latencyMs: 150, jitterMs: 50 };
/** Microsoft's documented service protection limits (contract §2), the emulator's defaults. */
const DATAVERSE_LIMITS = { windowMs: 300_000, maxRequests: 6000, maxExecutionMs: 1_200_000, maxConcurrent: 52 };
const FNO_BUDGET = { requestBudget: 1_000_000, budgetWindowMs: 300_000 };

/**
 * Item 2: the run under realistic latency and the documented limits, against the fastest those limits allow for
 * the requests the run made. F&O processes `$batch` operations one after another, so its service time is per
 * operation; the emulator's latency is per request (it has no per-operation latency), so the worker writes one
 * customer per `$batch` here — each write then costs one request's service time and holds one of the F&O
 * environment's concurrent slots, which is what per-operation latency models.
 */
export async function limitsScenario(options: LimitsOptions): Promise<LimitsResult> {
  const ceiling = options.fnoCeiling;
  const limits = { dataverseConcurrency: DATAVERSE_LIMITS.maxConcurrent, fnoConcurrency: ceiling, fnoWriteBatchSize: 1 };
  // Small units and a window above the ceiling: a unit writes its customers one request at a time, so only as many
  // units in flight as F&O slots keep F&O busy, and small units keep the tail (the last units finishing) short.
  const input = { batchSize: 100, maxConcurrentBatches: Math.min(64, ceiling + 4), pageSize: 5000 };
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
    fno: { maxConcurrent: ceiling, meanLatencyMs: FNO_LATENCY.latencyMs + FNO_LATENCY.jitterMs / 2, meanOperationLatencyMs: 0, ...FNO_BUDGET },
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
    settings: { ...input, limits, dataverseLatency: DATAVERSE_LATENCY, fnoLatency: FNO_LATENCY, fnoLatencyModel: 'per request, one operation per $batch' },
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
    table: formatTable(`Limit efficiency: ${count(options.accounts)} accounts, Dataverse 40+20 ms, F&O 150+50 ms, documented limits, F&O ceiling ${ceiling}`, rows),
  };
}

/** Requests the service answered with anything but 429: the ones the run needed. */
function answered(counters: EmulatorCounters): number {
  return counters.requests.total - (counters.requests.byStatus['429'] ?? 0);
}
