import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../src/connectors/dataverse-client';
import { ConnectorError } from '../../../src/connectors/errors';
import { HttpClient } from '../../../src/connectors/http-client';
import { TokenProvider } from '../../../src/connectors/token-provider';
import { type ConnectorEmulators, rejectionOf, startConnectorEmulators } from './emulator-fixture';

const TOKEN_LIFETIME_SECONDS = 2;
let env: ConnectorEmulators;
const extraClients: HttpClient[] = [];

beforeAll(async () => {
  env = await startConnectorEmulators({ generate: { count: 5, seed: 3 }, tokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS });
});

afterAll(async () => {
  await Promise.all(extraClients.map((c) => c.close()));
  await env?.close();
});

function tokensIssued(): number {
  return env.emulators.entra.admin.counters.snapshot().other['tokensIssued'] ?? 0;
}

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function provider(overrides: Partial<ConstructorParameters<typeof TokenProvider>[0]> = {}): TokenProvider {
  return new TokenProvider({ ...env.dataverse, resource: env.dataverse.url, http: env.http, ...overrides });
}

describe('TokenProvider against the emulated Entra ID (MSAL over TLS)', () => {
  it('gets a client-credentials token for the resource and serves it from memory while it is fresh', async () => {
    const before = tokensIssued();
    const tokens = provider();
    const [a, b] = await Promise.all([tokens.getToken(), tokens.getToken()]);
    const c = await tokens.getToken();
    expect(a).toBe(b);
    expect(c).toBe(a);
    expect(claimsOf(a)).toMatchObject({ aud: env.dataverse.url, appid: env.dataverse.clientId, tid: env.dataverse.tenantId });
    // Concurrent callers share one acquisition.
    expect(tokensIssued() - before).toBe(1);
  });

  it('renews before expiry: a later request carries a new token and is never refused', async () => {
    const tokens = provider();
    const client = new DataverseClient({ connection: env.dataverse, http: env.http, tokens });
    const first = await tokens.getToken();
    await client.readPage({ entitySet: 'accounts', select: ['accountid'], pageSize: 1 });
    // Past half the lifetime, the renewal point for short-lived tokens. MSAL rounds the request time to whole
    // seconds, so the lifetime it reports can be up to 0.5 s longer: wait past half of that too.
    await new Promise((resolve) => setTimeout(resolve, (TOKEN_LIFETIME_SECONDS * 1000 + 500) / 2 + 250));
    const unauthorizedBefore = env.emulators.dataverse.admin.counters.snapshot().requests.byStatus['401'] ?? 0;
    await client.readPage({ entitySet: 'accounts', select: ['accountid'], pageSize: 1 });
    const second = await tokens.getToken();
    expect(second).not.toBe(first);
    expect(Number(claimsOf(second)['exp'])).toBeGreaterThan(Number(claimsOf(first)['exp']));
    expect(env.emulators.dataverse.admin.counters.snapshot().requests.byStatus['401'] ?? 0).toBe(unauthorizedBefore);
  });

  it('after a 401 gets exactly one new token and repeats the request', async () => {
    // A clock that stands still keeps the token past the moment the service stops accepting it, as a revoked
    // token or a rolled signing key would.
    const frozen = Date.now();
    const tokens = provider({ now: () => frozen });
    const client = new DataverseClient({ connection: env.dataverse, http: env.http, tokens });
    const stale = await tokens.getToken();
    await new Promise((resolve) => setTimeout(resolve, TOKEN_LIFETIME_SECONDS * 1000 + 1100));
    const counters = env.emulators.dataverse.admin.counters;
    const unauthorizedBefore = counters.snapshot().requests.byStatus['401'] ?? 0;
    const issuedBefore = tokensIssued();
    const page = await client.readPage({ entitySet: 'accounts', select: ['accountid'], pageSize: 2 });
    expect(page.rows).toHaveLength(2);
    expect(counters.snapshot().requests.byStatus['401'] ?? 0).toBe(unauthorizedBefore + 1);
    expect(tokensIssued()).toBe(issuedBefore + 1);
    expect(await tokens.getToken()).not.toBe(stale);
  });

  it('a token the service keeps refusing fails as auth after one renewal, not in a loop', async () => {
    // Tokens for F&O are not accepted by Dataverse (wrong audience).
    const tokens = provider({ resource: env.fno.url });
    const client = new DataverseClient({ connection: env.dataverse, http: env.http, tokens });
    const counters = env.emulators.dataverse.admin.counters;
    const unauthorizedBefore = counters.snapshot().requests.byStatus['401'] ?? 0;
    const error = await rejectionOf(client.readPage({ entitySet: 'accounts', pageSize: 1 }));
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: 'auth', service: 'dataverse', status: 401 });
    expect(counters.snapshot().requests.byStatus['401'] ?? 0).toBe(unauthorizedBefore + 2);
  });

  it('a wrong secret is auth, and neither secret appears in the error', async () => {
    const wrongSecret = `${env.dataverse.clientSecret}-rotated-away`;
    const error = await rejectionOf(provider({ clientSecret: wrongSecret }).getToken());
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: 'auth', service: 'entra', code: 'invalid_client' });
    const text = `${(error as Error).message} ${JSON.stringify(error)} ${(error as Error).stack ?? ''}`;
    expect(text).not.toContain(wrongSecret);
    expect(text).not.toContain(env.dataverse.clientSecret);
  });

  it('an unknown tenant or client is a configuration or auth failure, never a retry', async () => {
    const tenant = await rejectionOf(provider({ tenantId: 'no-such-tenant' }).getToken());
    expect(tenant).toMatchObject({ kind: 'configuration', service: 'entra' });
    const client = await rejectionOf(provider({ clientId: 'unknown-app' }).getToken());
    expect(client).toMatchObject({ kind: 'auth', service: 'entra', code: 'unauthorized_client' });
  });

  it('without the emulated CA the authority is not trusted: configuration', async () => {
    const untrusting = new HttpClient();
    extraClients.push(untrusting);
    const error = await rejectionOf(provider({ http: untrusting }).getToken());
    expect(error).toMatchObject({ kind: 'configuration', service: 'entra' });
    expect((error as Error).message).toMatch(/certificate/i);
  });
});
