import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOf, EUR, page, sampleAccount, startDataverse } from './dataverse-harness';

const ID = '00000000-0000-4000-8000-000000000001';

describe('Dataverse emulator: platform faults, counters, admin routes and state file', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'dataverse-state-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('injects 5xx faults in the Dataverse error shape and commits before a commit-then-timeout', async () => {
    const dv = await startDataverse();
    try {
      dv.emulator.store.insertAccounts([sampleAccount(1)]);
      const configure = await dv.send('PUT', `${dv.origin}/_admin/faults`, { token: null, body: { errorRate: 1, errorStatus: 503, maxFaults: 1 } });
      expect(configure.status).toBe(200);
      const failed = await dv.send('GET', `accounts(${ID})`);
      expect(failed.status).toBe(503);
      expect(errorOf(failed).code).toBe('0x80040216');
      expect((await dv.send('GET', `accounts(${ID})`)).status).toBe(200);

      await dv.send('PUT', `${dv.origin}/_admin/faults`, { token: null, body: { commitThenTimeoutRate: 1, commitThenTimeoutMode: 'reset', methods: ['PATCH'] } });
      const outcome = await dv.send('PATCH', `accounts(${ID})`, { body: { name: 'committed, never answered' } }).then(
        () => 'answered',
        () => 'connection reset',
      );
      expect(outcome).toBe('connection reset');
      expect(dv.emulator.store.getAccount(ID)?.name).toBe('committed, never answered');
      await dv.send('PUT', `${dv.origin}/_admin/faults`, { token: null, body: {} });

      const counters = (await dv.send('GET', `${dv.origin}/_admin/counters`, { token: null })).json as {
        writes: number;
        faults: { errors: number; commitThenTimeouts: number };
        requests: { byMethodAndStatus: Record<string, number> };
      };
      expect(counters.writes).toBe(1);
      expect(counters.faults).toMatchObject({ errors: 1, commitThenTimeouts: 1 });
      expect(counters.requests.byMethodAndStatus['GET 503']).toBe(1);
    } finally {
      await dv.close();
    }
  });

  it('seeds reference data and accounts through /_admin without a token, validating them', async () => {
    const dv = await startDataverse({ data: {} });
    try {
      expect((await dv.send('PUT', `${dv.origin}/_admin/dataverse/reference-data`, { token: null, body: { currencies: [EUR] } })).status).toBe(204);
      const seeded = await dv.send('POST', `${dv.origin}/_admin/dataverse/accounts`, {
        token: null,
        body: [{ accountid: ID, name: 'Seeded', _transactioncurrencyid_value: EUR.transactioncurrencyid }, { name: 'Second' }],
      });
      expect(seeded.status).toBe(201);
      expect(seeded.json).toMatchObject({ inserted: 2, maxVersion: 2 });
      expect((await dv.send('GET', `${dv.origin}/_admin/dataverse/accounts/${ID}`, { token: null })).json).toMatchObject({ name: 'Seeded', accountnumber: null });
      const invalid = await dv.send('POST', `${dv.origin}/_admin/dataverse/accounts`, { token: null, body: [{ name: 'x', websiteurl: 'w'.repeat(201) }] });
      expect(invalid.status).toBe(400);
      expect(errorOf(invalid).code).toBe('0x80044331');
      expect((await dv.send('PUT', `${dv.origin}/_admin/dataverse/reference-data`, { token: null, body: { currencies: [{ isocurrencycode: 'X' }] } })).status).toBe(400);
    } finally {
      await dv.close();
    }
  });

  it('keeps accounts, versions and tombstones in the state file across a restart', async () => {
    const stateFile = path.join(scratch, 'dataverse.jsonl');
    const first = await startDataverse({ stateFile });
    let deltaLink: string | undefined;
    let maxVersion: number;
    try {
      first.emulator.store.insertAccounts(Array.from({ length: 5 }, (_, i) => sampleAccount(i + 1)));
      deltaLink = page(await first.send('GET', 'accounts?$select=name', { headers: { prefer: 'odata.track-changes' } }))['@odata.deltaLink'];
      expect((await first.send('DELETE', `accounts(${ID})`)).status).toBe(204);
      expect((await first.send('POST', 'accounts', { body: { name: 'after the token' } })).status).toBe(204);
      maxVersion = first.emulator.store.maxVersion();
    } finally {
      await first.close();
    }
    const second = await startDataverse({ stateFile, data: {} });
    try {
      expect(second.emulator.store.accountCount()).toBe(5);
      expect(second.emulator.store.maxVersion()).toBe(maxVersion);
      expect(second.emulator.store.getAccount('00000000-0000-4000-8000-000000000002')?.name).toBe('Account 0002');
      const changes = page(await second.send('GET', (deltaLink ?? '').replace(first.origin, second.origin)));
      expect(changes.value.map((item) => item['reason'] ?? item['name']).sort()).toEqual(['after the token', 'deleted']);
      const created = await second.send('POST', 'accounts', { body: { name: 'next' } });
      expect(created.status).toBe(204);
      expect(second.emulator.store.maxVersion()).toBe(maxVersion + 1);
      const numbers = second.emulator.store.listAccounts().map((row) => row.accountnumber).filter((n) => n?.startsWith('ACC-0100'));
      expect(numbers.map((n) => n?.slice(0, 9)).sort()).toEqual(['ACC-01000', 'ACC-01001']);
    } finally {
      await second.close();
    }
  });
});
