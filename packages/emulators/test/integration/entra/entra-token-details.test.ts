import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraEmulator, type EntraEmulator } from '../../../src/entra';
import { listenOn, processSigningKeys, verifyJwtSignature } from '../../../src/shared';

// Details of the token endpoint that docs/fidelity.md lists and entra-emulator.test.ts does not pin: the v1 form,
// tenant aliases, the scopes MSAL adds, the claims of an app-only token and the caching headers.

const resource = 'https://org.crm.dynamics.com';
let entra: EntraEmulator;
let authority: string;
let trusting: Agent;

beforeAll(async () => {
  entra = await createEntraEmulator({
    clients: [{ clientId: 'p2c-sync', clientSecret: 'secret-1' }],
    tenantAliases: ['Contoso.onmicrosoft.com'],
    resources: () => [resource, 'https://env.operations.dynamics.com'],
  });
  authority = `https://127.0.0.1:${await listenOn(entra.app, '127.0.0.1')}`;
  trusting = new Agent({ connect: { ca: entra.caCertPem } });
});

afterAll(async () => {
  await trusting.close();
  await entra.app.close();
});

async function post(path: string, form: Record<string, string>) {
  const response = await request(`${authority}${path}`, {
    method: 'POST',
    dispatcher: trusting,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as Record<string, unknown> };
}

function claimsOf(body: Record<string, unknown>) {
  const checked = verifyJwtSignature(String(body.access_token), processSigningKeys());
  if (!checked.ok) throw new Error(checked.reason);
  return checked.claims;
}

const credentials = { grant_type: 'client_credentials', client_id: 'p2c-sync', client_secret: 'secret-1' };

describe('Entra ID emulator: token endpoint details', () => {
  it('issues v1-style app-only claims: aud = resource, appid, tid, idtyp app, ver 1.0, a stable oid; no-store caching', async () => {
    const first = await post(`/${entra.tenantId}/oauth2/v2.0/token`, { ...credentials, scope: `${resource}/.default` });
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store, no-cache');
    const claims = claimsOf(first.body);
    expect(claims).toMatchObject({ aud: resource, appid: 'p2c-sync', azp: 'p2c-sync', tid: entra.tenantId, idtyp: 'app', ver: '1.0' });
    expect(claims.iss).toBe(`${authority}/${entra.tenantId}/`);
    const second = await post(`/${entra.tenantId}/oauth2/v2.0/token`, { ...credentials, scope: 'https://env.operations.dynamics.com/.default' });
    const other = claimsOf(second.body);
    expect(other.aud).toBe('https://env.operations.dynamics.com');
    expect(other.oid).toBe(claims.oid); // one service principal per client
  });

  it('ignores the OpenID scopes MSAL adds, and refuses a scope list naming two resources', async () => {
    const withOidc = await post(`/${entra.tenantId}/oauth2/v2.0/token`, { ...credentials, scope: `openid profile offline_access ${resource}/.default` });
    expect(withOidc.status).toBe(200);
    expect(claimsOf(withOidc.body).aud).toBe(resource);
    const two = await post(`/${entra.tenantId}/oauth2/v2.0/token`, {
      ...credentials,
      scope: `${resource}/.default https://env.operations.dynamics.com/.default`,
    });
    expect(two.status).toBe(400);
    expect(two.body).toMatchObject({ error: 'invalid_scope', error_codes: [1002012] });
  });

  it('answers to a tenant alias (case-insensitively) as to the tenant id', async () => {
    const byAlias = await post('/contoso.onmicrosoft.com/oauth2/v2.0/token', { ...credentials, scope: `${resource}/.default` });
    expect(byAlias.status).toBe(200);
    expect(claimsOf(byAlias.body).tid).toBe(entra.tenantId);
  });

  it('serves the v1 endpoint, naming the resource with `resource` instead of a scope', async () => {
    const v1 = await post(`/${entra.tenantId}/oauth2/token`, { ...credentials, resource: `${resource}/` });
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(claimsOf(v1.body).aud).toBe(resource);
    const unknown = await post(`/${entra.tenantId}/oauth2/token`, { ...credentials, resource: 'https://elsewhere.example' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'invalid_resource', error_codes: [500011] });
  });
});
