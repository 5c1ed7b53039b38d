import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUnitAccounts, scanAccountKeys } from '../../../src/connectors/account-reads';
import { readCustomers } from '../../../src/connectors/customer-reads';
import { DataverseClient } from '../../../src/connectors/dataverse-client';
import { ConnectorError } from '../../../src/connectors/errors';
import { FnoClient } from '../../../src/connectors/fno-client';
import { HttpClient } from '../../../src/connectors/http-client';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import type { TokenProvider } from '../../../src/connectors/token-provider';
import { rejectionOf } from './emulator-fixture';

// Rows of a shape the typed reads did not ask for, served over real HTTP by a stand-in service (the emulators only
// ever answer well-typed rows): a keys-only read refuses the page as a configuration error naming the row, the column
// and the value; a unit's accounts report the row instead, for the sync to turn into a record failure.

const ID = '00000000-0000-4000-8000-000000000001';
const OTHER_ID = '00000000-0000-4000-8000-000000000002';
let server: Server;
let url: string;
let http: HttpClient;
/** What the stand-in answers to the next GET, whatever its path. */
let rows: unknown[] = [];

const tokens = { getToken: async () => 'stand-in-token', invalidate: () => undefined } as unknown as TokenProvider;
const connection = () => ({ url, authority: 'https://login.invalid/', tenantId: 't', clientId: 'c', clientSecret: 's' });

beforeAll(async () => {
  server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ value: rows }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  http = new HttpClient({});
});

afterAll(async () => {
  await http?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

function dataverse(): DataverseClient {
  return new DataverseClient({ connection: connection(), http, tokens, gate: new ThrottleGate({ service: 'dataverse' }) });
}

function fno(): FnoClient {
  return new FnoClient({ connection: connection(), http, tokens, gate: new ThrottleGate({ service: 'fno' }) });
}

async function drain<T>(pages: AsyncGenerator<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('rows of an unexpected shape', () => {
  it('a key scan refuses an Account Number that is not a string, naming the account, the column and the value', async () => {
    rows = [{ accountnumber: 'A-1', accountid: OTHER_ID }, { accountnumber: 42, accountid: ID }];
    const error = await rejectionOf(drain(scanAccountKeys(dataverse(), { after: null, withIds: true, pageSize: 10 })));
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: 'configuration', service: 'dataverse' });
    expect((error as Error).message).toMatch(new RegExp(`^Dataverse returned a row \\(accountid '${ID}'\\) that is not an Account Number: accountnumber \\(42\\): `));
  });

  it('an F&O customer whose credit limit is not a decimal is refused, naming the customer and the field', async () => {
    rows = [{ dataAreaId: 'usmf', CustomerAccount: 'C-1', OrganizationName: 'Fine' }, { dataAreaId: 'usmf', CustomerAccount: 'C-2', CreditLimit: { amount: 1 } }];
    const error = await rejectionOf(drain(readCustomers(fno(), 'usmf', { kind: 'keys', keys: ['C-1', 'C-2'] })));
    expect(error).toMatchObject({ kind: 'configuration', service: 'fno' });
    expect((error as Error).message).toMatch(/^F&O returned a row \(CustomerAccount 'C-2', dataAreaId 'usmf'\) that is not a customer: CreditLimit \(\{"amount":1\}\): /);
  });

  it("a unit's account that cannot be read is reported with its problem, the readable ones kept", async () => {
    const readable = {
      '@odata.etag': 'W/"7"',
      accountid: OTHER_ID,
      accountnumber: 'A-2',
      name: 'Readable',
      address1_line1: null,
      address1_line2: null,
      address1_line3: null,
      address1_city: null,
      address1_stateorprovince: null,
      address1_postalcode: null,
      address1_county: null,
      address1_country: null,
      telephone1: null,
      fax: null,
      emailaddress1: null,
      websiteurl: null,
      description: null,
      creditlimit: null,
      creditonhold: null,
      _transactioncurrencyid_value: null,
      customertypecode: null,
      paymenttermscode: null,
      address1_freighttermscode: null,
      address1_shippingmethodcode: null,
      statecode: 0,
      modifiedon: '2026-01-01T00:00:00Z',
      createdon: '2026-01-01T00:00:00Z',
      versionnumber: 7,
      _owningbusinessunit_value: null,
    };
    rows = [{ ...readable, accountid: ID, accountnumber: 'A-1', creditlimit: 'lots' }, readable];
    const pages = await drain(readUnitAccounts(dataverse(), { kind: 'range', after: null, upTo: 'A-9', expected: 2 }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.accounts.map((a) => a.accountid)).toEqual([OTHER_ID]);
    expect(pages[0]?.unreadable.map((u) => [(u.row as { accountid: string }).accountid, u.error.issues.map((i) => i.path.join('.'))])).toEqual([[ID, ['creditlimit']]]);
  });
});
