import path from 'node:path';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { EncryptionCodec } from '../codec/encryption-codec';
import { MarkUndecodableWorkflowPayloads } from '../codec/mark-undecodable-payloads';
import { loadPayloadProtection } from '../codec/payload-keys';

/** The failure converter that encodes messages and stack traces; bundled into workflows and required by the worker. */
export const failureConverterPath = path.join(__dirname, '..', 'codec', 'failure-converter.ts');

/** The payload codec the environment asks for: encryption with its keys, or none when plaintext was allowed on purpose. */
export function payloadCodecFromEnvironment(env: NodeJS.ProcessEnv = process.env): PayloadCodec | undefined {
  const protection = loadPayloadProtection(env);
  return protection.kind === 'encrypted' ? new EncryptionCodec(protection.keyring) : undefined;
}

/**
 * What a worker converts with: every payload (workflow and activity inputs and results, heartbeats, queries,
 * signals, failure details) through the codec, and failure messages encoded as payloads so the codec covers them
 * too. The SDK `require`s the failure converter by path (production runs under tsx). A workflow input the worker
 * cannot decode reaches the workflow as a marker its validation refuses, so the run fails with the reason instead
 * of retrying its first workflow task for ever.
 */
export function workerDataConverter(codec: PayloadCodec | undefined): DataConverter {
  return { payloadCodecs: [new MarkUndecodableWorkflowPayloads(codec)], failureConverterPath };
}

/**
 * What a client converts with. Clients decode failures with the default converter (which reads encoded messages
 * whatever its own setting) and never raise workflow failures, so the codec is all they need.
 */
export function clientDataConverter(codec: PayloadCodec | undefined): DataConverter {
  return { payloadCodecs: codec ? [codec] : [] };
}
