import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SampleAccount, type DataverseHarness, errorOf, EUR, GERMANY_UNIT, page, ROOT_UNIT, sampleAccount, startDataverse, USD } from './dataverse-harness';

const COUNT = 60;

describe('Dataverse emulator: reading accounts', () => {
  let dv: DataverseHarness;
  // Rows inserted in this order, so row n gets versionnumber n; the last three make collation and nulls visible.
  const seeded: SampleAccount[] = [
    ...Array.from({ length: COUNT }, (_, i) => sampleAccount(i + 1)),
    { ...sampleAccount(101), name: "O'Brien & Sons", accountnumber: 'acc-00003-test01', address1_city: null },
    { ...sampleAccount(102), name: 'no number', accountnumber: null, statecode: 0 },
    { ...sampleAccount(103), name: 'Zürich AG', accountnumber: 'ACC-00103-TEST01', _owningbusinessunit_value: GERMANY_UNIT.businessunitid },
  ];
  beforeAll(async () => {
    dv = await startDataverse();
    dv.emulator.store.insertAccounts(seeded);
  });
  afterAll(async () => dv?.close());

  const all = async (path: string, pageSize?: number) => {
    const rows: Array<Record<string, unknown>> = [];
    let next: string | undefined = path;
    while (next !== undefined) {
      const body = page(await dv.send('GET', next, { headers: pageSize ? { prefer: `odata.maxpagesize=${pageSize}` } : {} }));
      rows.push(...body.value);
      next = body['@odata.nextLink'];
    }
    return rows;
  };

  it('returns selected columns plus the key, an ETag per row and the context URL', async () => {
    const response = await dv.send('GET', 'accounts?$select=name,versionnumber&$top=2');
    const body = page(response);
    expect(body['@odata.context']).toBe(`${dv.root}$metadata#accounts(name,versionnumber)`);
    expect(body.value).toHaveLength(2);
    for (const row of body.value) {
      expect(Object.keys(row).sort()).toEqual(['@odata.etag', 'accountid', 'name', 'versionnumber']);
      expect(row['@odata.etag']).toBe(`W/"${String(row['versionnumber'])}"`);
    }
    expect(response.headers['content-type']).toMatch(/^application\/json; odata\.metadata=minimal/);
    expect(response.headers['odata-version']).toBe('4.0');
  });

  it('writes each row as the ETag, the selected columns in $select order, then the key unless selected (byte for byte)', async () => {
    const id = '00000000-0000-4000-8000-000000000101';
    const appended = await dv.send('GET', `accounts?$select=address1_city,name,creditlimit&$filter=accountid eq ${id}`);
    expect(appended.text).toBe(
      `{"@odata.context":"${dv.root}$metadata#accounts(address1_city,name,creditlimit)","value":[` +
        `{"@odata.etag":"W/\\"61\\"","address1_city":null,"name":"O'Brien & Sons","creditlimit":10100,"accountid":"${id}"}]}`,
    );
    const inPlace = await dv.send('GET', `accounts?$select=name,accountid,statecode&$filter=accountid eq ${id}`);
    expect(inPlace.text).toBe(
      `{"@odata.context":"${dv.root}$metadata#accounts(name,accountid,statecode)","value":[` +
        `{"@odata.etag":"W/\\"61\\"","name":"O'Brien & Sons","accountid":"${id}","statecode":0}]}`,
    );
    expect(inPlace.headers['content-type']).toBe('application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8');
    // Sent as UTF-8 bytes: the length counts bytes, not characters (ü is two).
    const zurich = await dv.send('GET', `accounts?$select=name&$filter=accountid eq 00000000-0000-4000-8000-000000000103`);
    expect(zurich.text).toContain('"name":"Zürich AG"');
    expect(zurich.headers['content-length']).toBe(String(zurich.text.length + 1));
  });

  it('returns every column without $select, with lookups as _…_value GUIDs', async () => {
    const body = page(await dv.send('GET', 'accounts?$filter=accountid eq 00000000-0000-4000-8000-000000000003'));
    const row = body.value[0] ?? {};
    expect(row['_transactioncurrencyid_value']).toBe(EUR.transactioncurrencyid);
    expect(row['_owningbusinessunit_value']).toBe(ROOT_UNIT.businessunitid);
    expect(row['modifiedon']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(row).toHaveProperty('creditonhold', false);
    expect(row).toHaveProperty('address1_line1', null);
  });

  // Each filter with an independent oracle: a plain predicate over the seeded rows.
  const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);
  it.each<[string, (row: SampleAccount) => boolean]>([
    ['statecode eq 1', (row) => row.statecode === 1],
    ['statecode ne 1', (row) => row.statecode !== 1],
    ['creditlimit gt 5000', (row) => row.creditlimit > 5000],
    ['creditlimit ge 5000 and creditlimit le 5200', (row) => row.creditlimit >= 5000 && row.creditlimit <= 5200],
    ['creditlimit lt 300 or creditlimit gt 10000', (row) => row.creditlimit < 300 || row.creditlimit > 10000],
    ["not (address1_city eq 'Seattle')", (row) => row.address1_city !== 'Seattle'],
    ['address1_city eq null', (row) => row.address1_city === null],
    ['address1_city ne null', (row) => row.address1_city !== null],
    ['accountnumber eq null', (row) => row.accountnumber === null],
    ["accountnumber eq 'ACC-00003-TEST01'", (row) => lower(row.accountnumber) === 'acc-00003-test01'],
    ["accountnumber gt 'acc-00059'", (row) => row.accountnumber !== null && row.accountnumber.toLowerCase() > 'acc-00059'],
    ["contains(name,'BRIEN')", (row) => row.name.toLowerCase().includes('brien')],
    ["startswith(name,'o''brien')", (row) => row.name.toLowerCase().startsWith("o'brien")],
    ["endswith(name,'0010')", (row) => row.name.endsWith('0010')],
    ["name eq 'O''Brien & Sons'", (row) => row.name === "O'Brien & Sons"],
    ["name eq 'zürich ag'", (row) => row.name.toLowerCase() === 'zürich ag'],
    [`_transactioncurrencyid_value eq ${EUR.transactioncurrencyid}`, (row) => row._transactioncurrencyid_value === EUR.transactioncurrencyid],
    [`_owningbusinessunit_value eq ${GERMANY_UNIT.businessunitid.toUpperCase()}`, (row) => row._owningbusinessunit_value === GERMANY_UNIT.businessunitid],
    ['accountid eq 00000000-0000-4000-8000-000000000007', (row) => row.accountid.endsWith('0007')],
    [
      "Microsoft.Dynamics.CRM.In(PropertyName='accountid',PropertyValues=['00000000-0000-4000-8000-000000000007','00000000-0000-4000-8000-000000000009','00000000-0000-4000-8000-000000000999'])",
      (row) => ['0007', '0009'].some((suffix) => row.accountid.endsWith(suffix)),
    ],
    [
      "Microsoft.Dynamics.CRM.In(PropertyName='accountnumber',PropertyValues=['ACC-00001-TEST01','acc-00002-test01'])",
      (row) => ['acc-00001-test01', 'acc-00002-test01'].includes(String(lower(row.accountnumber))),
    ],
    ['versionnumber gt 60', (_row) => false],
    ['modifiedon ge 2000-01-01T00:00:00Z', () => true],
    ["creditonhold eq false and (statecode eq 0 or name eq 'no number')", (row) => row.statecode === 0 || row.name === 'no number'],
  ])('filters %s', async (filter, predicate) => {
    const rows = await all(`accounts?$select=accountid,versionnumber&$filter=${encodeURIComponent(filter)}`, 7);
    const expected = seeded
      .filter((row, index) => (filter.startsWith('versionnumber') ? index + 1 > 60 : predicate(row)))
      .map((row) => row.accountid)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.map((row) => row['accountid']).sort()).toEqual(expected);
  });

  it('orders by several keys, both directions, nulls first ascending, ties broken by the key', async () => {
    const rows = await all('accounts?$select=address1_city,creditlimit&$orderby=address1_city desc,creditlimit asc', 9);
    expect(rows).toHaveLength(COUNT + 3);
    const cities = rows.map((row) => row['address1_city']);
    expect(cities.indexOf(null)).toBe(rows.length - 1); // desc: nulls last
    for (let i = 1; i < rows.length; i += 1) {
      const [a, b] = [rows[i - 1] ?? {}, rows[i] ?? {}];
      if (a['address1_city'] === b['address1_city']) expect(Number(a['creditlimit'])).toBeLessThanOrEqual(Number(b['creditlimit']));
    }
    const byCity = await all('accounts?$select=address1_city&$orderby=address1_city', 9);
    expect(byCity[0]?.['address1_city']).toBeNull();
    const sameCity = byCity.filter((row) => row['address1_city'] === 'Berlin').map((row) => String(row['accountid']));
    expect(sameCity).toEqual([...sameCity].sort()); // the tie-break on accountid
  });

  it('sorts strings case-insensitively, the same way gt compares them', async () => {
    const rows = await all('accounts?$select=accountnumber&$orderby=accountnumber&$filter=accountnumber ne null', 5);
    const numbers = rows.map((row) => String(row['accountnumber']));
    for (let i = 1; i < numbers.length; i += 1) expect((numbers[i - 1] ?? '').toLowerCase() <= (numbers[i] ?? '').toLowerCase()).toBe(true);
    const mixed = numbers.indexOf('ACC-00003-TEST01');
    expect(numbers[mixed + 1]).toBe('acc-00003-test01'); // equal ignoring case: adjacent, ordered by accountid
    for (const boundary of ['ACC-00003-TEST01', 'acc-00010', 'ACC-00059-TEST01']) {
      const after = await all(`accounts?$select=accountnumber&$orderby=accountnumber&$filter=accountnumber gt '${boundary}'`, 5);
      expect(after.map((row) => row['accountnumber'])).toEqual(numbers.filter((n) => n.toLowerCase() > boundary.toLowerCase()));
    }
  });

  it('pages by odata.maxpagesize with Preference-Applied and an opaque next link', async () => {
    const first = await dv.send('GET', 'accounts?$select=name', { headers: { prefer: 'odata.maxpagesize=25' } });
    expect(first.headers['preference-applied']).toBe('odata.maxpagesize=25');
    const body = page(first);
    expect(body.value).toHaveLength(25);
    const next = body['@odata.nextLink'] ?? '';
    expect(next.startsWith(`${dv.root}accounts?`)).toBe(true);
    expect(new URL(next).searchParams.get('$skiptoken')).toMatch(/^[A-Za-z0-9_-]+$/);
    const rows = await all('accounts?$select=name', 25);
    expect(rows).toHaveLength(COUNT + 3);
    const capped = await dv.send('GET', 'accounts?$select=name', { headers: { prefer: 'odata.maxpagesize=99999' } });
    expect(capped.headers['preference-applied']).toBe('odata.maxpagesize=5000');
  });

  it('honours $top without a page size, ignores it with one', async () => {
    expect(page(await dv.send('GET', 'accounts?$select=name&$top=4')).value).toHaveLength(4);
    expect(page(await dv.send('GET', 'accounts?$select=name&$top=4'))['@odata.nextLink']).toBeUndefined();
    const withPageSize = page(await dv.send('GET', 'accounts?$select=name&$top=4', { headers: { prefer: 'odata.maxpagesize=10' } }));
    expect(withPageSize.value).toHaveLength(10);
    expect(withPageSize['@odata.nextLink']).toBeDefined();
  });

  it('counts with $count=true', async () => {
    const body = page(await dv.send('GET', 'accounts?$select=name&$filter=statecode eq 1&$count=true', { headers: { prefer: 'odata.maxpagesize=5' } }));
    expect(body['@odata.count']).toBe(seeded.filter((row) => row.statecode === 1).length);
    expect(body.value).toHaveLength(5);
  });

  it('refuses $skip, unknown columns, bad filters and edited skip tokens with 400 in the Dataverse shape', async () => {
    const skip = await dv.send('GET', 'accounts?$skip=10');
    expect(skip.status).toBe(400);
    expect(errorOf(skip).code).toBe('0x80060888');

    const unknownFilter = await dv.send('GET', `accounts?$filter=${encodeURIComponent("foo eq 'x'")}`);
    expect(unknownFilter.status).toBe(400);
    expect(errorOf(unknownFilter).message).toBe("Could not find a property named 'foo' on type 'Microsoft.Dynamics.CRM.account'.");
    const unknownSelect = await dv.send('GET', 'accounts?$select=name,bogus');
    expect(errorOf(unknownSelect).message).toBe("Could not find a property named 'bogus' on type 'Microsoft.Dynamics.CRM.account'.");
    expect(errorOf(unknownSelect).code).toBe('0x0');
    const unknownOrder = await dv.send('GET', 'accounts?$orderby=bogus desc');
    expect(errorOf(unknownOrder).message).toContain("'bogus'");

    const badFilter = await dv.send('GET', `accounts?$filter=${encodeURIComponent("name eq 'x")}`);
    expect(badFilter.status).toBe(400);
    expect(errorOf(badFilter).message).toContain('unterminated');

    const next = page(await dv.send('GET', 'accounts?$select=name', { headers: { prefer: 'odata.maxpagesize=3' } }))['@odata.nextLink'] ?? '';
    const edited = await dv.send('GET', next.replace(/\$skiptoken=[^&]+/, '$skiptoken=garbage'));
    expect(edited.status).toBe(400);
    const otherOrder = await dv.send('GET', next.replace('$select=name', '$select=name&$orderby=name'));
    expect(otherOrder.status).toBe(400);
  });

  it('reads one account by key with its ETag; 404 when missing; 400 for a malformed key', async () => {
    const found = await dv.send('GET', 'accounts(00000000-0000-4000-8000-000000000005)?$select=name');
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({
      '@odata.context': `${dv.root}$metadata#accounts(name)/$entity`,
      name: 'Account 0005',
      accountid: '00000000-0000-4000-8000-000000000005',
    });
    expect(found.headers['etag']).toBe((found.json as Record<string, string>)['@odata.etag']);
    const named = await dv.send('GET', 'accounts(accountid=00000000-0000-4000-8000-000000000005)?$select=name');
    expect(named.status).toBe(200);
    const notModified = await dv.send('GET', 'accounts(00000000-0000-4000-8000-000000000005)', { headers: { 'if-none-match': found.headers['etag'] ?? '' } });
    expect(notModified.status).toBe(304);

    const missing = await dv.send('GET', 'accounts(00000000-0000-4000-8000-0000000fffff)');
    expect(missing.status).toBe(404);
    expect(errorOf(missing)).toEqual({ code: '0x80040217', message: 'account With Id = 00000000-0000-4000-8000-0000000fffff Does Not Exist' });
    for (const key of ["'00000000-0000-4000-8000-000000000005'", '42', 'accountnumber=\'ACC-00005-TEST01\'', 'x']) {
      expect((await dv.send('GET', `accounts(${key})`)).status).toBe(400);
    }
  });

  it('serves the lookup tables and answers unknown entity sets with 404', async () => {
    const currencies = page(await dv.send('GET', "transactioncurrencies?$select=isocurrencycode&$filter=isocurrencycode eq 'eur'"));
    expect(currencies.value).toEqual([{ isocurrencycode: 'EUR', transactioncurrencyid: EUR.transactioncurrencyid }]);
    const units = page(await dv.send('GET', 'businessunits?$select=name&$orderby=name desc'));
    expect(units.value.map((unit) => unit['name'])).toEqual([GERMANY_UNIT.name, ROOT_UNIT.name]);
    const one = await dv.send('GET', `transactioncurrencies(${USD.transactioncurrencyid})`);
    expect(one.json).toMatchObject({ isocurrencycode: 'USD', currencyname: 'US Dollar' });
    const unknown = await dv.send('GET', 'contacts');
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).message).toBe("Resource not found for the segment 'contacts'.");
    // The code Microsoft's troubleshooting page shows for this answer.
    expect(errorOf(unknown).code).toBe('0x8006088a');
    const who = await dv.send('GET', 'WhoAmI()');
    expect(who.json).toMatchObject({ BusinessUnitId: ROOT_UNIT.businessunitid });
  });

  it('keeps a simple GET cheap: 300 sequential reads by key well within a second each way', async () => {
    // CPU time of this process (client and emulator both run in it), not wall-clock time.
    const started = process.cpuUsage();
    for (let i = 0; i < 300; i += 1) {
      const response = await dv.send('GET', `accounts(00000000-0000-4000-8000-${String((i % COUNT) + 1).padStart(12, '0')})?$select=name`);
      expect(response.status).toBe(200);
    }
    // Generous: the point is that nothing per request scans the table.
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1_000).toBeLessThan(3000);
  });
});
