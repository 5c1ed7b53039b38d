// The fastest a run could possibly be under the services' limits, given the requests and operations it had to make.
// Used by the limit-efficiency benchmark (achieved time against this lower bound) and for the numbering estimate.
//
// Dataverse (Microsoft's "Service protection API limits" page, per user and per web server): requests per 5-minute
// sliding window (6,000; a `$batch` or a bulk message such as UpdateMultiple counts once, whatever it holds),
// combined execution time per window (1,200 s; every operation's server time counts, inside a `$batch` or a bulk
// message too) and concurrent requests (52). F&O (emulator choice, Microsoft publishes no numbers): a concurrency
// ceiling for the environment and a budget of units per window, a `$batch` operation spending one unit.

/** Server time of one operation (a plain request, a `$batch` part or a bulk message's record): base + [0, jitter). */
export interface ServerTime {
  readMs: number;
  writeMs: number;
  jitterMs: number;
}

export interface DataverseLimitsModel {
  /** Sliding window of the request and execution-time limits. */
  windowMs: number;
  /** Requests per user per window; a `$batch` or a bulk message counts once. */
  maxRequests: number;
  /** Combined execution time per user per window. */
  maxExecutionMs: number;
  /** Requests in flight per user. */
  maxConcurrent: number;
  /** Mean injected latency of one HTTP request (fault latency + jitter / 2): time in flight, charged as execution. */
  meanRequestLatencyMs: number;
  /** Server time per operation, charged to the execution-time limit. */
  serverTime: ServerTime;
}

export interface FnoLimitsModel {
  /** Requests in flight for the environment. */
  maxConcurrent: number;
  /** Mean injected latency of one HTTP request (fault latency + jitter / 2). */
  meanRequestLatencyMs: number;
  /** Server time per operation (a plain request, or each `$batch` operation in turn), holding the request's slot. */
  serverTime: ServerTime;
  /** Budget units (a plain request, or one `$batch` operation) per window. */
  requestBudget: number;
  budgetWindowMs: number;
}

export interface ServiceLimitsModel {
  dataverse: DataverseLimitsModel;
  fno: FnoLimitsModel;
}

/** What a run asked of the services, as they counted it, without the requests answered 429. */
export interface RequestMix {
  dataverse: {
    /** HTTP requests (a `$batch` or a bulk message is one). */
    requests: number;
    /** Operations that read (plain GETs and GET parts of a `$batch`). */
    readOperations: number;
    /** Operations that write (plain writes, `$batch` write parts, each record of a bulk message). */
    writeOperations: number;
  };
  fno: {
    requests: number;
    /** `$batch` requests among `requests`: F&O spends its budget per operation for them, not per request. */
    batchRequests: number;
    batchOperations: number;
    readOperations: number;
    writeOperations: number;
  };
}

export interface Bound {
  limit: string;
  seconds: number;
  /** How the bound follows from the mix and the limit. */
  basis: string;
}

export interface TheoreticalMinimum {
  /** The largest bound: no run making these requests can be faster. */
  seconds: number;
  binding: string;
  bounds: Bound[];
}

/** Mean server time of one operation. */
export function meanServerTimeMs(serverTime: ServerTime, kind: 'read' | 'write'): number {
  return (kind === 'read' ? serverTime.readMs : serverTime.writeMs) + serverTime.jitterMs / 2;
}

/** Total time in flight (= execution time charged) of a service's requests and operations. */
export function executionMs(
  counts: { requests: number; readOperations: number; writeOperations: number },
  service: { meanRequestLatencyMs: number; serverTime: ServerTime },
): number {
  return (
    counts.requests * service.meanRequestLatencyMs +
    counts.readOperations * meanServerTimeMs(service.serverTime, 'read') +
    counts.writeOperations * meanServerTimeMs(service.serverTime, 'write')
  );
}

/**
 * A sliding window admitting at most `perWindow` units in any `windowMs`: `units` take more than
 * `windowMs × (⌈units / perWindow⌉ − 1)` (split the run into windows counted back from its end: every one but the
 * first holds at most `perWindow`). 0 when they fit in one window.
 */
export function windowBoundSeconds(units: number, perWindow: number, windowMs: number): number {
  if (units <= perWindow) return 0;
  return ((Math.ceil(units / perWindow) - 1) * windowMs) / 1000;
}

/**
 * Execution time `totalMs` under a limit of `perWindowMs` per `windowMs` with at most `concurrent` requests in flight:
 * counted back from the end, k − 1 full windows hold at most (k − 1) × perWindow (k = ⌈total / perWindow⌉), and the
 * rest, R = total − (k − 1) × perWindow, accrues at most `concurrent` ms per ms before them. So no schedule is
 * faster than `windowMs × (k − 1) + R / concurrent`; bursting at full concurrency at the start of each window
 * reaches it. For a total within one window this is the concurrency bound, total / concurrent.
 */
export function executionBoundSeconds(totalMs: number, perWindowMs: number, windowMs: number, concurrent: number): number {
  if (totalMs <= 0) return 0;
  const windows = Math.max(1, Math.ceil(totalMs / perWindowMs));
  const rest = totalMs - (windows - 1) * perWindowMs;
  return ((windows - 1) * windowMs + rest / concurrent) / 1000;
}

