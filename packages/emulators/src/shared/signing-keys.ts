import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** An RSA key pair the Entra emulator signs access tokens with and the resource emulators verify with. */
export interface SigningKeys {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as a JWKS entry (served at the authority's `jwks_uri`). */
  readonly jwk: Record<string, unknown>;
}

export function createSigningKeys(): SigningKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const exported = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(String(exported.n)).digest('base64url').slice(0, 27);
  return { kid, privateKey, publicKey, jwk: { ...exported, kid, use: 'sig', alg: 'RS256', kty: 'RSA' } };
}

let processKeys: SigningKeys | undefined;

/**
 * The per-process key. All three emulators run in one process, so sharing it needs no wiring: a token issued by
 * any Entra emulator of this process verifies in any Dataverse/F&O emulator of this process, and tokens from an
 * earlier process (e.g. before a restart with a state directory) are refused with 401 — the client refreshes.
 */
export function processSigningKeys(): SigningKeys {
  processKeys ??= createSigningKeys();
  return processKeys;
}
