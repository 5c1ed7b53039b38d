import type { Client } from '@temporalio/client';
import { ConfigurationError } from '../config/worker-environment';
import { connectClient } from '../temporal/client';
import { CliError } from './cli-error';
import type { GlobalSettings } from './global-options';

/** Connects (through the product's one client factory, with its data converter), runs `work`, always disconnects. */
export async function withTemporal<T>(settings: GlobalSettings, work: (client: Client) => Promise<T>): Promise<T> {
  let connected: Awaited<ReturnType<typeof connectClient>>;
  try {
    connected = await connectClient({ address: settings.address, namespace: settings.namespace });
  } catch (error) {
    // Settings the operator must fix (a missing payload key) are not connection problems.
    if (error instanceof ConfigurationError) throw error;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CliError(`cannot reach Temporal at ${settings.address}: ${reason}`);
  }
  try {
    return await work(connected.client);
  } finally {
    await connected.close();
  }
}
