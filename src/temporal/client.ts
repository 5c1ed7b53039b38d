import { Client, Connection } from '@temporalio/client';

export interface TemporalClientSettings {
  address: string;
  namespace: string;
}

export interface ConnectedClient {
  client: Client;
  close(): Promise<void>;
}

/** The one way the product's own tools (CLI, demo, benchmarks) connect to Temporal as a client. */
export async function connectClient(settings: TemporalClientSettings): Promise<ConnectedClient> {
  const connection = await Connection.connect({ address: settings.address });
  const client = new Client({ connection, namespace: settings.namespace });
  return { client, close: () => connection.close() };
}

/** Deterministic per pipeline, so Temporal itself refuses a second concurrent run of the same pipeline. */
export function pipelineWorkflowId(pipeline: string): string {
  return `p2c-sync-${pipeline}`;
}
