import { describe, expect, it } from 'vitest';
import { loadWorkerEnvironment } from '../../../src/config/worker-environment';
import { workerShare } from '../../../src/config/worker-share';

const limits = (overrides: Partial<Record<'dataverseConcurrency' | 'fnoConcurrency' | 'workers', number>> = {}) => ({
  dataverseConcurrency: 52,
  fnoConcurrency: 16,
  fnoWriteBatchSize: 200,
  maxThrottleWaitSeconds: 60,
  requestTimeoutSeconds: 120,
  workers: 1,
  ...overrides,
});

describe('workerShare: the Dynamics limits are per application user, shared by every worker', () => {
  it('a single worker takes the whole limits', () => {
    expect(workerShare(limits())).toEqual({ workers: 1, dataverseConcurrency: 52, fnoConcurrency: 16 });
  });

  it('N workers each take floor(limit / N), so together they never exceed it', () => {
    expect(workerShare(limits({ workers: 3 }))).toEqual({ workers: 3, dataverseConcurrency: 17, fnoConcurrency: 5 });
    expect(workerShare(limits({ workers: 5 }))).toEqual({ workers: 5, dataverseConcurrency: 10, fnoConcurrency: 3 });
  });

  it('P2C_WORKER_COUNT wins over limits.workers', () => {
    expect(workerShare(limits({ workers: 2 }), 4)).toEqual({ workers: 4, dataverseConcurrency: 13, fnoConcurrency: 4 });
  });

  it('refuses more workers than a limit has requests, naming where the count came from', () => {
    expect(() => workerShare(limits({ workers: 20 }))).toThrow(
      'Invalid worker count:\n  - limits.workers: 20 workers cannot share limits.fnoConcurrency 16 (each needs at least 1)',
    );
    expect(() => workerShare(limits({ dataverseConcurrency: 4, fnoConcurrency: 4 }), 6)).toThrow(
      'Invalid worker count:\n  - P2C_WORKER_COUNT: 6 workers cannot share limits.dataverseConcurrency 4 (each needs at least 1)\n  - P2C_WORKER_COUNT: 6 workers cannot share limits.fnoConcurrency 4 (each needs at least 1)',
    );
  });

  it('reads P2C_WORKER_COUNT from the environment as a whole number of workers', () => {
    expect(loadWorkerEnvironment({ P2C_WORKER_COUNT: '3' }).P2C_WORKER_COUNT).toBe(3);
    expect(loadWorkerEnvironment({ P2C_WORKER_COUNT: '' }).P2C_WORKER_COUNT).toBeUndefined();
    expect(() => loadWorkerEnvironment({ P2C_WORKER_COUNT: 'three' })).toThrow('P2C_WORKER_COUNT: must be a whole number of worker processes');
    expect(() => loadWorkerEnvironment({ P2C_WORKER_COUNT: '0' })).toThrow(/P2C_WORKER_COUNT/);
  });
});
