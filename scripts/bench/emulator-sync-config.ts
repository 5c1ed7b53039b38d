import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectDependencies, type ConnectedDependencies } from '../../src/activities/dependencies';
import { emulatorSyncConfig } from '../../src/dev/emulator-profile';
import { parseSyncConfig, type LoadedConfig } from '../../src/config/sync-config';
import type { EmulatorProcess } from './emulator-process';

export interface SyncLimitsOverride {
  dataverseConcurrency?: number;
  fnoConcurrency?: number;
  fnoWriteBatchSize?: number;
  numberingConcurrency?: number;
  numberingBatchSize?: number;
  maxThrottleWaitSeconds?: number;
  requestTimeoutSeconds?: number;
  /**
   * Not a `limits` setting: written to `connections.dataverse.serviceProtection` (the pacer's budgets). Default: the
   * limits the emulator process was started with.
   */
  dataverseServiceProtection?: { windowSeconds?: number; maxRequests?: number; maxExecutionSeconds?: number; pace?: boolean };
}

/**
 * The emulator profile's sync configuration for emulators running as a process, written to a file a worker process
 * is started with (the CA of the emulated authority is a file the emulators wrote).
 */
export function writeEmulatorSyncConfig(
  emulators: EmulatorProcess,
  directory: string,
  override: SyncLimitsOverride = {},
  settings: { deactivation?: 'ignore' | 'block' } = {},
): { file: string; loaded: LoadedConfig } {
  const { endpoints } = emulators;
  const { dataverseServiceProtection, ...limits } = override;
  const raw = emulatorSyncConfig(
    {
      dataverseUrl: endpoints.dataverseUrl,
      fnoUrl: endpoints.fnoUrl,
      authority: endpoints.authority,
      tenantId: endpoints.tenantId,
      clientId: endpoints.clientId,
      caFile: endpoints.caCertFile,
    },
    { ...settings, ...(Object.keys(limits).length > 0 ? { limits } : {}) },
  );
  // The worker paces itself to the budgets the emulator enforces, as it does to Microsoft's by default.
  const enforced = emulators.dataverseLimits;
  const serviceProtection =
    dataverseServiceProtection ??
    (enforced
      ? {
          ...(enforced.windowMs === undefined ? {} : { windowSeconds: enforced.windowMs / 1000 }),
          ...(enforced.maxRequests === undefined ? {} : { maxRequests: enforced.maxRequests }),
          ...(enforced.maxExecutionMs === undefined ? {} : { maxExecutionSeconds: enforced.maxExecutionMs / 1000 }),
        }
      : undefined);
  if (serviceProtection) {
    const connections = raw.connections as { dataverse: Record<string, unknown> };
    connections.dataverse = { ...connections.dataverse, serviceProtection };
  }
  const loaded = parseSyncConfig(raw);
  const file = path.join(directory, 'sync-config.json');
  writeFileSync(file, JSON.stringify(raw, null, 2));
  return { file, loaded };
}

/** The production connectors against the emulator process, for a caller that reads or writes outside the worker. */
export function connectToEmulatorProcess(emulators: EmulatorProcess, loaded: LoadedConfig): ConnectedDependencies {
  return connectDependencies(loaded, { dataverse: emulators.clientSecret, fno: emulators.clientSecret });
}
