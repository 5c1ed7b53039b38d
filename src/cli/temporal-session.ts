import type { Client } from '@temporalio/client';
import { connectClient } from '../temporal/client';
import { TemporalConnectionError } from '../temporal/connection-failure';
import { CliError } from './cli-error';
import type { GlobalSettings } from './global-options';

/** Connects (through the product's one client factory, with its data converter), runs `work`, always disconnects. */
export async function withTemporal<T>(settings: GlobalSettings, work: (client: Client) => Promise<T>): Promise<T> {
  let connected: Awaited<ReturnType<typeof connectClient>>;
  try {
    connected = await connectClient(settings);
  } catch (error) {
    // Already one sentence naming the endpoint and the cause; settings the operator must fix (a missing payload key)
    // pass through as they are.
    if (error instanceof TemporalConnectionError) throw new CliError(error.message);
    throw error;
  }
  try {
    return await work(connected.client);
  } finally {
    await connected.close();
  }
}
