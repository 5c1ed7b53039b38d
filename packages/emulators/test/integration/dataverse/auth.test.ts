import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../../src/shared';
import { type DataverseHarness, errorOf, sampleAccount, startDataverse } from './dataverse-harness';

describe('Dataverse emulator: bearer tokens', () => {
  let dv: DataverseHarness;
  beforeAll(async () => {
    dv = await startDataverse();
    dv.emulator.store.insertAccounts([sampleAccount(1)]);
  });
  afterAll(async () => dv?.close());

  it.each([
    ['no Authorization header', () => null],
    ['a Basic header', () => 'basic'],
    ['an expired token', () => dv.token({ exp: Math.floor(Date.now() / 1000) - 1 })],
    ['a token for another resource', () => dv.token({ aud: 'https://contoso.crm.dynamics.com' })],
    ['a token with a forged signature', () => `${dv.token().slice(0, -8)}AAAAAAAA`],
  ])('refuses %s with 401 in the Dataverse error shape', async (_label, token) => {
    const value = token();
    const response = await dv.send('GET', 'accounts?$select=name', value === 'basic' ? { token: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } } : { token: value });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(errorOf(response).code).toBe('0x80072560');
    expect(errorOf(response).message.length).toBeGreaterThan(10);
  });

  it('accepts the token whose audience is the URL the client called (trailing slash and case ignored)', async () => {
    expect((await dv.send('GET', 'WhoAmI()', { token: dv.token({ aud: `${dv.origin.toUpperCase().replace('HTTP', 'http')}/` }) })).status).toBe(200);
  });

  it('checks a configured resource URL instead, when given one (as behind a real host name)', async () => {
    const resource = 'https://contoso.crm.dynamics.com';
    const named = await startDataverse({ audiences: [resource], verifier: new TokenVerifier() });
    try {
      expect((await named.send('GET', 'WhoAmI()', { token: named.token({ aud: resource }) })).status).toBe(200);
      expect((await named.send('GET', 'WhoAmI()')).status).toBe(401);
    } finally {
      await named.close();
    }
  });

  it('lets /_admin through without a token', async () => {
    expect((await dv.send('GET', `${dv.origin}/_admin/health`, { token: null })).json).toMatchObject({ status: 'ok', service: 'dataverse', accounts: 1 });
  });
});
