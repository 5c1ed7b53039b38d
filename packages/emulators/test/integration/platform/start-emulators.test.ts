import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type RunningEmulators } from '../../../src/start-emulators';

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'p2c-start-emulators-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function token(emulators: RunningEmulators, resource: string, secret = emulators.client.clientSecret): Promise<string> {
  const agent = new Agent({ connect: { ca: emulators.entra.caCertPem } });
  try {
    const response = await request(`${emulators.entra.authority}/${emulators.entra.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: emulators.client.clientId,
        client_secret: secret,
        scope: `${resource}/.default`,
      }).toString(),
    });
    const body = (await response.body.json()) as { access_token?: string };
    if (response.statusCode !== 200 || !body.access_token) throw new Error(`token refused: ${response.statusCode}`);
    return body.access_token;
  } finally {
    await agent.close();
  }
}

async function get(url: string, bearer: string) {
  const response = await request(url, { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

describe('startEmulators', () => {
  it('runs three services whose tokens work for the resource they were issued for, and keeps state across a restart', async () => {
    const stateDir = path.join(scratch, 'state');
    const saved = process.env.P2C_EMULATOR_CLIENT_SECRET;
    delete process.env.P2C_EMULATOR_CLIENT_SECRET;
    let first: RunningEmulators | undefined;
    let second: RunningEmulators | undefined;
    try {
      first = await startEmulators({ generate: { count: 40, seed: 2 }, stateDir, tokenLifetimeSeconds: 900 });
      expect(first.client.clientId).toBe('p2c-sync');
      expect(first.client.clientSecret.length).toBeGreaterThan(20);
      expect(first.dataverse.url).not.toMatch(/\/$/);
      expect(first.entra.caCertFile).toBe(path.join(stateDir, 'entra-ca.pem'));
      expect(readFileSync(first.entra.caCertFile ?? '', 'utf8')).toBe(first.entra.caCertPem);

      const dataverseToken = await token(first, first.dataverse.url);
      const fnoToken = await token(first, first.fno.url);
      const accounts = await get(`${first.dataverse.url}/api/data/v9.2/accounts?$select=name&$count=true`, dataverseToken);
      expect(accounts.status).toBe(200);
      expect(accounts.body['@odata.count']).toBe(40);
      // A token is good for its own resource only.
      expect((await get(`${first.fno.url}/data/CustomersV2`, dataverseToken)).status).toBe(401);
      expect((await get(`${first.dataverse.url}/api/data/v9.2/accounts`, fnoToken)).status).toBe(401);

      const created = await request(`${first.fno.url}/data/CustomersV2`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fnoToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ dataAreaId: 'demf', CustomerAccount: 'KEEP-1', CustomerGroupId: '10', SalesCurrencyCode: 'EUR' }),
      });
      expect(created.statusCode).toBe(201);
      await created.body.dump();
      first.dataverse.store.updateAccount(first.dataverse.store.listAccounts()[0]?.accountid ?? '', { name: 'Renamed before restart' });
      const secret = first.client.clientSecret;
      const ca = first.entra.caCertPem;
      await first.close();
      first = undefined;

      second = await startEmulators({ generate: { count: 40, seed: 2 }, stateDir });
      expect(second.client.clientSecret).toBe(secret);
      expect(second.entra.caCertPem).toBe(ca);
      expect(second.fno.store.get('demf', 'keep-1')?.row.CustomerAccount).toBe('KEEP-1');
      // Seeding happens into an empty state only: the kept accounts (with the rename) are not doubled.
      expect(second.dataverse.store.accountCount()).toBe(40);
      expect(second.dataverse.store.listAccounts().some((row) => row.name === 'Renamed before restart')).toBe(true);
      const afterRestart = await get(
        `${second.fno.url}/data/CustomersV2(dataAreaId='demf',CustomerAccount='KEEP-1')?cross-company=true`,
        await token(second, second.fno.url),
      );
      expect(afterRestart.status).toBe(200);
    } finally {
      await first?.close();
      await second?.close();
      if (saved === undefined) delete process.env.P2C_EMULATOR_CLIENT_SECRET;
      else process.env.P2C_EMULATOR_CLIENT_SECRET = saved;
    }
  });

  it('loads accounts and reference data from files, per-service faults and limits, and reports bad files precisely', async () => {
    const accountsFile = path.join(scratch, 'accounts.json');
    const referenceFile = path.join(scratch, 'reference.json');
    writeFileSync(
      accountsFile,
      JSON.stringify({
        accounts: [
          { accountid: '11111111-1111-4111-8111-111111111111', name: "O'Neil Ltd", accountnumber: 'F-1', '@odata.etag': 'W/"1"', versionnumber: 5 },
          { name: 'No id given', address1_country: 'Deutschland' },
        ],
        businessunits: [{ businessunitid: '22222222-2222-4222-8222-222222222222', name: 'USMF' }],
      }),
    );
    writeFileSync(referenceFile, JSON.stringify({ currencies: [{ code: 'XTS', name: 'Testing code' }] }));
    const emulators = await startEmulators({
      accountsFile,
      referenceFile,
      clientSecret: 'given',
      fno: { faults: { latencyMs: 20 }, limits: { maxConcurrentRequests: 7 }, maxPageSize: 2 },
      dataverse: { limits: { maxRequests: 1234 } },
    });
    try {
      expect(emulators.client.clientSecret).toBe('given');
      expect(emulators.dataverse.store.accountCount()).toBe(2);
      expect(emulators.dataverse.store.getAccount('11111111-1111-4111-8111-111111111111')?.name).toBe("O'Neil Ltd");
      expect(emulators.dataverse.store.listBusinessUnits().map((unit) => unit.name)).toEqual(['USMF']);
      expect(emulators.fno.reference.currencies).toEqual([{ code: 'XTS', name: 'Testing code' }]);
      expect(emulators.fno.admin.faults.current().latencyMs).toBe(20);
      expect(emulators.fno.admin.throttle.limits.maxConcurrentRequests).toBe(7);
      const currencies = await get(`${emulators.fno.url}/data/Currencies`, await token(emulators, emulators.fno.url));
      expect(currencies.body.value).toEqual([{ CurrencyCode: 'XTS', Name: 'Testing code' }]);
    } finally {
      await emulators.close();
    }

    writeFileSync(
      accountsFile,
      JSON.stringify({ accounts: [{ name: 'ok' }, { name: 'x', address1_city: 'C'.repeat(81), paymenttermscode: 9 }, { accountnumber: 'no name' }] }),
    );
    let message = '';
    try {
      const started = await startEmulators({ accountsFile });
      await started.close();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('accounts[1].address1_city');
    expect(message).toContain('accounts[1].paymenttermscode');
    expect(message).toContain('accounts[2].name');
  });
});
