import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustomerRow } from '../../../src/fno';
import { customer, type FnoServer, field, keyPath, rowsOf, startFno } from './fno-server';

let fno: FnoServer;

beforeAll(async () => {
  fno = await startFno({ maxPageSize: 5 });
  const seed = (company: string, account: string, extra: Record<string, unknown> = {}) =>
    fno.emulator.store.insert({ ...customer(account), dataAreaId: company, ...extra } as CustomerRow);
  for (let i = 1; i <= 12; i += 1) seed('usmf', `US-${String(i).padStart(3, '0')}`, { CreditLimit: i * 100 });
  for (let i = 1; i <= 4; i += 1) seed('demf', `DE-${i}`, { SalesCurrencyCode: 'EUR' });
  seed('usmf', "O'Brien", { IsExternallyMaintained: 'Yes', OrganizationName: "O'Brien Ltd" });
  seed('usmf', 'a,b)c', { OrganizationName: 'Punctuation' });
});

afterAll(async () => {
  await fno.close();
});

describe('F&O CustomersV2 reads', () => {
  it('addresses a customer by both named key parts, quotes doubled, case-insensitively, with its ETag', async () => {
    const byKey = await fno.call('GET', keyPath('usmf', "O'Brien"));
    expect(byKey.status).toBe(200);
    expect(byKey.json).toMatchObject({
      '@odata.context': `${fno.url}/data/$metadata#CustomersV2/$entity`,
      dataAreaId: 'usmf',
      CustomerAccount: "O'Brien",
      IsExternallyMaintained: 'Yes',
      PartyType: 'Organization',
    });
    expect(String(field(byKey, '@odata.etag'))).toMatch(/^W\/".+"$/);
    expect(byKey.headers.etag).toBe(field(byKey, '@odata.etag'));
    // Keys compare like F&O's SQL collation; parts may come in either order; punctuation survives encoding.
    expect((await fno.call('GET', "/data/CustomersV2(CustomerAccount='us-001',dataAreaId='USMF')")).status).toBe(200);
    expect(field(await fno.call('GET', keyPath('usmf', 'a,b)c')), 'OrganizationName')).toBe('Punctuation');
    expect((await fno.call('GET', keyPath('usmf', 'missing'))).status).toBe(404);
  });

  it.each([
    "/data/CustomersV2('US-001')",
    "/data/CustomersV2(CustomerAccount='US-001')",
    "/data/CustomersV2(dataAreaId='usmf')",
    "/data/CustomersV2(dataAreaId='usmf',CustomerAccount='US-001',Extra='x')",
    "/data/CustomersV2(dataAreaId='usmf',CustomerAccount=US-001)",
    "/data/CustomersV2(dataAreaId='usmf',CustomerAccount='US-001',)",
    "/data/CustomersV2(dataAreaId='usmf',dataAreaId='usmf')",
    "/data/CustomersV2(dataAreaId='usmf',CustomerAccount='unterminated)",
  ])('answers 400 "No route data was found" for %s', async (path) => {
    const result = await fno.call('GET', path);
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: { code: '', message: 'No route data was found for this request.' } });
  });

  it('shows only the default company without cross-company=true, every company with it', async () => {
    const own = await fno.call('GET', '/data/CustomersV2?$select=dataAreaId&$count=true');
    expect(field(own, '@odata.count')).toBe(14);
    expect(new Set(rowsOf(own).map((row) => row.dataAreaId))).toEqual(new Set(['usmf']));
    const all = await fno.call('GET', '/data/CustomersV2?cross-company=true&$count=true&$top=0');
    expect(field(all, '@odata.count')).toBe(18);
    const demf = await fno.call('GET', `/data/CustomersV2?cross-company=true&$filter=${encodeURIComponent("dataAreaId eq 'demf'")}`);
    expect(rowsOf(demf).map((row) => row.CustomerAccount)).toEqual(['DE-1', 'DE-2', 'DE-3', 'DE-4']);
    // A key in another company is not found without cross-company=true.
    expect((await fno.call('GET', keyPath('demf', 'DE-1'))).status).toBe(404);
    expect((await fno.call('GET', `${keyPath('demf', 'DE-1')}?cross-company=true`)).status).toBe(200);
  });

  it('filters with the F&O dialect, including enum literals, and refuses `in`, functions and unknown properties', async () => {
    const query = async (filter: string) =>
      fno.call('GET', `/data/CustomersV2?$select=CustomerAccount&$filter=${encodeURIComponent(filter)}`);
    expect(rowsOf(await query("CustomerAccount ge 'US-010' and CustomerAccount lt 'US-012'")).map((row) => row.CustomerAccount)).toEqual([
      'US-010',
      'US-011',
    ]);
    expect(rowsOf(await query("CustomerAccount eq 'us-003' or CustomerAccount eq 'US-007'"))).toHaveLength(2);
    expect(rowsOf(await query('CreditLimit gt 1000 and not (CreditLimit ge 1200)'))).toEqual([{ '@odata.etag': expect.any(String), CustomerAccount: 'US-011' }]);
    expect(rowsOf(await query("IsExternallyMaintained eq Microsoft.Dynamics.DataEntities.NoYes'Yes'")).map((row) => row.CustomerAccount)).toEqual([
      "O'Brien",
    ]);
    expect(rowsOf(await query("OrganizationName eq 'O''Brien ltd'"))).toHaveLength(1);

    const refusals = await Promise.all([
      query("CustomerAccount in ('US-001','US-002')"),
      query("contains(OrganizationName,'Org')"),
      query("IsExternallyMaintained eq 'Yes'"),
      query("IsExternallyMaintained eq Microsoft.Dynamics.DataEntities.NoYes'Maybe'"),
      query("Nope eq 'x'"),
      query('CustomerAccount eq'),
    ]);
    expect(refusals.map((result) => result.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(refusals[0]?.json).toMatchObject({ error: { innererror: { message: expect.stringContaining("'in'") } } });
    expect(refusals[4]?.json).toMatchObject({
      error: { message: expect.stringContaining("Could not find a property named 'Nope' on type 'Microsoft.Dynamics.DataEntities.CustomerV2'") },
    });
  });

  it('reads `*` inside an eq string as a wildcard, as F&O does (so a key with `*` can match other customers)', async () => {
    const query = async (filter: string) =>
      (rowsOf(await fno.call('GET', `/data/CustomersV2?cross-company=true&$select=CustomerAccount&$filter=${encodeURIComponent(filter)}`)) as Array<{ CustomerAccount: string }>)
        .map((row) => row.CustomerAccount)
        .sort();
    expect(await query("CustomerAccount eq 'US-01*'")).toEqual(['US-010', 'US-011', 'US-012']);
    expect(await query("CustomerAccount eq 'us-00*3'")).toEqual(['US-003']);
    expect(await query("dataAreaId eq 'usmf' and CustomerAccount eq '*'")).toHaveLength((await query("dataAreaId eq 'usmf'")).length);
    expect(await query("CustomerAccount ne 'US-*' and dataAreaId eq 'usmf'")).toEqual(["O'Brien", 'a,b)c']);
    // Other characters of the literal stay literal.
    expect(await query("CustomerAccount eq 'US.01*'")).toEqual([]);
  });

  it('selects, orders, skips, tops and counts', async () => {
    const result = await fno.call('GET', '/data/CustomersV2?$select=CustomerAccount,CreditLimit&$orderby=CreditLimit desc&$skip=1&$top=3&$count=true');
    expect(result.status).toBe(200);
    expect(field(result, '@odata.context')).toBe(`${fno.url}/data/$metadata#CustomersV2(CustomerAccount,CreditLimit)`);
    expect(field(result, '@odata.count')).toBe(14);
    expect(rowsOf(result).map((row) => [row.CustomerAccount, row.CreditLimit])).toEqual([
      ['US-011', 1100],
      ['US-010', 1000],
      ['US-009', 900],
    ]);
    expect(Object.keys(rowsOf(result)[0] ?? {})).toEqual(['@odata.etag', 'CustomerAccount', 'CreditLimit']);
    const count = await fno.call('GET', `/data/CustomersV2/$count?cross-company=true&$filter=${encodeURIComponent("SalesCurrencyCode eq 'EUR'")}`);
    expect(count).toMatchObject({ status: 200, text: '4' });
    const bad = await Promise.all(['$top=-1', '$skip=x', '$select=Nope', '$orderby=Nope', '$expand=Nope', '$apply=x', '$top=1&$top=2'].map((q) => fno.call('GET', `/data/CustomersV2?${q}`)));
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
  });

  it('pages on the server with @odata.nextLink, following a client $top across pages', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/data/CustomersV2?cross-company=true&$select=CustomerAccount';
    let pages = 0;
    while (next) {
      const result = await fno.call('GET', next.replace(fno.url, ''));
      expect(result.status).toBe(200);
      const rows = rowsOf(result);
      expect(rows.length).toBeLessThanOrEqual(5);
      seen.push(...rows.map((row) => String(row.CustomerAccount)));
      next = field(result, '@odata.nextLink') as string | undefined;
      if (next) expect(next.startsWith(`${fno.url}/data/CustomersV2?`)).toBe(true);
      pages += 1;
    }
    expect(pages).toBe(4);
    expect(seen).toHaveLength(18);
    expect(new Set(seen).size).toBe(18);
    // demf sorts before usmf; within a company, accounts in key order.
    expect(seen.slice(0, 5)).toEqual(['DE-1', 'DE-2', 'DE-3', 'DE-4', 'a,b)c']);

    const limited: string[] = [];
    next = '/data/CustomersV2?$select=CustomerAccount&$top=7';
    while (next) {
      const result = await fno.call('GET', next.replace(fno.url, ''));
      limited.push(...rowsOf(result).map((row) => String(row.CustomerAccount)));
      next = field(result, '@odata.nextLink') as string | undefined;
    }
    expect(limited).toHaveLength(7);
  });

  it('serves reference data per company, read-only', async () => {
    const groups = await fno.call('GET', `/data/CustomerGroups?cross-company=true&$filter=${encodeURIComponent("dataAreaId eq 'usmf'")}&$select=CustomerGroupId`);
    expect(rowsOf(groups).map((row) => row.CustomerGroupId)).toContain('10');
    const warehouses = await fno.call('GET', `/data/Warehouses?$filter=${encodeURIComponent("WarehouseId eq '13'")}`);
    expect(rowsOf(warehouses)).toEqual([{ dataAreaId: 'usmf', WarehouseId: '13', WarehouseName: 'Distribution warehouse', OperationalSiteId: '1' }]);
    const site = await fno.call('GET', "/data/OperationalSites(dataAreaId='usmf',SiteId='1')");
    expect(site.json).toMatchObject({ SiteId: '1' });
    const country = await fno.call('GET', "/data/AddressCountryRegions(CountryRegion='DEU')");
    expect(country.json).toMatchObject({ CountryRegion: 'DEU', ISOcode: 'DE' });
    const pennsylvania = await fno.call('GET', "/data/AddressStates(CountryRegionId='USA',State='PA')");
    expect(pennsylvania.json).toMatchObject({ CountryRegionId: 'USA', State: 'PA', Name: 'Pennsylvania' });
    for (const set of ['PaymentTerms', 'DeliveryTerms', 'DeliveryModesV2', 'Currencies', 'LegalEntities', 'AddressStates', 'AddressCounties']) {
      const result = await fno.call('GET', `/data/${set}?$top=1`);
      expect(result.status, set).toBe(200);
      expect(rowsOf(result), set).toHaveLength(1);
    }
    expect((await fno.call('POST', '/data/CustomerGroups', { body: { CustomerGroupId: 'X' } })).status).toBe(405);
    expect((await fno.call('GET', '/data/NoSuchSet')).status).toBe(404);
    // The emulator's invented `Languages` set is gone: F&O publishes no such set.
    expect((await fno.call('GET', '/data/Languages')).status).toBe(404);
    const metadata = await fno.call('GET', '/data/$metadata');
    expect(metadata.text).toContain('<EntityType Name="CustomerV2">');
    expect(metadata.text).toContain('<EnumType Name="NoYes">');
    expect(metadata.text).toContain('<EntitySet Name="DeliveryModesV2" EntityType="Microsoft.Dynamics.DataEntities.DeliveryModeV2"/>');
    expect(metadata.text).not.toContain('Languages');
  });
});
