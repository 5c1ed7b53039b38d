import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataverseErrorBodySchema } from '@p2c-sync/odata-wire';
import { type DataverseHarness, page, sampleAccount, type SendOptions, startDataverse } from './dataverse-harness';

interface Abuse {
  method: string;
  path: string;
  options?: SendOptions;
  /** A status, `4xx` (any client error), or `any` (a mutation that may still be valid: anything but a 5xx). */
  expected: number | '4xx' | 'any';
  /**
   * Whether a refusal must be in the Dataverse error shape. Not for paths with broken percent-encoding: the HTTP
   * layer refuses those before the service sees them, as IIS does in front of the real one.
   */
  shaped?: false;
}

describe('Dataverse emulator: robustness against malformed requests', () => {
  let dv: DataverseHarness;
  beforeAll(async () => {
    dv = await startDataverse();
    dv.emulator.store.insertAccounts(Array.from({ length: 50 }, (_, i) => sampleAccount(i + 1)));
  });
  afterAll(async () => dv?.close());

  const ID = '00000000-0000-4000-8000-000000000001';

  function abuses(): Abuse[] {
    const list: Abuse[] = [];
    const badFilters = [
      "name eq 'x", 'name eq', 'eq', "(name eq 'x'", "name eq 'x')", 'name eq x', "name eq 'x' and", 'not', '((((', '))))',
      "contains(name)", "contains(name,'a','b')", "startswith('a',name)", 'statecode eq 1.2.3', 'statecode eq --1', "statecode eq '0'",
      'accountid eq 123', "accountid eq '00000000-0000-4000-8000-000000000001'", 'modifiedon gt 2024-99-99', 'modifiedon gt yesterday',
      "Microsoft.Dynamics.CRM.In(PropertyName='accountid')", "Microsoft.Dynamics.CRM.In(PropertyName='nope',PropertyValues=['a'])",
      "Microsoft.Dynamics.CRM.In(PropertyName='statecode',PropertyValues=['x'])", "Microsoft.Dynamics.CRM.Bogus(x='y')",
      "name in ('a','b')", "name has 'a'", 'name eq null and', "name eq 'a' or or name eq 'b'", '$filter', "name eq 'a' #",
      `${'('.repeat(300)}statecode eq 0${')'.repeat(300)}`, "name eq '\u0000'x", 'creditlimit gt 1e', 'creditonhold eq maybe', "tolower(name) eq 'a'",
      "name eq Microsoft.Dynamics.DataEntities.NoYes'Yes'", 'statecode gt null', '@p1 eq 1', "name eq 'a' and statecode", 'name',
    ];
    for (const filter of badFilters) list.push({ method: 'GET', path: `accounts?$filter=${encodeURIComponent(filter)}`, expected: 400 });
    const seeds = ["statecode eq 0 and accountnumber gt 'ACC-1'", "contains(name,'x') or creditlimit le 10"];
    for (let i = 0; i < 30; i += 1) {
      const seed = seeds[i % 2] ?? '';
      const cut = 3 + ((i * 7) % (seed.length - 4));
      const mutated = `${seed.slice(0, cut)}${"'()=,"[i % 5]}${seed.slice(cut + 1)}`;
      list.push({ method: 'GET', path: `accounts?$filter=${encodeURIComponent(mutated)}`, expected: 'any' });
    }
    const badBodies = ['{', '{"name": }', '[1,2', 'null', 'true', '"text"', '{"name": "a",}', "{'name': 'a'}", '\u0000\u0001', '{"name": "a"} trailing',
      '{"creditlimit": 1e309}', '{"name": {"nested": true}}', '{"name": ["a"]}', '{"statecode": "0"}', '{"creditonhold": 1}', '{"customertypecode": 3.5}',
      '{"accountid": "not-a-guid", "name": "x"}', '{"transactioncurrencyid@odata.bind": 5}', '{"owningbusinessunit@odata.bind": "/businessunits(x)"}', '{"__proto__": {"name": "x"}}'];
    for (const rawBody of badBodies) {
      list.push({ method: 'PATCH', path: `accounts(${ID})`, options: { rawBody, headers: { 'content-type': 'application/json' } }, expected: 400 });
      list.push({ method: 'POST', path: 'accounts', options: { rawBody, headers: { 'content-type': 'application/json' } }, expected: 400 });
    }
    const badKeys = ['accounts()', 'accounts(1)', "accounts('x')", 'accounts(00000000-0000-4000-8000-00000000000)', 'accounts(00000000-0000-4000-8000-0000000000012)',
      'accounts(name=\'x\')', 'accounts(accountid=)', 'accounts(accountid=1)', 'accounts(%ZZ)', 'accounts(00000000-0000-4000-8000-000000000001)(x)',
      'accounts(00000000-0000-4000-8000-000000000001,1)', "accounts(accountid='00000000-0000-4000-8000-000000000001')", 'accounts((1))', 'accounts(null)', 'accounts(true)'];
    for (const path of badKeys) {
      const shaped = path.includes('%') ? { shaped: false as const } : {};
      list.push({ method: 'GET', path, expected: path === 'accounts()' ? 200 : '4xx', ...shaped });
      list.push({ method: 'PATCH', path, options: { body: { name: 'x' } }, expected: path === 'accounts()' ? 405 : '4xx', ...shaped });
    }
    const now = Math.floor(Date.now() / 1000);
    const valid = dv.token();
    const tokens: Array<string | null> = [null, '', 'garbage', 'a.b.c', `${valid}x`, valid.replace(/\.[^.]+$/, '.AAAA'), dv.token({ exp: now - 10 }),
      dv.token({ aud: 'https://contoso.crm.dynamics.com' }), dv.token({ aud: `${dv.origin}/other` }), `${valid.split('.')[0]}.e30.${valid.split('.')[2]}`];
    for (const token of tokens) {
      list.push({ method: 'GET', path: 'accounts?$top=1', options: { token }, expected: 401 });
      list.push({ method: 'PATCH', path: `accounts(${ID})`, options: { token, body: { name: 'hijack' } }, expected: 401 });
      list.push({ method: 'GET', path: 'accounts', options: { token: null, headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }, expected: 401 });
    }
    for (let i = 0; i < 15; i += 1) {
      list.push({ method: 'GET', path: `accounts?$select=name,column${i}`, expected: 400 });
      list.push({ method: 'GET', path: `accounts?$orderby=column${i} desc`, expected: 400 });
      list.push({ method: 'PATCH', path: `accounts(${ID})`, options: { body: { [`column${i}`]: 'x' } }, expected: 400 });
    }
    const oddQueries = ['accounts?$top=-1', 'accounts?$top=abc', 'accounts?$count=maybe', 'accounts?$select=', 'accounts?$select=name,,name', 'accounts?$skiptoken=%00',
      'accounts?$deltatoken=1!x', 'accounts?$filter=a&$filter=b', 'accounts?$apply=groupby((name))', 'accounts?$skip=1', 'accounts?$expand=x', 'accounts?$orderby=name%20sideways',
      'accounts?$search=x', 'contacts', 'accounts/name', '$metadata#x', '%E0%A4%A', 'accounts?$orderby=,'];
    for (const path of oddQueries) list.push({ method: 'GET', path, expected: '4xx', ...(path.startsWith('%') ? { shaped: false as const } : {}) });
    const batches = ['', '--b--', 'garbage', '--b\r\nContent-Type: application/http\r\n\r\nNOPE\r\n--b--'];
    for (const rawBody of batches) {
      list.push({ method: 'POST', path: '$batch', options: { rawBody, headers: { 'content-type': 'multipart/mixed; boundary=b' } }, expected: 400 });
      list.push({ method: 'POST', path: '$batch', options: { rawBody, headers: { 'content-type': 'text/plain' } }, expected: 400 });
    }
    return list;
  }

  it('answers 200+ malformed requests with 4xx in the Dataverse error shape, then still serves correct ones', async () => {
    const list = abuses();
    expect(list.length).toBeGreaterThanOrEqual(200);
    const versionBefore = dv.emulator.store.maxVersion();
    const results = [];
    for (let start = 0; start < list.length; start += 16) {
      const chunk = list.slice(start, start + 16);
      results.push(...(await Promise.all(chunk.map(async (abuse) => ({ abuse, response: await dv.send(abuse.method, abuse.path, abuse.options) })))));
    }
    const problems: string[] = [];
    for (const { abuse, response } of results) {
      const label = `${abuse.method} ${abuse.path.slice(0, 80)}`;
      if (response.status >= 500) problems.push(`${label}: server error ${response.status} ${response.text.slice(0, 120)}`);
      if (response.status < 300) {
        if (abuse.expected !== 'any' && abuse.expected !== response.status) problems.push(`${label}: accepted with ${response.status}`);
        continue;
      }
      if (typeof abuse.expected === 'number' && response.status !== abuse.expected) {
        problems.push(`${label}: expected ${abuse.expected}, got ${response.status} ${response.text.slice(0, 120)}`);
      }
      if (response.status < 400) problems.push(`${label}: status ${response.status}`);
      if (abuse.shaped !== false && !dataverseErrorBodySchema.safeParse(response.json).success) problems.push(`${label}: body ${response.text.slice(0, 120)}`);
    }
    expect(problems).toEqual([]);
    // Nothing was written by any of them, and the hijack attempts with bad tokens changed nothing.
    expect(dv.emulator.store.maxVersion()).toBe(versionBefore);
    expect(dv.emulator.store.getAccount(ID)?.name).toBe('Account 0001');

    const read = page(await dv.send('GET', "accounts?$select=name&$filter=statecode eq 0&$orderby=name", { headers: { prefer: 'odata.maxpagesize=10' } }));
    expect(read.value).toHaveLength(10);
    expect((await dv.send('PATCH', `accounts(${ID})`, { body: { name: 'Still fine' } })).status).toBe(204);
    expect(dv.emulator.store.getAccount(ID)?.name).toBe('Still fine');
    const health = await dv.send('GET', `${dv.origin}/_admin/health`, { token: null });
    expect(health.json).toMatchObject({ status: 'ok', accounts: 50 });
  });
});
