import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { explainConnectionFailure } from './connection-failure';
import { describeConnection, type TemporalConnectionOptions } from './connection-settings';
import { clientDataConverter, payloadCodecFromEnvironment } from './data-converter';

export interface TemporalClientSettings {
  address: string;
  namespace: string;
  /** TLS, API key and gRPC metadata from `loadTemporalConnection`; plain gRPC to `address` when omitted (the dev server). */
  connectionOptions?: TemporalConnectionOptions;
  /** How errors name the endpoint (`loadTemporalConnection` makes one); the address when omitted. */
  description?: string;
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
 * `ConfigurationError`) when the environment has no payload key and plaintext was not allowed, before connecting;
 * a failed connection ends in a `TemporalConnectionError` that names the endpoint and the cause.
 */
export async function connectClient(settings: TemporalClientSettings): Promise<ConnectedClient> {
  const codec = settings.payloadCodec === undefined ? payloadCodecFromEnvironment(process.env) : (settings.payloadCodec ?? undefined);
  const connectionOptions = settings.connectionOptions ?? { address: settings.address };
  let connection: Connection;
  try {
    connection = await Connection.connect(connectionOptions);
  } catch (error) {
    throw await explainConnectionFailure(error, {
      address: settings.address,
      namespace: settings.namespace,
      connectionOptions,
      description: settings.description ?? describeConnection(connectionOptions, settings.namespace),
    });
  }
  const client = new Client({ connection, namespace: settings.namespace, dataConverter: clientDataConverter(codec) });
  return { client, close: () => connection.close() };
}

/** Deterministic per pipeline, so Temporal itself refuses a second concurrent run of the same pipeline. */
export function pipelineWorkflowId(pipeline: string): string {
  return `p2c-sync-${pipeline}`;
}
