import { emulatorSyncConfig } from './emulator-profile';
import { parseSyncConfig, type LoadedConfig } from '../config/sync-config';
import type { RunningEmulators } from '@p2c-sync/emulators';
import { connectDependencies, type ConnectedDependencies } from '../activities/dependencies';

/**
 * The emulator profile's configuration and the production connectors for emulators running in this process (demo,
 * tests): the emulators differ from a tenant only by URLs, authority, credentials and the CA of their certificate.
 */
export function connectToEmulators(
  emulators: RunningEmulators,
  overrides: Record<string, unknown> = {},
): { loaded: LoadedConfig; deps: ConnectedDependencies } {
  const loaded = parseSyncConfig(
    emulatorSyncConfig(
      {
        dataverseUrl: emulators.dataverse.url,
        fnoUrl: emulators.fno.url,
        authority: emulators.entra.authority,
        tenantId: emulators.entra.tenantId,
        clientId: emulators.client.clientId,
      },
      overrides,
    ),
  );
  const secret = emulators.client.clientSecret;
  const deps = connectDependencies(loaded, { dataverse: secret, fno: secret }, { caPem: emulators.entra.caCertPem });
  return { loaded, deps };
}
