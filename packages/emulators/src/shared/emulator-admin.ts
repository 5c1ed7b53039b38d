import type { FaultInjector } from './fault-injector';
import type { ServiceCounters } from './service-counters';

/** The in-process handle on one emulator's faults and counters (what `/_admin` exposes over HTTP). */
export interface EmulatorAdmin {
  readonly counters: ServiceCounters;
  readonly faults: FaultInjector;
}
