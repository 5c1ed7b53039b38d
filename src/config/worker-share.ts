import { ConfigurationError } from '../domain/errors';
import type { SyncConfig } from './sync-config';

/** What one worker process allows itself, so that all workers of a deployment together stay within the limits. */
export interface WorkerShare {
  workers: number;
  dataverseConcurrency: number;
  fnoConcurrency: number;
}

/**
 * Dataverse's service protection (52 concurrent requests) and F&O's throttling count per application user, and every
 * worker signs in as the same one: N workers each allowed the whole limit would send N times too much. Each takes
 * `floor(limit / N)`; a deployment declaring more workers than the limit allows requests refuses to start instead of
 * rounding a share up to 1 and overshooting. `declared` (P2C_WORKER_COUNT) wins over the configuration's `workers`.
 */
export function workerShare(limits: SyncConfig['limits'], declared?: number): WorkerShare {
  const workers = declared ?? limits.workers;
  const source = declared === undefined ? 'limits.workers' : 'P2C_WORKER_COUNT';
  const problems: string[] = [];
  if (workers > limits.dataverseConcurrency) {
    problems.push(`${source}: ${workers} workers cannot share limits.dataverseConcurrency ${limits.dataverseConcurrency} (each needs at least 1)`);
  }
  if (workers > limits.fnoConcurrency) {
    problems.push(`${source}: ${workers} workers cannot share limits.fnoConcurrency ${limits.fnoConcurrency} (each needs at least 1)`);
  }
  if (problems.length > 0) throw new ConfigurationError('Invalid worker count', problems);
  return {
    workers,
    dataverseConcurrency: Math.floor(limits.dataverseConcurrency / workers),
    fnoConcurrency: Math.floor(limits.fnoConcurrency / workers),
  };
}
