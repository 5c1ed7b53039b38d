import { EncryptionCodec } from '../codec/encryption-codec';
import { isLoopbackOrigin, startCodecServer } from '../codec/codec-server';
import { generatePayloadKey, loadPayloadProtection } from '../codec/payload-keys';

export interface DemoCodec {
  payloadCodec: EncryptionCodec;
  /** For `startDevServer({ uiCodecEndpoint })`: the UI decodes through it. */
  endpoint: string;
  /** The key made for this run (`P2C_PAYLOAD_KEYS` form), when the environment had none. */
  generatedKeys?: string;
  close(): Promise<void>;
}

/**
 * The demo's payload protection: the keys of the environment when it has some, otherwise a key made for this run
 * (the demo's history lives in an in-memory dev server and its data is generated, so nothing outlives the key).
 * Always encrypted, so the demo shows what production does, with a codec endpoint on loopback for the local UI.
 */
export async function startDemoCodec(env: NodeJS.ProcessEnv = process.env): Promise<DemoCodec> {
  const configured = Boolean(env.P2C_PAYLOAD_KEYS || env.P2C_PAYLOAD_KEY_FILE);
  const generatedKeys = configured ? undefined : generatePayloadKey('demo');
  const protection = loadPayloadProtection(generatedKeys ? { P2C_PAYLOAD_KEYS: generatedKeys } : env);
  if (protection.kind !== 'encrypted') throw new Error('the demo always encrypts payloads');
  const payloadCodec = new EncryptionCodec(protection.keyring);
  const server = await startCodecServer({ codec: payloadCodec, corsOrigins: isLoopbackOrigin });
  return { payloadCodec, endpoint: server.url, ...(generatedKeys ? { generatedKeys } : {}), close: () => server.close() };
}
