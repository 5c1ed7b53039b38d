import type { EmulatorProcessOptions } from '../bench/emulator-process';
import type { SyncLimitsOverride } from '../bench/emulator-sync-config';
import type { FaultSettingsInput } from '@p2c-sync/emulators';
import { SeededRandom } from '@p2c-sync/emulators';

export type Service = 'dataverse' | 'fno';

/** One disruption, `afterMs` after the previous one (the first: after the run started). */
export type ChaosAction =
  | { kind: 'kill-worker'; afterMs: number; downMs: number }
  | { kind: 'restart-server'; afterMs: number; downMs: number; sigkill: boolean }
  | { kind: 'fault-burst'; afterMs: number; service: Service; durationMs: number; faults: FaultSettingsInput }
  | { kind: 'outage'; afterMs: number; service: Service; durationMs: number; mode: '503' | 'refuse' };

export interface TrialPlan {
  trial: number;
  seed: number;
  accounts: number;
  emulators: Omit<EmulatorProcessOptions, 'generate' | 'seed'>;
  /** Latency the emulators keep between fault bursts (a run lasts long enough for the disruptions to land). */
  baseFaults: Record<Service, FaultSettingsInput>;
  limits: SyncLimitsOverride;
  input: { batchSize: number; maxConcurrentBatches: number; continueAsNewAfterEvents: number; heartbeatTimeoutSeconds: number };
  /**
   * Where the disruption clock starts. `preflight`: at the run's start, the first kill lands in the preflight
   * activity. `after-preflight`: once the run has passed preflight — a kill during preflight costs its 2-minute
   * start-to-close timeout (it has no heartbeat), so only every tenth trial pays that.
   */
  clock: 'preflight' | 'after-preflight';
  /** Executed in order while the run is in progress; whatever is left when it finishes is skipped. */
  actions: ChaosAction[];
}

/**
 * A trial drawn from its seed: data set, service limits (some tight enough to answer 429), worker settings, and a
 * sequence of disruptions at random moments — always a worker SIGKILL first, a server restart in every other trial,
 * then a mix of worker kills, fault bursts (5xx, resets, writes committed and never answered) and outages.
 */
export function planTrial(trial: number, baseSeed: number, maxAccounts: number): TrialPlan {
  const seed = baseSeed * 1000 + trial;
  const random = new SeededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(random.next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)] as T;

  const baseFaults: Record<Service, FaultSettingsInput> = {
    dataverse: { latencyMs: int(15, 40), jitterMs: 10, seed },
    fno: { latencyMs: int(30, 80), jitterMs: 20, seed: seed + 1 },
  };
  const dataverseLimits = pick([{}, { maxConcurrent: 3 }, { windowMs: 10_000, maxRequests: 300 }]);
  const fnoLimits = pick([{}, { maxConcurrent: 3 }, { requestBudget: 400, budgetWindowMs: 5_000 }]);

  const clock = trial % 10 === 0 ? 'preflight' : 'after-preflight';
  const actions: ChaosAction[] = [{ kind: 'kill-worker', afterMs: clock === 'preflight' ? int(700, 1500) : int(0, 6000), downMs: int(0, 2000) }];
  const restartAt = trial % 2 === 1 ? int(1, 3) : -1;
  for (let index = 1; index < 7; index += 1) {
    const afterMs = int(1000, 4000);
    if (index === restartAt) {
      actions.push({ kind: 'restart-server', afterMs, downMs: int(0, 2000), sigkill: random.next() < 0.5 });
      continue;
    }
    const roll = random.next();
    const service: Service = random.next() < 0.5 ? 'dataverse' : 'fno';
    if (roll < 0.25) actions.push({ kind: 'kill-worker', afterMs, downMs: int(0, 2000) });
    else if (roll < 0.75) {
      actions.push({
        kind: 'fault-burst',
        afterMs,
        service,
        durationMs: int(3000, 8000),
        faults: {
          errorRate: pick([0.05, 0.1, 0.2]),
          errorStatus: pick([500, 502, 503, 504] as const),
          resetRate: pick([0, 0.05, 0.1]),
          commitThenTimeoutRate: pick([0.05, 0.15]),
          commitThenTimeoutMode: pick(['hang', 'reset'] as const),
          hangMs: int(300, 1500),
        },
      });
    } else actions.push({ kind: 'outage', afterMs, service, durationMs: int(1000, 4000), mode: pick(['503', 'refuse'] as const) });
  }

  // Two trials in three continue as new (small units, low threshold: several continuations per run) under the
  // disruptions; the others keep one execution.
  const continueAsNewAfterEvents = pick([100, 100, 4000]);
  const batchSize = continueAsNewAfterEvents < 4000 ? 50 : pick([100, 200]);
  return {
    trial,
    seed,
    accounts: int(Math.ceil(maxAccounts / 2), maxAccounts),
    emulators: { dataverseLimits, fnoLimits, dataverseFaults: baseFaults.dataverse, fnoFaults: baseFaults.fno },
    baseFaults,
    clock,
    limits: { fnoWriteBatchSize: pick([5, 10, 25]), dataverseConcurrency: int(2, 8), fnoConcurrency: int(2, 6) },
    input: {
      batchSize,
      maxConcurrentBatches: int(2, 5),
      continueAsNewAfterEvents,
      heartbeatTimeoutSeconds: 5,
    },
    actions,
  };
}

export function describeAction(action: ChaosAction): string {
  switch (action.kind) {
    case 'kill-worker':
      return `SIGKILL worker (down ${action.downMs} ms)`;
    case 'restart-server':
      return `${action.sigkill ? 'SIGKILL' : 'stop'} Temporal server (down ${action.downMs} ms)`;
    case 'fault-burst': {
      const f = action.faults;
      return `${action.service} faults ${action.durationMs} ms: ${f.errorRate}x${f.errorStatus}, resets ${f.resetRate}, commit-then-${f.commitThenTimeoutMode} ${f.commitThenTimeoutRate}`;
    }
    case 'outage':
      return `${action.service} outage ${action.mode} ${action.durationMs} ms`;
  }
}
