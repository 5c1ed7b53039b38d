import { type AccessTokenClaims, verifyJwtSignature } from './jwt';
import { processSigningKeys, type SigningKeys } from './signing-keys';

export type TokenCheck = { ok: true; clientId: string } | { ok: false; reason: string };

export interface TokenVerifierOptions {
  keys?: SigningKeys;
  /** Seconds since the epoch; injectable so expiry can be tested without waiting. */
  nowSeconds?: () => number;
}

/** RSA verification costs far more than a map look-up; a page-through run presents one token thousands of times. */
const maxCachedTokens = 10_000;

/**
 * Checks the `Authorization` header of a request to a resource emulator: Bearer scheme, signature by the Entra
 * emulator's key, not yet valid / expired, and audience (the resource URL, compared without trailing slash and
 * case-insensitively, as Entra treats resource URIs).
 */
export class TokenVerifier {
  private readonly keys: SigningKeys;
  private readonly nowSeconds: () => number;
  private readonly verified = new Map<string, AccessTokenClaims>();

  constructor(options: TokenVerifierOptions = {}) {
    this.keys = options.keys ?? processSigningKeys();
    this.nowSeconds = options.nowSeconds ?? (() => Date.now() / 1000);
  }

  verify(authorizationHeader: string | undefined, audience: string | readonly string[]): TokenCheck {
    if (!authorizationHeader) return { ok: false, reason: 'missing Authorization header' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorizationHeader);
    if (!match?.[1]) return { ok: false, reason: 'the Authorization header is not a Bearer token' };
    const token = match[1];
    let claims = this.verified.get(token);
    if (!claims) {
      const checked = verifyJwtSignature(token, this.keys);
      if (!checked.ok) return checked;
      claims = checked.claims;
      if (this.verified.size >= maxCachedTokens) this.verified.clear();
      this.verified.set(token, claims);
    }
    const now = this.nowSeconds();
    if (now >= claims.exp) return { ok: false, reason: 'the token has expired' };
    if (now + 300 < claims.nbf) return { ok: false, reason: 'the token is not valid yet' };
    const audiences = typeof audience === 'string' ? [audience] : audience;
    const tokenAudience = normalizeResource(claims.aud);
    if (!audiences.some((candidate) => normalizeResource(candidate) === tokenAudience)) {
      return { ok: false, reason: `the token's audience '${claims.aud}' is not this resource` };
    }
    return { ok: true, clientId: claims.appid };
  }
}

export function normalizeResource(resource: string): string {
  return resource.replace(/\/+$/, '').toLowerCase();
}
