import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient, type DataverseBatchResult } from '../../../src/connectors/dataverse-client';
import { ConnectorError } from '../../../src/connectors/errors';
import { HttpClient } from '../../../src/connectors/http-client';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import { TokenProvider } from '../../../src/connectors/token-provider';
import { quoteLiteral } from '@p2c-sync/odata-wire';
import { type ConnectorEmulators, rejectionOf, startConnectorEmulators } from './emulator-fixture';

const ACCOUNTS = 45;
let env: ConnectorEmulators;
let tokens: TokenProvider;
let client: DataverseClient;
const extraClients: HttpClient[] = [];
/** Every error the connectors raised in this file, checked for credentials at the end. */
const raised: unknown[] = [];

beforeAll(async () => {
  env = await startConnectorEmulators({ generate: { count: ACCOUNTS, seed: 11 } });
  tokens = new TokenProvider({ ...env.dataverse, resource: env.dataverse.url, http: env.http });
  client = new DataverseClient({ connection: env.dataverse, http: env.http, tokens, gate: new ThrottleGate({ service: 'dataverse' }) });
});

afterEach(() => {
  env.emulators.dataverse.admin.faults.configure({});
});

afterAll(async () => {
  await Promise.all(extraClients.map((c) => c.close()));
  await env?.close();
});

const store = () => env.emulators.dataverse.store;
const counters = () => env.emulators.dataverse.admin.counters.snapshot();

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await rejectionOf(promise);
  raised.push(error);
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

function someAccountId(): string {
  const [row] = store().listAccounts();
  if (!row) throw new Error('the emulator has no accounts');
  return row.accountid;
}

async function etagOf(id: string): Promise<string> {
  const row = (await client.getByKey('accounts', id, ['name'])) as Record<string, unknown>;
  return String(row['@odata.etag']);
}

