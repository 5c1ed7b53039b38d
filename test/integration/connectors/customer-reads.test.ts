import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCustomers, readMaintainedCustomerKeys, type CustomerSelection } from '../../../src/connectors/customer-reads';
import { DataverseClient } from '../../../src/connectors/dataverse-client';
import { FnoClient } from '../../../src/connectors/fno-client';
import { readBusinessUnitIds, readCurrencyCodes, readReferenceCodes, readWarehouseSite } from '../../../src/connectors/reference-reads';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import { TokenProvider } from '../../../src/connectors/token-provider';
import { type ConnectorEmulators, startConnectorEmulators } from './emulator-fixture';

// The typed F&O customer reads and the reference data reads against the emulators over real HTTP: filters by company,
// range and keys, key slicing, and rows parsed to the written fields. Customers are written out here.

/** Customers C-001 … C-120 of usmf, more than two slices of keys. */
const SLICED = Array.from({ length: 120 }, (_, i) => `C-${String(i + 1).padStart(3, '0')}`);

let env: ConnectorEmulators;
let fno: FnoClient;
let dataverse: DataverseClient;

function customer(company: string, account: string, extra: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    dataAreaId: company,
    CustomerAccount: account,
    OrganizationName: `Customer ${account} of ${company}`,
    PartyType: 'Organization',
    CustomerGroupId: '10',
    SalesCurrencyCode: 'USD',
    IsExternallyMaintained: 'Yes',
    ...extra,
  };
}

beforeAll(async () => {
  env = await startConnectorEmulators({ fno: { maxPageSize: 7 } });
  fno = new FnoClient({
    connection: env.fno,
    http: env.http,
    tokens: new TokenProvider({ ...env.fno, resource: env.fno.url, http: env.http }),
    gate: new ThrottleGate({ service: 'fno' }),
  });
  dataverse = new DataverseClient({
    connection: env.dataverse,
    http: env.http,
    tokens: new TokenProvider({ ...env.dataverse, resource: env.dataverse.url, http: env.http }),
    gate: new ThrottleGate({ service: 'dataverse' }),
  });
  const store = env.emulators.fno.store;
  store.insert(customer('usmf', 'A-1', { CreditLimit: 1500.5, AddressCity: 'Redmond' }));
  store.insert(customer('usmf', 'A-2', { IsExternallyMaintained: 'No' }));
  store.insert(customer('usmf', "O'X-3"));
  store.insert(customer('demf', 'A-2'));
  store.insert(customer('demf', 'H-1', { OnHoldStatus: 'All' }));
  store.insert(customer('demf', 'H-2', { OnHoldStatus: 'Invoice' }));
  store.insert(customer('demf', 'H-3', { OnHoldStatus: 'All', IsExternallyMaintained: 'No' }));
  for (const key of SLICED) store.insert(customer('usmf', key));
});

afterAll(async () => env?.close());

const gets = () => env.emulators.fno.admin.counters.snapshot().requests.byMethodAndStatus['GET 200'] ?? 0;

async function keysOf(company: string, selection: CustomerSelection): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of readCustomers(fno, company, selection)) keys.push(...page.map((c) => `${c.dataAreaId}/${c.CustomerAccount}`));
  return keys.sort();
}

describe('customers by company', () => {
  it('a range (after, upTo] of one company', async () => {
    expect(await keysOf('usmf', { kind: 'range', after: 'A-1', upTo: 'C-002' })).toEqual(['usmf/A-2', 'usmf/C-001', 'usmf/C-002']);
    expect(await keysOf('demf', { kind: 'range', after: 'A-1', upTo: 'B' })).toEqual(['demf/A-2']);
  });

  it('a range without bounds is every customer of the company, through every page', async () => {
    expect(await keysOf('usmf', { kind: 'range', after: null, upTo: null })).toHaveLength(3 + 120);
  });

  it('keys, quotes included, in slices of 50 keys', async () => {
    expect(await keysOf('usmf', { kind: 'keys', keys: ["O'X-3", 'A-1', 'NOT-THERE'] })).toEqual(['usmf/A-1', "usmf/O'X-3"]);
    const before = gets();
    expect(await keysOf('usmf', { kind: 'keys', keys: SLICED })).toHaveLength(120);
    // 50 + 50 + 20 keys, 7 rows a page: 8 + 8 + 3 pages.
    expect(gets() - before).toBe(19);
  });

  it('a customer carries the fields this product writes, and only those', async () => {
    const rows = [];
    for await (const page of readCustomers(fno, 'usmf', { kind: 'keys', keys: ['A-1'] })) rows.push(...page);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      dataAreaId: 'usmf',
      CustomerAccount: 'A-1',
      OrganizationName: 'Customer A-1 of usmf',
      CreditLimit: 1500.5,
      AddressCity: 'Redmond',
      IsExternallyMaintained: 'Yes',
    });
    expect(Object.keys(rows[0] ?? {})).not.toContain('@odata.etag');
    expect(Object.keys(rows[0] ?? {})).not.toContain('CreditLimitIsMandatory');
  });
});

describe('customers maintained from Sales, by hold', () => {
  async function maintained(company: string, query: Parameters<typeof readMaintainedCustomerKeys>[2]): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of readMaintainedCustomerKeys(fno, company, query)) keys.push(...page);
    return keys.sort();
  }

  it('on hold All, or not, in one company, among keys or all of them', async () => {
    expect(await maintained('demf', { hold: { status: 'All', is: true } })).toEqual(['H-1']);
    expect(await maintained('demf', { hold: { status: 'All', is: false } })).toEqual(['A-2', 'H-2']);
    expect(await maintained('demf', { keys: ['H-2', 'H-3', 'A-2'], hold: { status: 'All', is: false } })).toEqual(['A-2', 'H-2']);
    expect(await maintained('demf', { keys: [], hold: { status: 'All', is: false } })).toEqual([]);
  });

  it('a hold status that is not an enum name never reaches the URL', async () => {
    const before = gets();
    await expect(maintained('demf', { hold: { status: "All' or 1 eq 1 or 'x", is: true } })).rejects.toThrow(/not a CustVendorBlocked value/);
    expect(gets()).toBe(before);
  });
});

describe('reference data', () => {
  it("F&O codes of a company's table, and of a shared one", async () => {
    expect((await readReferenceCodes(fno, { entitySet: 'OperationalSites', codeField: 'SiteId' }, 'demf')).sort()).toEqual(['1', '2']);
    expect(await readReferenceCodes(fno, { entitySet: 'Currencies', codeField: 'CurrencyCode' }, undefined)).toContain('BRL');
  });

  it("a warehouse's site, and none for a warehouse the company does not have", async () => {
    expect(await readWarehouseSite(fno, 'usmf', '21')).toBe('2');
    expect(await readWarehouseSite(fno, 'demf', '31')).toBeUndefined();
  });

  it('Dataverse business units by name and currencies by id', async () => {
    expect(await readBusinessUnitIds(dataverse)).toEqual(
      new Map([
        ['contoso', '3c1f2a90-7b4d-4f7e-8a11-0000000000aa'],
        ['usmf', '3c1f2a90-7b4d-4f7e-8a11-000000000001'],
        ['demf', '3c1f2a90-7b4d-4f7e-8a11-000000000002'],
      ]),
    );
    expect((await readCurrencyCodes(dataverse)).get('6a7f4c02-1d5e-4e0b-9c31-000000000978')).toBe('EUR');
  });
});
