import { sign, verify } from 'node:crypto';
import { z } from 'zod';
import type { SigningKeys } from './signing-keys';

/** The claims the emulated Entra ID puts into an app-only (client-credentials) access token, v1 style. */
export const accessTokenClaimsSchema = z.object({
  aud: z.string(),
  iss: z.string(),
  iat: z.number(),
  nbf: z.number(),
  exp: z.number(),
  appid: z.string(),
  azp: z.string().optional(),
  tid: z.string(),
  oid: z.string(),
  sub: z.string(),
  idtyp: z.string().optional(),
  ver: z.string(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;

const headerSchema = z.object({ alg: z.literal('RS256'), typ: z.string().optional(), kid: z.string() });

/** Compact JWS with RS256 — node:crypto does the cryptography; this file only does the encoding. */
export function signJwt(claims: AccessTokenClaims, keys: SigningKeys): string {
  const header = { typ: 'JWT', alg: 'RS256', kid: keys.kid, x5t: keys.kid };
  const signingInput = `${encode(header)}.${encode(claims)}`;
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), keys.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

export type JwtCheck = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: string };

/** Checks form, algorithm, key id and signature (not time or audience — the verifier does those). */
export function verifyJwtSignature(token: string, keys: SigningKeys): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'the token is not a compact JWS' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = headerSchema.safeParse(decode(headerPart));
  if (!header.success) return { ok: false, reason: 'unsupported token header' };
  if (header.data.kid !== keys.kid) return { ok: false, reason: 'the token was signed by an unknown key' };
  const valid = verify(
    'RSA-SHA256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    keys.publicKey,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!valid) return { ok: false, reason: 'invalid token signature' };
  const claims = accessTokenClaimsSchema.safeParse(decode(payloadPart));
  if (!claims.success) return { ok: false, reason: 'the token lacks required claims' };
  return { ok: true, claims: claims.data };
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
