import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type RunningEmulators } from '../../../src/start-emulators';

let emulators: RunningEmulators;
let agent: Agent;
let dataverseToken: string;
let fnoToken: string;

async function token(resource: string): Promise<string> {
  const response = await request(`${emulators.entra.authority}/${emulators.entra.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: emulators.client.clientId,
      client_secret: emulators.client.clientSecret,
      scope: `${resource}/.default`,
    }).toString(),
  });
  return ((await response.body.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  emulators = await startEmulators({ generate: { count: 30, seed: 4 } });
  agent = new Agent({ connect: { ca: emulators.entra.caCertPem } });
  dataverseToken = await token(emulators.dataverse.url);
  fnoToken = await token(emulators.fno.url);
});

afterAll(async () => {
  await agent.close();
  await emulators.close();
});

interface Malformed {
  service: 'fno' | 'dataverse' | 'entra';
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

function malformedRequests(): Malformed[] {
  const fno = (method: string, path: string, body?: string, headers: Record<string, string> = {}): Malformed => ({
    service: 'fno',
    method,
    path,
    headers: { authorization: `Bearer ${fnoToken}`, 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  const dataverse = (method: string, path: string, body?: string, headers: Record<string, string> = {}): Malformed => ({
    service: 'dataverse',
    method,
    path: `/api/data/v9.2/${path}`,
    headers: { authorization: `Bearer ${dataverseToken}`, 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  const entra = (body: string, contentType = 'application/x-www-form-urlencoded', tenant = emulators.entra.tenantId): Malformed => ({
    service: 'entra',
    method: 'POST',
    path: `/${tenant}/oauth2/v2.0/token`,
    headers: { 'content-type': contentType },
    body,
  });
  const badKeys = [
    "('X')", "(CustomerAccount='X')", "(dataAreaId='usmf')", "(dataAreaId=usmf,CustomerAccount='X')", "(dataAreaId='usmf',CustomerAccount='X'",
    "(dataAreaId='usmf';CustomerAccount='X')", "(dataAreaId='usmf',CustomerAccount='X',)", '()', "(dataAreaId='usmf',CustomerAccount='it''s)", '(%ZZ)',
    "(dataAreaId='usmf',Foo='X')", "(dataAreaId='usmf',CustomerAccount='X',dataAreaId='demf')", "(dataAreaId='',CustomerAccount=)", '(1)', "(dataAreaId='usmf',CustomerAccount='X')(x)",
  ];
  const badFilters = [
    "CustomerAccount in ('A','B')", "dataAreaId in ('usmf')", 'CustomerAccount eq', "eq 'x'", "CustomerAccount eq 'unterminated", 'CreditLimit gt abc',
    "contains(CustomerAccount,'A')", "startswith(OrganizationName,'A')", "Nope eq 'x'", "IsExternallyMaintained eq 'Yes'",
    "IsExternallyMaintained gt Microsoft.Dynamics.DataEntities.NoYes'No'", "IsExternallyMaintained eq Microsoft.Dynamics.DataEntities.NoYes'Perhaps'",
    '((((((((((', `${'('.repeat(200)}CreditLimit gt 1${')'.repeat(200)}`, "CustomerAccount eq 'A' and", 'not', "CustomerAccount has 'x'", 'CreditLimit eq null and', '@@@', "CustomerAccount eq 'a' or or CustomerAccount eq 'b'",
  ];
  const badBodies = ['{', '[]', '"text"', '123', 'null', '{"CustomerAccount": }', '{"CreditLimit": "abc"}', '{"Unknown": 1}', '{"OrganizationName": {"nested": true}}', '\u0000\u0001'];
  const requests: Malformed[] = [
    ...badKeys.flatMap((key) => [fno('GET', `/data/CustomersV2${key}`), fno('PATCH', `/data/CustomersV2${key}`, '{"NameAlias":"x"}'), fno('DELETE', `/data/CustomersV2${key}`)]),
    ...badFilters.map((filter) => fno('GET', `/data/CustomersV2?$filter=${encodeURIComponent(filter)}`)),
    ...badFilters.map((filter) => fno('GET', `/data/CustomerGroups?cross-company=true&$filter=${encodeURIComponent(filter)}`)),
    ...badFilters.map((filter) => dataverse('GET', `accounts?$filter=${encodeURIComponent(filter)}`)),
    ...badBodies.flatMap((body) => [fno('POST', '/data/CustomersV2', body), fno('PATCH', "/data/CustomersV2(dataAreaId='usmf',CustomerAccount='NONE')", body)]),
    ...['$top=-1', '$top=abc', '$skip=-5', '$select=Nope', '$orderby=Nope desc', '$orderby=CustomerAccount sideways', '$expand=Lines', '$count=maybe', '$format=xml', '$search=x', '$filter=', '$top=1&$top=2'].map((query) =>
      fno('GET', `/data/CustomersV2?${query}`),
    ),
    fno('POST', '/data/$batch', 'not multipart', { 'content-type': 'multipart/mixed; boundary=b' }),
    fno('POST', '/data/$batch', '--b\r\nContent-Type: application/http\r\n\r\nGARBAGE\r\n--b--\r\n', { 'content-type': 'multipart/mixed; boundary=b' }),
    fno('POST', '/data/$batch', '{}', { 'content-type': 'application/json' }),
    fno('POST', '/data/$batch', '--b--', { 'content-type': 'multipart/mixed' }),
    fno('POST', '/data/CustomersV2', '<xml/>', { 'content-type': 'application/xml' }),
    fno('GET', '/data/NoSuchEntity'),
    fno('POST', '/data/CustomerGroups', '{}'),
    fno('DELETE', '/data/CustomersV2'),
    fno('GET', '/data/CustomersV2/$count/$count'),
    ...['', 'Bearer', 'Bearer ', 'Bearer a.b.c', 'Basic dXNlcjpwYXNz', `Bearer ${dataverseToken}`, `Bearer ${fnoToken}x`, 'Bearer eyJhbGciOiJub25lIn0.e30.', `bearer ${'x'.repeat(5000)}`].map((authorization) =>
      fno('GET', '/data/CustomersV2', undefined, { authorization }),
    ),
    ...["accounts(not-a-guid)", "accounts('x')", 'accounts(00000000-0000-0000-0000-00000000000Z)', 'accounts?$filter=name%20in%20(1)', 'accounts?$filter=nope%20eq%201', 'accounts?$filter=(((', 'accounts?$skip=10', 'accounts?$top=x', 'accounts?$select=nope', 'accounts?$orderby=nope', 'nosuchset', 'accounts/$count/x', 'accounts?$filter=name%20eq'].map((path) =>
      dataverse('GET', path),
    ),
    ...badBodies.flatMap((body) => [dataverse('POST', 'accounts', body), dataverse('PATCH', 'accounts(11111111-1111-4111-8111-111111111111)', body)]),
    dataverse('POST', '$batch', 'garbage', { 'content-type': 'multipart/mixed; boundary=z' }),
    ...['', 'Bearer nope', `Bearer ${fnoToken}`, 'Basic abc'].map((authorization) => dataverse('GET', 'accounts', undefined, { authorization })),
    ...[
      '', 'grant_type=password', 'grant_type=client_credentials', 'grant_type=client_credentials&client_id=p2c-sync',
      `grant_type=client_credentials&client_id=p2c-sync&client_secret=wrong&scope=${encodeURIComponent(`${emulators.fno.url}/.default`)}`,
      `grant_type=client_credentials&client_id=unknown&client_secret=x&scope=x`, '%%%%', 'a=1&a=2&a=3', `grant_type=client_credentials&client_id=p2c-sync&client_secret=${encodeURIComponent(emulators.client.clientSecret)}&scope=nodefault`,
    ].map((body) => entra(body)),
    entra('{"grant_type":"client_credentials"}', 'application/json'),
    entra('grant_type=client_credentials', 'application/x-www-form-urlencoded', 'no-such-tenant'),
    { service: 'entra', method: 'GET', path: '/no-such-tenant/v2.0/.well-known/openid-configuration' },
    { service: 'entra', method: 'GET', path: '/x/y/z' },
  ];
  return requests;
}

describe('robustness', () => {
  it('answers at least 200 malformed requests with 4xx in each service’s shape and keeps serving', async () => {
    const requests = malformedRequests();
    expect(requests.length).toBeGreaterThanOrEqual(200);
    const origins = { fno: emulators.fno.url, dataverse: emulators.dataverse.url, entra: emulators.entra.authority };
    const outcomes: Array<{ request: string; status: number }> = [];
    for (const malformed of requests) {
      const response = await request(`${origins[malformed.service]}${malformed.path}`, {
        method: malformed.method as 'GET',
        dispatcher: malformed.service === 'entra' ? agent : undefined,
        headers: malformed.headers,
        body: malformed.body,
      });
      const text = await response.body.text();
      outcomes.push({ request: `${malformed.service} ${malformed.method} ${malformed.path.slice(0, 80)}`, status: response.statusCode });
      // Every refusal carries a JSON error body.
      if (response.statusCode >= 400) expect(() => JSON.parse(text), `${malformed.path} → ${text.slice(0, 100)}`).not.toThrow();
    }
    const unexpected = outcomes.filter((outcome) => outcome.status < 400 || outcome.status >= 500);
    expect(unexpected).toEqual([]);

    // Still fully working afterwards.
    const created = await request(`${emulators.fno.url}/data/CustomersV2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fnoToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dataAreaId: 'usmf', CustomerAccount: 'STILL-OK', CustomerGroupId: '10', SalesCurrencyCode: 'USD' }),
    });
    expect(created.statusCode).toBe(201);
    await created.body.dump();
    const read = await request(`${emulators.fno.url}/data/CustomersV2(dataAreaId='usmf',CustomerAccount='STILL-OK')`, {
      headers: { authorization: `Bearer ${await token(emulators.fno.url)}` },
    });
    expect(read.statusCode).toBe(200);
    await read.body.dump();
    const accounts = await request(`${emulators.dataverse.url}/api/data/v9.2/accounts?$select=name&$count=true`, {
      headers: { authorization: `Bearer ${dataverseToken}` },
    });
    expect(((await accounts.body.json()) as { '@odata.count': number })['@odata.count']).toBe(30);
    expect(emulators.fno.store.size).toBe(1);
  });
});
