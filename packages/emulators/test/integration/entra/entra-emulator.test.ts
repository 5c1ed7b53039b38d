import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caFilePath, createEntraEmulator, type EntraEmulator } from '../../../src/entra';
import { listenOn, processSigningKeys, TokenVerifier, verifyJwtSignature } from '../../../src/shared';
import { UndiciNetworkModule } from './undici-network-module';

const resource = 'http://127.0.0.1:48080';
let entra: EntraEmulator;
let authority: string;
let trusting: Agent;

beforeAll(async () => {
  entra = await createEntraEmulator({
    clients: [{ clientId: 'p2c-sync', clientSecret: 's3cret+/=' }],
    tokenLifetimeSeconds: 600,
    resources: () => [resource, 'https://org.crm.dynamics.com'],
  });
  const port = await listenOn(entra.app, '127.0.0.1');
  authority = `https://127.0.0.1:${port}`;
  trusting = new Agent({ connect: { ca: entra.caCertPem } });
});

afterAll(async () => {
  await trusting.close();
  await entra.app.close();
});

async function postToken(form: Record<string, string>, headers: Record<string, string> = {}, tenant = entra.tenantId) {
  const response = await request(`${authority}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    dispatcher: trusting,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

const goodForm = {
  grant_type: 'client_credentials',
  client_id: 'p2c-sync',
  client_secret: 's3cret+/=',
  scope: `${resource}/.default`,
};

describe('Entra ID emulator', () => {
  it('issues tokens to an unmodified MSAL ConfidentialClientApplication over TLS it was told to trust', async () => {
    const networkClient = new UndiciNetworkModule(entra.caCertPem);
    const warnings: string[] = [];
    const msal = new ConfidentialClientApplication({
      auth: {
        clientId: 'p2c-sync',
        clientSecret: 's3cret+/=',
        authority: `${authority}/${entra.tenantId}`,
        // Without it MSAL asks login.microsoftonline.com which hosts are Microsoft's.
        knownAuthorities: [new URL(authority).host],
      },
      system: {
        networkClient,
        loggerOptions: {
          logLevel: LogLevel.Warning,
          piiLoggingEnabled: false,
          loggerCallback: (_level, message) => warnings.push(message),
        },
      },
    });
    try {
      const result = await msal.acquireTokenByClientCredential({ scopes: [`${resource}/.default`] });
      expect(result?.tokenType).toBe('Bearer');
      expect(result?.expiresOn?.getTime()).toBeGreaterThan(Date.now() + 590_000);
      const accessToken = result?.accessToken ?? '';
      expect(new TokenVerifier().verify(`Bearer ${accessToken}`, resource)).toEqual({ ok: true, clientId: 'p2c-sync' });
      expect(networkClient.requests).toEqual([
        `GET /${entra.tenantId}/v2.0/.well-known/openid-configuration`,
        `POST /${entra.tenantId}/oauth2/v2.0/token`,
      ]);
      // The second call is answered from MSAL's cache: no new request.
      const again = await msal.acquireTokenByClientCredential({ scopes: [`${resource}/.default`] });
      expect(again?.accessToken).toBe(accessToken);
      expect(networkClient.requests).toHaveLength(2);
      expect(entra.admin.counters.snapshot().other.tokensIssued).toBeGreaterThanOrEqual(1);
    } finally {
      await networkClient.close();
    }
  });

  it('refuses TLS to a client that does not trust the CA', async () => {
    const error = await request(`${authority}/${entra.tenantId}/v2.0/.well-known/openid-configuration`).catch(
      (caught: unknown) => caught as { code?: string },
    );
    expect((error as { code?: string }).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });

  it('serves discovery and the signing key', async () => {
    const metadata = (await request(`${authority}/${entra.tenantId}/v2.0/.well-known/openid-configuration`, {
      dispatcher: trusting,
    }).then((r) => r.body.json())) as Record<string, string>;
    expect(metadata).toMatchObject({
      issuer: `${authority}/${entra.tenantId}/v2.0`,
      token_endpoint: `${authority}/${entra.tenantId}/oauth2/v2.0/token`,
      authorization_endpoint: `${authority}/${entra.tenantId}/oauth2/v2.0/authorize`,
    });
    const jwks = (await request(metadata.jwks_uri ?? '', { dispatcher: trusting }).then((r) => r.body.json())) as {
      keys: Array<{ kid: string; kty: string }>;
    };
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: processSigningKeys().kid, kty: 'RSA', alg: 'RS256' })]);
    const unknown = await request(`${authority}/nope/v2.0/.well-known/openid-configuration`, { dispatcher: trusting });
    expect(unknown.statusCode).toBe(400);
    expect(await unknown.body.json()).toMatchObject({ error: 'invalid_request', error_codes: [90002] });
  });

  it('answers the client-credentials grant with a token for the resource and the configured lifetime', async () => {
    const { status, body } = await postToken(goodForm);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, ext_expires_in: 600 });
    const checked = verifyJwtSignature(String(body.access_token), processSigningKeys());
    if (!checked.ok) throw new Error(checked.reason);
    expect(checked.claims).toMatchObject({ aud: resource, appid: 'p2c-sync', tid: entra.tenantId });
    expect(checked.claims.exp - checked.claims.iat).toBe(600);
    // client_secret_basic works too.
    const basic = Buffer.from(`p2c-sync:${encodeURIComponent('s3cret+/=')}`).toString('base64');
    const viaBasic = await postToken(
      { grant_type: 'client_credentials', scope: 'https://org.crm.dynamics.com/.default' },
      { authorization: `Basic ${basic}` },
    );
    expect(viaBasic.status).toBe(200);
  });

  it.each([
    ['unknown tenant', goodForm, 'other-tenant', 400, 'invalid_request', 90002],
    ['missing grant_type', { ...goodForm, grant_type: '' }, undefined, 400, 'invalid_request', 900144],
    ['wrong grant_type', { ...goodForm, grant_type: 'password' }, undefined, 400, 'unsupported_grant_type', 70003],
    ['unknown client', { ...goodForm, client_id: 'someone' }, undefined, 400, 'unauthorized_client', 700016],
    ['missing secret', { grant_type: 'client_credentials', client_id: 'p2c-sync', scope: goodForm.scope }, undefined, 401, 'invalid_client', 7000218],
    ['wrong secret', { ...goodForm, client_secret: 'guess' }, undefined, 401, 'invalid_client', 7000215],
    ['missing scope', { grant_type: 'client_credentials', client_id: 'p2c-sync', client_secret: 's3cret+/=' }, undefined, 400, 'invalid_request', 900144],
    ['scope without /.default', { ...goodForm, scope: `${resource}/user_impersonation` }, undefined, 400, 'invalid_scope', 1002012],
    ['unknown resource', { ...goodForm, scope: 'https://elsewhere.example/.default' }, undefined, 400, 'invalid_resource', 500011],
  ] as const)('refuses %s in Entra ID error shape', async (_name, form, tenant, status, error, code) => {
    const filtered = Object.fromEntries(Object.entries(form).filter(([, value]) => value !== ''));
    const response = await postToken(filtered, {}, tenant ?? entra.tenantId);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error, error_codes: [code] });
    expect(String(response.body.error_description)).toMatch(new RegExp(`^AADSTS${code}: .+ Trace ID: .+ Correlation ID: .+ Timestamp: `));
    expect(response.body).toHaveProperty('trace_id');
    expect(response.body).toHaveProperty('correlation_id');
  });

  it('issues tokens that expire after the configured lifetime', async () => {
    const quick = await createEntraEmulator({ clients: [{ clientId: 'c', clientSecret: 's' }], tokenLifetimeSeconds: 3 });
    try {
      const port = await listenOn(quick.app, '127.0.0.1');
      const agent = new Agent({ connect: { ca: quick.caCertPem } });
      const response = await request(`https://localhost:${port}/${quick.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=c&client_secret=s&scope=http%3A%2F%2Fr%2F.default',
      });
      const body = (await response.body.json()) as { access_token: string; expires_in: number };
      await agent.close();
      expect(body.expires_in).toBe(3);
      // Token times are whole seconds: a token issued late in a second expires up to a second early. A lifetime of
      // 3 s leaves at least 2 s for the check below (with 1 s, a slow moment once found the token already expired).
      const verifier = new TokenVerifier();
      expect(verifier.verify(`Bearer ${body.access_token}`, 'http://r')).toEqual({ ok: true, clientId: 'c' });
      await new Promise((resolve) => setTimeout(resolve, 3_100));
      expect(verifier.verify(`Bearer ${body.access_token}`, 'http://r')).toEqual({ ok: false, reason: 'the token has expired' });
    } finally {
      await quick.app.close();
    }
  });

  it('keeps its CA in a directory so a restarted emulator is trusted by the same CA file', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'p2c-entra-'));
    try {
      const first = await createEntraEmulator({ clients: [], caDirectory: directory, certificateNames: ['entra.local'] });
      expect(existsSync(caFilePath(directory))).toBe(true);
      expect(readFileSync(caFilePath(directory), 'utf8')).toBe(first.caCertPem);
      await first.app.close();
      const second = await createEntraEmulator({ clients: [], caDirectory: directory });
      expect(second.caCertPem).toBe(first.caCertPem);
      const port = await listenOn(second.app, '127.0.0.1');
      const agent = new Agent({ connect: { ca: readFileSync(caFilePath(directory), 'utf8') } });
      try {
        const response = await request(`https://127.0.0.1:${port}/_admin/health`, { dispatcher: agent });
        expect(await response.body.json()).toMatchObject({ status: 'ok', service: 'entra' });
      } finally {
        await agent.close();
        await second.app.close();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
