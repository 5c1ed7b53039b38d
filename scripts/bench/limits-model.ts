// The fastest a run could possibly be under the services' limits, given the requests it had to make. Used by the
// limit-efficiency benchmark: achieved time against this lower bound.

export interface ServiceLimitsModel {
  dataverse: {
    /** Sliding window of the request and execution-time limits. */
    windowMs: number;
    /** Requests per user per window; a `$batch` counts once, whatever it holds (Microsoft's api-limits page). */
    maxRequests: number;
    /** Combined execution time per user per window. */
    maxExecutionMs: number;
    maxConcurrent: number;
    /** Mean service time of one request (latency + mean jitter). */
    meanLatencyMs: number;
    /** Mean server time of one operation inside a `$batch`, charged to the execution-time limit (0 if none). */
    meanOperationServerTimeMs?: number;
  };
  fno: {
    /** Requests in flight for the environment. */
    maxConcurrent: number;
    /** Mean service time of one request. */
    meanLatencyMs: number;
    /** Mean service time added per `$batch` operation (0 when the service time is per request). */
    meanOperationLatencyMs: number;
    /** Budget units (a request, or one `$batch` operation) per window. */
    requestBudget: number;
    budgetWindowMs: number;
  };
}

/** The requests a run made, as the services counted them, without the ones answered 429. */
export interface RequestMix {
  dataverseRequests: number;
  dataverseBatchOperations: number;
  fnoRequests: number;
  /** `$batch` requests among `fnoRequests`: F&O spends its budget per operation for them, not per request. */
  fnoBatchRequests: number;
  fnoBatchOperations: number;
}

export interface Bound {
  limit: string;
  seconds: number;
  /** How the bound follows from the mix and the limit. */
  basis: string;
}

export interface TheoreticalMinimum {
  seconds: number;
  binding: string;
  bounds: Bound[];
}

/**
 * Lower bounds on the wall time, one per limit, assuming perfect overlap of everything else (so the true optimum is
 * at least the largest): a concurrency ceiling C with total service time S allows no less than S / C; a sliding
 * window allowing M units per W lets at most M units through in any W, so U units take more than W × (⌈U/M⌉ − 1).
 */
export function theoreticalMinimum(mix: RequestMix, model: ServiceLimitsModel): TheoreticalMinimum {
  const dv = model.dataverse;
  const fno = model.fno;
  const dataverseUnits = mix.dataverseRequests;
  const dataverseExecutionMs = mix.dataverseRequests * dv.meanLatencyMs + mix.dataverseBatchOperations * (dv.meanOperationServerTimeMs ?? 0);
  const fnoServiceMs = mix.fnoRequests * fno.meanLatencyMs + mix.fnoBatchOperations * fno.meanOperationLatencyMs;
  const fnoUnits = mix.fnoRequests - mix.fnoBatchRequests + mix.fnoBatchOperations;
  const bounds: Bound[] = [
    {
      limit: 'Dataverse requests per window',
      seconds: windowBoundSeconds(dataverseUnits, dv.maxRequests, dv.windowMs),
      basis: `${dataverseUnits} requests (a $batch counts once) vs ${dv.maxRequests} per ${dv.windowMs / 1000} s`,
    },
    {
      limit: 'Dataverse execution time per window',
      seconds: windowBoundSeconds(dataverseExecutionMs, dv.maxExecutionMs, dv.windowMs),
      basis: `${Math.round(dataverseExecutionMs / 1000)} s of execution vs ${dv.maxExecutionMs / 1000} s per ${dv.windowMs / 1000} s`,
    },
    {
      limit: 'Dataverse concurrent requests',
      seconds: dataverseExecutionMs / dv.maxConcurrent / 1000,
      basis: `(${mix.dataverseRequests} requests x ${dv.meanLatencyMs} ms + ${mix.dataverseBatchOperations} batch operations x ${dv.meanOperationServerTimeMs ?? 0} ms) / ${dv.maxConcurrent}`,
    },
    {
      limit: 'F&O concurrency ceiling',
      seconds: fnoServiceMs / fno.maxConcurrent / 1000,
      basis: `(${mix.fnoRequests} requests x ${fno.meanLatencyMs} ms + ${mix.fnoBatchOperations} operations x ${fno.meanOperationLatencyMs} ms) / ${fno.maxConcurrent}`,
    },
    {
      limit: 'F&O request budget',
      seconds: windowBoundSeconds(fnoUnits, fno.requestBudget, fno.budgetWindowMs),
      basis: `${fnoUnits} units vs ${fno.requestBudget} per ${fno.budgetWindowMs / 1000} s`,
    },
  ];
  const binding = bounds.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  return { seconds: binding.seconds, binding: binding.limit, bounds };
}

function windowBoundSeconds(units: number, perWindow: number, windowMs: number): number {
  if (units <= perWindow) return 0;
  return ((Math.ceil(units / perWindow) - 1) * windowMs) / 1000;
}