/**
 * The execution-time limit as a rate: `totalMs` of execution at `perWindowMs` per `windowMs` take
 * `total × window / perWindow` in the long run. A sliding window lets a run beat it by about one window's budget
 * spent at the start (`executionBoundSeconds` is the strict minimum); a run that keeps fewer requests in flight than
 * the concurrency limit allows approaches this one.
 */
export function executionRateSeconds(totalMs: number, perWindowMs: number, windowMs: number): number {
  return (totalMs * windowMs) / perWindowMs / 1000;
}

/** The bounds Dataverse's three limits put on the requests and operations `counts`. */
export function dataverseBounds(counts: RequestMix['dataverse'], dv: DataverseLimitsModel): Bound[] {
  const execution = executionMs(counts, dv);
  const read = meanServerTimeMs(dv.serverTime, 'read');
  const write = meanServerTimeMs(dv.serverTime, 'write');
  const executionText =
    `${count(counts.requests)} requests x ${dv.meanRequestLatencyMs} ms + ${count(counts.readOperations)} reads x ${read} ms + ` +
    `${count(counts.writeOperations)} writes x ${write} ms = ${seconds(execution)} s`;
  return [
    {
      limit: 'Dataverse requests per window',
      seconds: windowBoundSeconds(counts.requests, dv.maxRequests, dv.windowMs),
      basis: `${count(counts.requests)} requests (a $batch or bulk message counts once) vs ${count(dv.maxRequests)} per ${dv.windowMs / 1000} s`,
    },
    {
      limit: 'Dataverse execution time per window',
      seconds: executionBoundSeconds(execution, dv.maxExecutionMs, dv.windowMs, dv.maxConcurrent),
      basis: `${executionText} of execution vs ${dv.maxExecutionMs / 1000} s per ${dv.windowMs / 1000} s, the rest at ${dv.maxConcurrent} in flight`,
    },
    {
      limit: 'Dataverse concurrent requests',
      seconds: execution / dv.maxConcurrent / 1000,
      basis: `${seconds(execution)} s in flight / ${dv.maxConcurrent}`,
    },
  ];
}

/** The bounds F&O's ceiling and budget put on the requests and operations `counts`. */
export function fnoBounds(counts: RequestMix['fno'], fno: FnoLimitsModel): Bound[] {
  const inFlight = executionMs(counts, fno);
  const units = counts.requests - counts.batchRequests + counts.batchOperations;
  return [
    {
      limit: 'F&O concurrency ceiling',
      seconds: inFlight / fno.maxConcurrent / 1000,
      basis:
        `(${count(counts.requests)} requests x ${fno.meanRequestLatencyMs} ms + ${count(counts.readOperations)} reads x ${meanServerTimeMs(fno.serverTime, 'read')} ms + ` +
        `${count(counts.writeOperations)} writes x ${meanServerTimeMs(fno.serverTime, 'write')} ms) / ${fno.maxConcurrent}`,
    },
    {
      limit: 'F&O request budget',
      seconds: windowBoundSeconds(units, fno.requestBudget, fno.budgetWindowMs),
      basis: `${count(units)} units vs ${count(fno.requestBudget)} per ${fno.budgetWindowMs / 1000} s`,
    },
  ];
}

/**
 * Lower bounds on the wall time, one per limit, each assuming everything else overlaps perfectly; the theoretical
 * minimum is the largest (the theoretical maximum throughput is the smallest over the limits).
 */
export function theoreticalMinimum(mix: RequestMix, model: ServiceLimitsModel): TheoreticalMinimum {
  return largest([...dataverseBounds(mix.dataverse, model.dataverse), ...fnoBounds(mix.fno, model.fno)]);
}

/** The binding bound among `bounds`. */
export function largest(bounds: Bound[]): TheoreticalMinimum {
  const binding = bounds.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  return { seconds: binding.seconds, binding: binding.limit, bounds };
}

/**
 * The fastest `updates` account updates can pass Dataverse's limits under one application user, sent
 * `updatesPerRequest` to a request (a `$batch` of PATCHes or an UpdateMultiple), reads left out: the upgrade
 * script's own bound.
 */
export function numberingBound(updates: number, updatesPerRequest: number, dv: DataverseLimitsModel): TheoreticalMinimum {
  const requests = Math.ceil(updates / updatesPerRequest);
  return largest(dataverseBounds({ requests, readOperations: 0, writeOperations: updates }, dv));
}

/**
 * Limits and times scaled in time by `factor` (a clock `factor` times faster): every duration (window, execution
 * budget, latency, server time) divided by it, every count (requests per window, concurrency) kept. A run against
 * the scaled limits is the real run `factor` times faster, so its bounds are the real ones divided by `factor`.
 */
export function scaleDataverseTime(dv: DataverseLimitsModel, factor: number): DataverseLimitsModel {
  return {
    windowMs: dv.windowMs / factor,
    maxRequests: dv.maxRequests,
    maxExecutionMs: dv.maxExecutionMs / factor,
    maxConcurrent: dv.maxConcurrent,
    meanRequestLatencyMs: dv.meanRequestLatencyMs / factor,
    serverTime: scaleServerTime(dv.serverTime, factor),
  };
}

export function scaleServerTime(serverTime: ServerTime, factor: number): ServerTime {
  return { readMs: serverTime.readMs / factor, writeMs: serverTime.writeMs / factor, jitterMs: serverTime.jitterMs / factor };
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function seconds(ms: number): string {
  return (ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 });
}