describe('DataverseClient reads', () => {
  it('pages through every account by following nextLinks exactly as given', async () => {
    const before = counters().requests.byMethodAndStatus['GET 200'] ?? 0;
    const pages: unknown[][] = [];
    for await (const rows of client.queryAll({ entitySet: 'accounts', select: ['accountid', 'name'], orderby: 'accountid', pageSize: 7 })) {
      pages.push(rows);
    }
    const ids = pages.flat().map((row) => (row as { accountid: string }).accountid);
    expect(ids).toHaveLength(ACCOUNTS);
    expect(new Set(ids)).toEqual(new Set(store().listAccounts().map((row) => row.accountid)));
    expect(ids).toEqual([...ids].sort());
    expect(pages).toHaveLength(Math.ceil(ACCOUNTS / 7));
    for (const page of pages.slice(0, -1)) expect(page).toHaveLength(7);
    expect((counters().requests.byMethodAndStatus['GET 200'] ?? 0) - before).toBe(pages.length);
  });

  it('returns the nextLink of a page for the caller to follow later', async () => {
    const first = await client.readPage({ entitySet: 'accounts', select: ['accountid'], orderby: 'accountid', pageSize: 40 });
    expect(first.rows).toHaveLength(40);
    expect(first.nextLink).toBeDefined();
    const second = await client.readPage({ nextLink: first.nextLink ?? '', pageSize: 40 });
    expect(second.rows).toHaveLength(ACCOUNTS - 40);
    expect(second.nextLink).toBeUndefined();
  });

  it('filters with quoted literals that contain quotes, spaces and ampersands', async () => {
    const inserted = store().insertAccount({ name: "O'Brien & Sons", accountnumber: 'OBR-1' });
    const page = await client.readPage({ entitySet: 'accounts', select: ['accountid', 'name'], filter: `name eq ${quoteLiteral("O'Brien & Sons")}` });
    expect(page.rows).toEqual([expect.objectContaining({ accountid: inserted.accountid, name: "O'Brien & Sons" })]);
    store().deleteAccount(inserted.accountid);
  });

  it('gets one row by key, and undefined for a key that does not exist', async () => {
    const id = someAccountId();
    const row = (await client.getByKey('accounts', id, ['name', 'accountnumber'])) as Record<string, unknown>;
    expect(row).toMatchObject({ accountid: id, name: store().getAccount(id)?.name });
    expect(row['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(await client.getByKey('accounts', randomUUID())).toBeUndefined();
  });

  it('an unknown column is a configuration failure naming it', async () => {
    const error = await failure(client.readPage({ entitySet: 'accounts', select: ['acountnumber'] }));
    expect(error).toMatchObject({ kind: 'configuration', status: 400 });
    expect(error.message).toContain('acountnumber');
  });

  it('retries a transient failure of a read and succeeds', async () => {
    env.emulators.dataverse.admin.faults.configure({ errorRate: 1, errorStatus: 503, methods: ['GET'], maxFaults: 2 });
    const before = counters().requests.byMethodAndStatus;
    const page = await client.readPage({ entitySet: 'accounts', select: ['accountid'], pageSize: 3 });
    expect(page.rows).toHaveLength(3);
    const after = counters().requests.byMethodAndStatus;
    expect((after['GET 503'] ?? 0) - (before['GET 503'] ?? 0)).toBe(2);
    expect((after['GET 200'] ?? 0) - (before['GET 200'] ?? 0)).toBe(1);
  });

  it('does not sleep through an outage longer than the request may wait: it fails transient at once', async () => {
    env.emulators.dataverse.admin.faults.configure({ outages: [{ durationMs: 60_000, mode: '503' }] });
    const patient = new DataverseClient({ connection: env.dataverse, http: env.http, tokens, gate: new ThrottleGate({ service: 'dataverse' }), maxWaitMs: 5_000 });
    const started = Date.now();
    const error = await failure(patient.readPage({ entitySet: 'accounts', pageSize: 1 }));
    expect(error).toMatchObject({ kind: 'transient', status: 503, ambiguous: false });
    // At once: well before maxWaitMs (5 s), the wait it would have slept; room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(3_500);
  });

  it('gives up on a read after a few transient failures', async () => {
    env.emulators.dataverse.admin.faults.configure({ errorRate: 1, errorStatus: 502, methods: ['GET'] });
    const before = counters().requests.byMethodAndStatus['GET 502'] ?? 0;
    const error = await failure(client.readPage({ entitySet: 'accounts', pageSize: 1 }));
    expect(error).toMatchObject({ kind: 'transient', status: 502, ambiguous: false });
    expect((counters().requests.byMethodAndStatus['GET 502'] ?? 0) - before).toBe(4);
  });
});

describe('DataverseClient writes', () => {
  it('updates with If-Match, and a stale version is a 412 conflict that changes nothing', async () => {
    const id = someAccountId();
    const etag = await etagOf(id);
    await client.update('accounts', id, { name: 'Renamed once' }, { ifMatch: etag });
    expect(store().getAccount(id)?.name).toBe('Renamed once');
    const error = await failure(client.update('accounts', id, { name: 'Renamed twice' }, { ifMatch: etag }));
    expect(error).toMatchObject({ kind: 'conflict', service: 'dataverse', status: 412, problem: 'stale-version', ambiguous: false });
    expect(store().getAccount(id)?.name).toBe('Renamed once');
  });

  it('If-None-Match refuses to overwrite an existing row', async () => {
    const error = await failure(client.update('accounts', someAccountId(), { name: 'x' }, { ifNoneMatch: true }));
    expect(error).toMatchObject({ kind: 'conflict', status: 412, problem: 'duplicate-key' });
  });

  it('an over-length value is invalid-record naming the column', async () => {
    const error = await failure(client.update('accounts', someAccountId(), { accountnumber: 'X'.repeat(21) }));
    expect(error).toMatchObject({ kind: 'invalid-record', status: 400, code: '0x80044331', field: 'accountnumber', problem: 'too-long' });
  });

  it('never repeats a write that failed transiently: the caller decides after re-reading', async () => {
    env.emulators.dataverse.admin.faults.configure({ errorRate: 1, errorStatus: 503, methods: ['PATCH'], maxFaults: 1 });
    const before = counters().requests.byMethod['PATCH'] ?? 0;
    const error = await failure(client.update('accounts', someAccountId(), { name: 'Not retried' }));
    expect(error).toMatchObject({ kind: 'transient', status: 503, ambiguous: true });
    expect((counters().requests.byMethod['PATCH'] ?? 0) - before).toBe(1);
  });

  it('a write committed and then cut off (reset) surfaces as ambiguous', async () => {
    const id = someAccountId();
    env.emulators.dataverse.admin.faults.configure({ commitThenTimeoutRate: 1, commitThenTimeoutMode: 'reset', methods: ['PATCH'], maxFaults: 1 });
    const error = await failure(client.update('accounts', id, { name: 'Committed then reset' }));
    expect(error).toMatchObject({ kind: 'transient', ambiguous: true });
    expect(store().getAccount(id)?.name).toBe('Committed then reset');
  });

  it('a write committed and then never answered times out as ambiguous', async () => {
    const id = someAccountId();
    const impatient = new HttpClient({ caPem: env.emulators.entra.caCertPem, requestTimeoutMs: 400 });
    extraClients.push(impatient);
    const quick = new DataverseClient({ connection: env.dataverse, http: impatient, tokens, gate: new ThrottleGate({ service: 'dataverse' }) });
    env.emulators.dataverse.admin.faults.configure({ commitThenTimeoutRate: 1, commitThenTimeoutMode: 'hang', hangMs: 5_000, methods: ['PATCH'], maxFaults: 1 });
    const error = await failure(quick.update('accounts', id, { name: 'Committed then silent' }));
    expect(error).toMatchObject({ kind: 'transient', ambiguous: true, code: 'ETIMEDOUT' });
    expect(store().getAccount(id)?.name).toBe('Committed then silent');
  });
});

/** A batch result as the tests compare it: the part's status, or the classification of its failure. */
function outcome(result: DataverseBatchResult): Record<string, unknown> {
  if (result.ok) return { ok: true, status: result.part.status };
  const { kind, status, problem, field, ambiguous } = result.error;
  return {
    ok: false,
    kind,
    ...(status !== undefined ? { status } : {}),
    ...(problem !== undefined ? { problem } : {}),
    ...(field !== undefined ? { field } : {}),
    ...(status === undefined ? { ambiguous } : {}),
  };
}

describe('DataverseClient $batch', () => {
  it('with continue-on-error answers every request, each failure classified as a request of its own', async () => {
    const [a, b, c] = store().listAccounts();
    if (!a || !b || !c) throw new Error('need three accounts');
    const staleB = await etagOf(b.accountid);
    store().updateAccount(b.accountid, { name: 'Changed behind the client' });
    const parts = await client.batch(
      [
        { method: 'PATCH', url: `accounts(${a.accountid})`, body: { name: 'Batch A' } },
        { method: 'PATCH', url: `accounts(${b.accountid})`, headers: { 'If-Match': staleB }, body: { name: 'Batch B' } },
        { method: 'PATCH', url: `accounts(${c.accountid})`, body: { accountnumber: 'Y'.repeat(25) } },
      ],
      { continueOnError: true },
    );
    expect(parts.map(outcome)).toEqual([
      { ok: true, status: 204 },
      { ok: false, kind: 'conflict', status: 412, problem: 'stale-version' },
      { ok: false, kind: 'invalid-record', status: 400, problem: 'too-long', field: 'accountnumber' },
    ]);
    const [, stale, tooLong] = parts;
    expect(stale?.ok === false && stale.error.message).toMatch(new RegExp(`^Dataverse PATCH .*/accounts\\(${b.accountid}\\) answered 412`));
    expect(tooLong?.ok === false && tooLong.error.message).toContain('accountnumber');
    expect(store().getAccount(a.accountid)?.name).toBe('Batch A');
    expect(store().getAccount(b.accountid)?.name).toBe('Changed behind the client');
  });

  it('without continue-on-error stops at the first failure; the requests after it are answered "not run"', async () => {
    const [a, b, c] = store().listAccounts();
    if (!a || !b || !c) throw new Error('need three accounts');
    const parts = await client.batch(
      [
        { method: 'PATCH', url: `accounts(${a.accountid})`, body: { name: 'Stop A' } },
        { method: 'PATCH', url: `accounts(${b.accountid})`, body: { accountnumber: 'Z'.repeat(25) } },
        { method: 'PATCH', url: `accounts(${c.accountid})`, body: { name: 'Never reached' } },
      ],
      { continueOnError: false },
    );
    expect(parts.map(outcome)).toEqual([
      { ok: true, status: 204 },
      { ok: false, kind: 'invalid-record', status: 400, problem: 'too-long', field: 'accountnumber' },
      // Not run: safe to send again, nothing was applied.
      { ok: false, kind: 'transient', ambiguous: false },
    ]);
    expect(store().getAccount(c.accountid)?.name).not.toBe('Never reached');
  });

  it('a batch committed and then cut off is ambiguous as a whole', async () => {
    const id = someAccountId();
    env.emulators.dataverse.admin.faults.configure({ commitThenTimeoutRate: 1, commitThenTimeoutMode: 'reset', methods: ['POST'], maxFaults: 1 });
    const error = await failure(client.batch([{ method: 'PATCH', url: `accounts(${id})`, body: { name: 'Batched then reset' } }], { continueOnError: true }));
    expect(error).toMatchObject({ kind: 'transient', ambiguous: true });
    expect(store().getAccount(id)?.name).toBe('Batched then reset');
  });
});

describe('credentials', () => {
  it('no error raised in this file carries the client secret or a token', async () => {
    expect(raised.length).toBeGreaterThanOrEqual(8);
    const token = await tokens.getToken();
    for (const error of raised) {
      const text = `${(error as Error).message} ${JSON.stringify(error)}`;
      expect(text).not.toContain(env.dataverse.clientSecret);
      expect(text).not.toContain(token);
      expect(text).not.toMatch(/Bearer\s+ey/);
    }
  });
});
