import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, type FnoServer, innerMessage, keyPath, rowsOf, startFno } from './fno-server';

// CustomersV2.OnHoldStatus ("Invoicing and delivery on hold"), enum CustVendorBlocked: the field p2c-sync sets to
// All to block the customer of a deactivated or deleted account and back to No when the account is active again.

let fno: FnoServer;

beforeAll(async () => {
  fno = await startFno();
  for (const [account, status] of [['H-1', undefined], ['H-2', 'All'], ['H-3', 'Invoice'], ['H-4', 'Never']] as const) {
    const created = await fno.call('POST', '/data/CustomersV2', { body: customer(account, status ? { OnHoldStatus: status } : {}) });
    expect(created.status).toBe(201);
  }
});

afterAll(async () => {
  await fno.close();
});

describe('CustomersV2 OnHoldStatus', () => {
  it('defaults to No, is an enum property of CustVendorBlocked in $metadata with its six members', async () => {
    const read = await fno.call('GET', `${keyPath('usmf', 'H-1')}?$select=OnHoldStatus`);
    expect(read.json).toMatchObject({ OnHoldStatus: 'No' });
    const metadata = (await fno.call('GET', '/data/$metadata')).text;
    expect(metadata).toContain('<Property Name="OnHoldStatus" Type="Microsoft.Dynamics.DataEntities.CustVendorBlocked"');
    const members = [...(/<EnumType Name="CustVendorBlocked">(.*?)<\/EnumType>/s.exec(metadata)?.[1] ?? '').matchAll(/Member Name="(\w+)" Value="(\d+)"/g)].map(
      (match) => `${match[1]}=${match[2]}`,
    );
    expect(members).toEqual(['No=0', 'Invoice=1', 'All=2', 'Payment=3', 'Requisition=4', 'Never=5']);
  });

  it('filters with enum literals (eq, ne), as the hold scans do', async () => {
    const accounts = async (filter: string) =>
      rowsOf(await fno.call('GET', `/data/CustomersV2?$select=CustomerAccount&$filter=${encodeURIComponent(filter)}`))
        .map((row) => row.CustomerAccount)
        .sort();
    expect(await accounts("OnHoldStatus eq Microsoft.Dynamics.DataEntities.CustVendorBlocked'All'")).toEqual(['H-2']);
    expect(await accounts("OnHoldStatus ne Microsoft.Dynamics.DataEntities.CustVendorBlocked'All'")).toEqual(['H-1', 'H-3', 'H-4']);
    const unknown = await fno.call('GET', `/data/CustomersV2?$filter=${encodeURIComponent("OnHoldStatus eq Microsoft.Dynamics.DataEntities.CustVendorBlocked'Blocked'")}`);
    expect(unknown.status).toBe(400);
  });

  it('is written by PATCH and refuses a value outside the enum with the field label', async () => {
    expect((await fno.call('PATCH', keyPath('usmf', 'H-1'), { body: { OnHoldStatus: 'All' } })).status).toBe(204);
    expect((await fno.call('GET', `${keyPath('usmf', 'H-1')}?$select=OnHoldStatus`)).json).toMatchObject({ OnHoldStatus: 'All' });
    const refused = await fno.call('PATCH', keyPath('usmf', 'H-1'), { body: { OnHoldStatus: 'Yes' } });
    expect(refused.status).toBe(500);
    expect(innerMessage(refused)).toContain("Warning: The value 'Yes' in field 'Invoicing and delivery on hold' is not valid.");
  });
});
