import { HttpClient } from '../../../src/connectors/http-client';
import type { ServiceConnection } from '../../../src/connectors/service-connection';
import { type EmulatorOptions, type RunningEmulators, startEmulators } from '@p2c-sync/emulators';

export interface ConnectorEmulators {
  emulators: RunningEmulators;
  http: HttpClient;
  dataverse: ServiceConnection;
  fno: ServiceConnection;
  close(): Promise<void>;
}

/**
 * The three emulators on real sockets plus what production wiring gives the clients: an HttpClient trusting the
 * emulated authority's CA and the connections. Each test file starts its own set (its own limits and data).
 */
export async function startConnectorEmulators(options: EmulatorOptions = {}): Promise<ConnectorEmulators> {
  const emulators = await startEmulators(options);
  const http = new HttpClient({ caPem: emulators.entra.caCertPem });
  const common = {
    authority: emulators.entra.authority,
    tenantId: emulators.entra.tenantId,
    clientId: emulators.client.clientId,
    clientSecret: emulators.client.clientSecret,
  };
  return {
    emulators,
    http,
    dataverse: { ...common, url: emulators.dataverse.url },
    fno: { ...common, url: emulators.fno.url },
    close: async () => {
      await http.close();
      await emulators.close();
    },
  };
}

/** Awaits a promise expected to fail and returns what it threw. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(
    () => {
      throw new Error('expected a failure, but the call succeeded');
    },
    (error: unknown) => error,
  );
}
