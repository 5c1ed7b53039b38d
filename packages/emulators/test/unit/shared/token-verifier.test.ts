import { describe, expect, it } from 'vitest';
import { signJwt, type AccessTokenClaims } from '../../../src/shared/jwt';
import { createSigningKeys } from '../../../src/shared/signing-keys';
import { TokenVerifier } from '../../../src/shared/token-verifier';

const keys = createSigningKeys();
const otherKeys = createSigningKeys();

function claims(overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims {
  return {
    aud: 'http://127.0.0.1:5000',
    iss: 'https://127.0.0.1:4000/tenant/',
    iat: 1_000,
    nbf: 1_000,
    exp: 4_600,
    appid: 'p2c-sync',
    tid: 'tenant',
    oid: 'oid',
    sub: 'oid',
    ver: '1.0',
    ...overrides,
  };
}

describe('TokenVerifier', () => {
  let now = 2_000;
  const verifier = new TokenVerifier({ keys, nowSeconds: () => now });

  it('accepts a signed, current token for this resource and names the client', () => {
    const token = signJwt(claims(), keys);
    expect(verifier.verify(`Bearer ${token}`, 'http://127.0.0.1:5000')).toEqual({ ok: true, clientId: 'p2c-sync' });
    // Resource URIs compare without trailing slash and case.
    expect(verifier.verify(`bearer ${token}`, ['http://other', 'HTTP://127.0.0.1:5000/'])).toEqual({
      ok: true,
      clientId: 'p2c-sync',
    });
  });

  it('refuses missing, malformed, foreign, tampered, expired and misdirected tokens with a reason', () => {
    const token = signJwt(claims(), keys);
    const reasons = [
      verifier.verify(undefined, 'http://127.0.0.1:5000'),
      verifier.verify(`Basic ${token}`, 'http://127.0.0.1:5000'),
      verifier.verify('Bearer abc', 'http://127.0.0.1:5000'),
      verifier.verify(`Bearer ${signJwt(claims(), otherKeys)}`, 'http://127.0.0.1:5000'),
      verifier.verify(`Bearer ${token.slice(0, -4)}AAAA`, 'http://127.0.0.1:5000'),
      verifier.verify(`Bearer ${token}`, 'http://127.0.0.1:5001'),
    ].map((check) => (check.ok ? 'accepted' : check.reason));
    expect(reasons).toEqual([
      'missing Authorization header',
      'the Authorization header is not a Bearer token',
      'the token is not a compact JWS',
      'the token was signed by an unknown key',
      'invalid token signature',
      "the token's audience 'http://127.0.0.1:5000' is not this resource",
    ]);
    now = 4_600;
    expect(verifier.verify(`Bearer ${token}`, 'http://127.0.0.1:5000')).toEqual({
      ok: false,
      reason: 'the token has expired',
    });
    now = 2_000;
    const future = signJwt(claims({ nbf: 9_000, exp: 12_000 }), keys);
    expect(verifier.verify(`Bearer ${future}`, 'http://127.0.0.1:5000')).toEqual({
      ok: false,
      reason: 'the token is not valid yet',
    });
  });

  it('refuses a token whose payload was swapped for another, even when the swap is well-formed', () => {
    const genuine = signJwt(claims(), keys).split('.');
    const forgedPayload = Buffer.from(JSON.stringify(claims({ appid: 'intruder' }))).toString('base64url');
    const forged = [genuine[0], forgedPayload, genuine[2]].join('.');
    expect(verifier.verify(`Bearer ${forged}`, 'http://127.0.0.1:5000')).toEqual({
      ok: false,
      reason: 'invalid token signature',
    });
  });
});
