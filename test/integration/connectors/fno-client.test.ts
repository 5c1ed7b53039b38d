import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../src/connectors/errors';
import { type CustomerWrite, FnoClient } from '../../../src/connectors/fno-client';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import { TokenProvider } from '../../../src/connectors/token-provider';
import { type ConnectorEmulators, rejectionOf, startConnectorEmulators } from './emulator-fixture';

let env: ConnectorEmulators;
let tokens: TokenProvider;
let client: FnoClient;
const raised: unknown[] = [];

beforeAll(async () => {
  env = await startConnectorEmulators({ fno: { maxPageSize: 4 } });
  tokens = new TokenProvider({ ...env.fno, resource: env.fno.url, http: env.http });
  client = new FnoClient({ connection: env.fno, http: env.http, tokens, gate: new ThrottleGate({ service: 'fno' }) });
});

afterEach(() => {
  env.emulators.fno.admin.faults.configure({});
});

afterAll(async () => {
  await env?.close();
});

const store = () => env.emulators.fno.store;
const counters = () => env.emulators.fno.admin.counters.snapshot();

function customer(account: string, extra: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    dataAreaId: 'usmf',
    CustomerAccount: account,
    OrganizationName: `Customer ${account}`,
    PartyType: 'Organization',
    CustomerGroupId: '10',
    SalesCurrencyCode: 'USD',
    IsExternallyMaintained: 'Yes',
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await rejectionOf(promise);
  raised.push(error);
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('FnoClient writes through $batch', () => {
  it('reads every part: creates, updates, duplicates and validation failures each get their own outcome', async () => {
    store().insert(customer('DUP-1'));
    store().insert(customer('UPD-1'));
    const ops: CustomerWrite[] = [
      { kind: 'create', row: customer("O'X-1") },
      { kind: 'create', row: customer('DUP-1') },
      { kind: 'create', row: customer('BAD-GROUP', { CustomerGroupId: 'ZZ' }) },
      { kind: 'create', row: customer('BAD-ZIP', { AddressZipCode: '123456789012' }) },
      { kind: 'update', dataAreaId: 'usmf', customerAccount: 'UPD-1', changes: { OrganizationName: 'Updated name' } },
      { kind: 'update', dataAreaId: 'usmf', customerAccount: 'MISSING-1', changes: { OrganizationName: 'x' } },
      { kind: 'create', row: customer('NO-CURRENCY', { SalesCurrencyCode: '' }) },
    ];
    const postsBefore = counters().requests.byMethodAndStatus['POST 200'] ?? 0;
    const results = await client.writeCustomers(ops);
    // One $batch, answered 200 although change sets failed.
    expect((counters().requests.byMethodAndStatus['POST 200'] ?? 0) - postsBefore).toBe(1);
    expect(results).toHaveLength(ops.length);

    expect(results[0]).toEqual({ ok: true, status: 204 });
    expect(store().get('usmf', "O'X-1")?.row.OrganizationName).toBe("Customer O'X-1");

    const [, duplicate, group, zip, update, missing, currency] = results;
    expect(duplicate).toMatchObject({ ok: false, error: { kind: 'conflict', problem: 'duplicate-key', status: 500 } });
    expect(group).toMatchObject({
      ok: false,
      error: { kind: 'invalid-record', field: 'CustomerGroupId', fieldLabel: 'Customer group', value: 'ZZ', problem: 'reference-not-found' },
    });
    expect(zip).toMatchObject({ ok: false, error: { kind: 'invalid-record', field: 'AddressZipCode', value: '123456789012', problem: 'too-long' } });
    expect(update).toEqual({ ok: true, status: 204 });
    expect(store().get('usmf', 'UPD-1')?.row.OrganizationName).toBe('Updated name');
    expect(missing).toMatchObject({ ok: false, error: { kind: 'not-found', status: 404 } });
    expect(currency).toMatchObject({ ok: false, error: { kind: 'invalid-record', field: 'SalesCurrencyCode', problem: 'required-missing' } });
    expect(store().get('usmf', 'BAD-GROUP')).toBeUndefined();
    expect(store().get('usmf', 'BAD-ZIP')).toBeUndefined();
    for (const result of results) if (!result.ok) raised.push(result.error);
  });

  it('splits long write lists into several batches and keeps results in order', async () => {
    const small = new FnoClient({ connection: env.fno, http: env.http, tokens, gate: new ThrottleGate({ service: 'fno' }), maxBatchOperations: 3 });
    const batchesBefore = counters().other['batchOperations'] ?? 0;
    const postsBefore = counters().requests.byMethod['POST'] ?? 0;
    const ops: CustomerWrite[] = Array.from({ length: 7 }, (_, i) =>
      i === 4 ? { kind: 'create', row: customer(`CHUNK-${i}`, { LanguageId: 'xx-yy' }) } : { kind: 'create', row: customer(`CHUNK-${i}`) },
    );
    const results = await small.writeCustomers(ops);
    expect((counters().requests.byMethod['POST'] ?? 0) - postsBefore).toBe(3);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, false, true, true]);
    expect(results[4]).toMatchObject({ ok: false, error: { field: 'LanguageId', value: 'xx-yy' } });
    expect((counters().other['batchOperations'] ?? 0) - batchesBefore).toBe(7);
  });

  it('cuts write lists for callers that send the requests side by side exactly as it sends them itself', async () => {
    const small = new FnoClient({ connection: env.fno, http: env.http, tokens, gate: new ThrottleGate({ service: 'fno' }), maxBatchOperations: 3 });
    expect(small.batchChunks(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
    expect(small.batchChunks([])).toEqual([]);
  });

  it('a batch committed and then cut off throws ambiguous; the customer exists and nothing was resent', async () => {
    env.emulators.fno.admin.faults.configure({ commitThenTimeoutRate: 1, commitThenTimeoutMode: 'reset', methods: ['POST'], maxFaults: 1 });
    const postsBefore = counters().requests.byMethod['POST'] ?? 0;
    const error = await failure(client.writeCustomers([{ kind: 'create', row: customer('AMBIGUOUS-1') }]));
    expect(error).toMatchObject({ kind: 'transient', service: 'fno', ambiguous: true });
    expect(store().get('usmf', 'AMBIGUOUS-1')).toBeDefined();
    expect((counters().requests.byMethod['POST'] ?? 0) - postsBefore).toBeLessThanOrEqual(1);
  });

  it('a batch answered 5xx as a whole is not resent and is ambiguous', async () => {
    env.emulators.fno.admin.faults.configure({ errorRate: 1, errorStatus: 502, methods: ['POST'], maxFaults: 1 });
    const postsBefore = counters().requests.byMethod['POST'] ?? 0;
    const error = await failure(client.writeCustomers([{ kind: 'create', row: customer('GATEWAY-1') }]));
    expect(error).toMatchObject({ kind: 'transient', status: 502, ambiguous: true });
    expect((counters().requests.byMethod['POST'] ?? 0) - postsBefore).toBe(1);
  });
});

describe('FnoClient reads', () => {
  it('gets a customer by its two-part key, quotes doubled, and undefined when missing', async () => {
    store().insert(customer("Q'UOTE #1"));
    const row = (await client.getCustomer('usmf', "Q'UOTE #1", ['CustomerAccount', 'OrganizationName'])) as Record<string, unknown>;
    expect(row).toMatchObject({ CustomerAccount: "Q'UOTE #1", OrganizationName: "Customer Q'UOTE #1" });
    expect(await client.getCustomer('usmf', 'NOPE-404')).toBeUndefined();
  });

  it('gets a customer of a company other than the default one', async () => {
    store().insert(customer('DE-1', { dataAreaId: 'demf', SalesCurrencyCode: 'EUR' }));
    const row = (await client.getCustomer('demf', 'DE-1')) as Record<string, unknown>;
    expect(row).toMatchObject({ dataAreaId: 'demf', CustomerAccount: 'DE-1' });
  });

  it('queries one company across server-driven pages, never another company', async () => {
    for (let i = 0; i < 5; i += 1) store().insert(customer(`PAGE-DE-${i}`, { dataAreaId: 'demf', SalesCurrencyCode: 'EUR' }));
    const pages: unknown[][] = [];
    for await (const rows of client.queryCustomers({ dataAreaId: 'demf', select: ['dataAreaId', 'CustomerAccount'] })) pages.push(rows);
    const rows = pages.flat() as Record<string, unknown>[];
    expect(rows).toHaveLength(store().countIn('demf'));
    expect(rows.length).toBeGreaterThan(4);
    expect(pages.length).toBe(Math.ceil(rows.length / 4));
    for (const row of rows) expect(row['dataAreaId']).toBe('demf');
  });

  it('combines the company with a filter', async () => {
    const pages: unknown[][] = [];
    for await (const rows of client.queryCustomers({ dataAreaId: 'demf', filter: "CustomerAccount eq 'PAGE-DE-3'" })) pages.push(rows);
    expect(pages.flat()).toEqual([expect.objectContaining({ CustomerAccount: 'PAGE-DE-3', dataAreaId: 'demf' })]);
  });

  it('reads reference data of a company', async () => {
    const groups: unknown[] = [];
    for await (const rows of client.queryEntitySet('CustomerGroups', { dataAreaId: 'usmf', select: ['CustomerGroupId'] })) groups.push(...rows);
    const ids = groups.map((g) => (g as { CustomerGroupId: string }).CustomerGroupId);
    expect(ids).toEqual(expect.arrayContaining(['10', '20', '90']));
    expect(ids).toHaveLength(env.emulators.fno.reference.companies['usmf']?.customerGroups.length ?? -1);
  });

  it('retries a transient failure of a read', async () => {
    env.emulators.fno.admin.faults.configure({ errorRate: 1, errorStatus: 500, methods: ['GET'], maxFaults: 1 });
    const row = await client.getCustomer('usmf', 'UPD-1');
    expect(row).toMatchObject({ CustomerAccount: 'UPD-1' });
    expect(counters().requests.byMethodAndStatus['GET 500']).toBe(1);
  });

  it('an unknown entity set is not a missing row', async () => {
    const error = await failure(
      (async () => {
        for await (const rows of client.queryEntitySet('CustomerGroupz')) void rows;
      })(),
    );
    expect(error).toMatchObject({ kind: 'configuration', status: 404 });
    expect(error.message).toContain('CustomerGroupz');
  });
});

describe('credentials', () => {
  it('no error raised in this file carries the client secret or a token', async () => {
    expect(raised.length).toBeGreaterThanOrEqual(6);
    const token = await tokens.getToken();
    for (const error of raised) {
      const text = `${(error as Error).message} ${JSON.stringify(error)}`;
      expect(text).not.toContain(env.fno.clientSecret);
      expect(text).not.toContain(token);
    }
  });
});
