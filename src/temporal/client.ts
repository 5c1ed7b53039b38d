import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { clientDataConverter, payloadCodecFromEnvironment } from './data-converter';

export interface TemporalClientSettings {
  address: string;
  namespace: string;
  /**
   * Decrypts results and encrypts inputs; read from the environment (`P2C_PAYLOAD_KEYS`, …) when omitted, like the
   * worker's. `null` connects without a codec: a client that sees history exactly as the server stores it.
   */
  payloadCodec?: PayloadCodec | null;
}

export interface ConnectedClient {
  client: Client;
  close(): Promise<void>;
}

/**
 * The one way the product's own tools (CLI, demo, benchmarks) connect to Temporal as a client. Refuses (with a
 * `ConfigurationError`) when the environment has no payload key and plaintext was not allowed, before connecting.
 */
export async function connectClient(settings: TemporalClientSettings): Promise<ConnectedClient> {
  const codec = settings.payloadCodec === undefined ? payloadCodecFromEnvironment(process.env) : (settings.payloadCodec ?? undefined);
  const connection = await Connection.connect({ address: settings.address });
  const client = new Client({ connection, namespace: settings.namespace, dataConverter: clientDataConverter(codec) });
  return { client, close: () => connection.close() };
}

/** Deterministic per pipeline, so Temporal itself refuses a second concurrent run of the same pipeline. */
export function pipelineWorkflowId(pipeline: string): string {
  return `p2c-sync-${pipeline}`;
}
