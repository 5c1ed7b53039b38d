import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseInfolog } from '../../../src/connectors/infolog';
import { customerFieldForLabel } from '../../../src/connectors/customer-field-labels';
import { defaultFnoReferenceData, mergeFnoReference } from '@p2c-sync/emulators';
import { customer, type FnoServer, field, innerMessage, keyPath, startFno } from '../../../packages/emulators/test/integration/fno/fno-server';

let fno: FnoServer;

beforeAll(async () => {
  const base = defaultFnoReferenceData();
  const demf = base.companies.demf;
  if (!demf) throw new Error('demf missing from the defaults');
  // demf without customer group 90 and payment terms Net90: the same value is valid in one company only.
  const reference = mergeFnoReference(base, {
    companies: {
      demf: {
        ...demf,
        customerGroups: demf.customerGroups.filter((group) => group.id !== '90'),
        paymentTerms: demf.paymentTerms.filter((terms) => terms.id !== 'Net90'),
      },
    },
  });
  fno = await startFno({ reference });
});

afterAll(async () => {
  await fno.close();
});

beforeEach(() => {
  fno.emulator.store.clear();
});

const writeException = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException';

async function refusal(body: Record<string, unknown>) {
  const result = await fno.call('POST', '/data/CustomersV2', { body });
  expect(result.status).toBe(500);
  expect(result.json).toMatchObject({ error: { code: '', message: 'An error has occurred.', innererror: { type: writeException } } });
  const message = innerMessage(result);
  expect(message.startsWith("Write failed for table row of type 'CustCustomerV2Entity'. Infolog: ")).toBe(true);
  return { message, entries: parseInfolog(message) };
}

describe('F&O CustomersV2 writes', () => {
  it('creates (201 with the entity), updates (204), deletes (204), with ETags that change', async () => {
    const created = await fno.call('POST', '/data/CustomersV2', {
      body: customer('NEW-1', { IsExternallyMaintained: 'Yes', AddressCountryRegionId: 'usa', CreditLimit: 2500.5, '@odata.type': '#x' }),
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      '@odata.context': `${fno.url}/data/$metadata#CustomersV2/$entity`,
      dataAreaId: 'usmf',
      CustomerAccount: 'NEW-1',
      IsExternallyMaintained: 'Yes',
      AddressCountryRegionISOCode: 'US',
      CreditLimit: 2500.5,
      LanguageId: '',
    });
    expect(created.headers.location).toBe(`${fno.url}${keyPath('usmf', 'NEW-1')}`);
    const etag = String(field(created, '@odata.etag'));

    const patched = await fno.call('PATCH', keyPath('usmf', 'new-1'), { body: { OrganizationName: 'Renamed', CustomerAccount: 'new-1' } });
    expect(patched.status).toBe(204);
    expect(patched.text).toBe('');
    const read = await fno.call('GET', keyPath('usmf', 'NEW-1'));
    expect(read.json).toMatchObject({ OrganizationName: 'Renamed', CustomerAccount: 'NEW-1', CreditLimit: 2500.5 });
    expect(field(read, '@odata.etag')).not.toBe(etag);

    const stale = await fno.call('PATCH', keyPath('usmf', 'NEW-1'), { body: { NameAlias: 'x' }, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    const current = await fno.call('PATCH', keyPath('usmf', 'NEW-1'), {
      body: { NameAlias: 'x' },
      headers: { 'if-match': String(field(read, '@odata.etag')) },
    });
    expect(current.status).toBe(204);
    expect((await fno.call('PATCH', keyPath('usmf', 'NEW-1'), { body: { CustomerAccount: 'OTHER' } })).status).toBe(400);
    expect((await fno.call('PATCH', keyPath('usmf', 'GHOST'), { body: { NameAlias: 'x' } })).status).toBe(404);

    expect((await fno.call('DELETE', keyPath('usmf', 'NEW-1'))).status).toBe(204);
    expect((await fno.call('GET', keyPath('usmf', 'NEW-1'))).status).toBe(404);
    expect((await fno.call('DELETE', keyPath('usmf', 'NEW-1'))).status).toBe(404);
    expect(fno.emulator.admin.counters.snapshot().writes).toBe(4);
  });

  it('answers return=minimal with 204 and writes into the company in the body', async () => {
    const result = await fno.call('POST', '/data/CustomersV2', {
      body: customer('DE-9', { dataAreaId: 'DEMF', SalesCurrencyCode: 'EUR' }),
      headers: { prefer: 'return=minimal' },
    });
    expect(result.status).toBe(204);
    expect(result.headers['odata-entityid']).toBe(`${fno.url}${keyPath('demf', 'DE-9')}`);
    expect(fno.emulator.store.get('demf', 'de-9')?.row.dataAreaId).toBe('demf');
  });

  it('refuses a duplicate key, also one differing only by case, in the AxODataWriteException shape', async () => {
    expect((await fno.call('POST', '/data/CustomersV2', { body: customer('DUP-1') })).status).toBe(201);
    for (const account of ['DUP-1', 'dup-1']) {
      const { message, entries } = await refusal(customer(account));
      // As F&O writes it: severity Info, a line break before the last sentence, a doubled final period.
      expect(message).toBe(
        `Write failed for table row of type 'CustCustomerV2Entity'. Infolog: Info: Cannot create a record in Customers (CustTable). Customer account: ${account}.\nThe record already exists..`,
      );
      expect(entries[0]).toMatchObject({ severity: 'Info', problem: 'duplicate', table: 'Customers (CustTable)' });
    }
    expect(fno.emulator.store.countIn('usmf')).toBe(1);
  });

  it('validates every field it checks with an Infolog naming label and value, which the connector can read', async () => {
    const { entries } = await refusal(
      customer('BAD-1', {
        CustomerGroupId: 'ZZ',
        SalesCurrencyCode: 'NZD',
        LanguageId: 'xx-yy',
        SiteId: '9',
        WarehouseId: '99',
        PaymentTerms: 'Net999',
        DeliveryTerms: 'NOPE',
        DeliveryMode: 'CARRIER',
        AddressCountryRegionId: 'ATL',
        IsExternallyMaintained: 'Maybe',
        OrganizationName: 'N'.repeat(101),
        AddressCity: 'C'.repeat(61),
        AddressState: 'Nordrhein-Westfalen',
      }),
    );
    const byField = new Map(entries.map((entry) => [customerFieldForLabel(entry.label ?? ''), entry]));
    const expectations: Array<[string, string, string]> = [
      ['CustomerGroupId', 'not-found', 'ZZ'],
      ['SalesCurrencyCode', 'not-found', 'NZD'],
      ['LanguageId', 'not-found', 'xx-yy'],
      ['SiteId', 'not-found', '9'],
      ['WarehouseId', 'not-found', '99'],
      ['PaymentTerms', 'not-found', 'Net999'],
      ['DeliveryTerms', 'not-found', 'NOPE'],
      ['DeliveryMode', 'not-found', 'CARRIER'],
      ['AddressCountryRegionId', 'not-found', 'ATL'],
      ['IsExternallyMaintained', 'invalid-value', 'Maybe'],
      ['OrganizationName', 'too-long', 'N'.repeat(101)],
      ['AddressCity', 'too-long', 'C'.repeat(61)],
      ['AddressState', 'too-long', 'Nordrhein-Westfalen'],
    ];
    for (const [name, problem, value] of expectations) expect(byField.get(name), name).toMatchObject({ problem, value, severity: 'Warning' });
    expect(entries).toHaveLength(expectations.length);
    expect(fno.emulator.store.size).toBe(0);
  });

  it("refuses a state or county that is no code of the country's state/county table, in the Infolog shape", async () => {
    const byName = await refusal(customer('S-1', { AddressCountryRegionId: 'USA', AddressState: 'Penn' }));
    expect(byName.message).toContain("Warning: The value 'Penn' in field 'State' is not found in the related table 'States'.");
    expect(byName.entries).toEqual([expect.objectContaining({ problem: 'not-found', label: 'State', value: 'Penn', table: 'States' })]);
    // A state of another country is not in this country's table.
    expect((await refusal(customer('S-2', { AddressCountryRegionId: 'DEU', AddressState: 'PA' }))).entries[0]).toMatchObject({ label: 'State', value: 'PA' });
    const county = await refusal(customer('S-3', { AddressCountryRegionId: 'USA', AddressState: 'PA', AddressCounty: 'KING' }));
    expect(county.entries).toEqual([expect.objectContaining({ problem: 'not-found', label: 'County', value: 'KING', table: 'Counties' })]);

    for (const [account, fields] of [
      ['S-4', { AddressCountryRegionId: 'USA', AddressState: 'PA' }],
      ['S-5', { AddressCountryRegionId: 'CAN', AddressState: 'on' }],
      ['S-6', { AddressCountryRegionId: 'DEU', AddressState: 'BY' }],
      ['S-7', { AddressCountryRegionId: 'USA', AddressState: 'WA', AddressCounty: 'King' }],
    ] as const) {
      expect((await fno.call('POST', '/data/CustomersV2', { body: customer(account, fields) })).status, account).toBe(201);
    }
    // Moving the address to another country re-checks the state that stays.
    const moved = await fno.call('PATCH', keyPath('usmf', 'S-4'), { body: { AddressCountryRegionId: 'CAN' } });
    expect(moved.status).toBe(500);
    expect(innerMessage(moved)).toContain("The value 'PA' in field 'State' is not found in the related table 'States'.");
  });

  it('stores codes as written by default; with codeSpelling as-in-table, as the reference table spells them', async () => {
    await fno.call('POST', '/data/CustomersV2', { body: customer('C-1', { PaymentTerms: 'NET30', AddressCountryRegionId: 'usa', AddressState: 'pa' }) });
    expect(fno.emulator.store.get('usmf', 'C-1')?.row).toMatchObject({ PaymentTerms: 'NET30', AddressCountryRegionId: 'usa', AddressState: 'pa' });
    const spelled = await startFno({ codeSpelling: 'as-in-table' });
    try {
      await spelled.call('POST', '/data/CustomersV2', { body: customer('C-2', { PaymentTerms: 'NET30', DeliveryMode: 'ups ', CustomerGroupId: '10' }) });
      expect(spelled.emulator.store.get('usmf', 'C-2')?.row).toMatchObject({ PaymentTerms: 'Net30', DeliveryMode: 'UPS', CustomerGroupId: '10' });
    } finally {
      await spelled.close();
    }
  });

  it('checks required fields, reference data per company, warehouse-in-site and ISO code consistency', async () => {
    const required = await refusal({ dataAreaId: 'usmf', CustomerAccount: 'R-1' });
    expect(required.entries.map((entry) => [entry.problem, entry.label])).toEqual([
      ['required', 'Customer group'],
      ['required', 'Currency'],
    ]);
    expect((await refusal({ dataAreaId: 'usmf', CustomerGroupId: '10', SalesCurrencyCode: 'USD' })).entries[0]).toMatchObject({
      problem: 'required',
      label: 'Customer account',
    });

    // Group 90 and Net90 exist in usmf only.
    expect((await fno.call('POST', '/data/CustomersV2', { body: customer('G-1', { CustomerGroupId: '90', PaymentTerms: 'net90' }) })).status).toBe(201);
    const demf = await refusal(customer('G-2', { dataAreaId: 'demf', CustomerGroupId: '90', PaymentTerms: 'Net90' }));
    expect(demf.entries.map((entry) => [entry.label, entry.value])).toEqual([
      ['Customer group', '90'],
      ['Terms of payment', 'Net90'],
    ]);

    const wrongSite = await refusal(customer('W-1', { SiteId: '1', WarehouseId: '21' }));
    expect(wrongSite.message).toContain("The value '21' in field 'Warehouse' is not valid for site '1'.");
    expect(wrongSite.entries[0]).toMatchObject({ problem: 'invalid-value', label: 'Warehouse', value: '21' });
    expect((await fno.call('POST', '/data/CustomersV2', { body: customer('W-2', { SiteId: '1', WarehouseId: '13', LanguageId: 'en-us' }) })).status).toBe(201);

    const iso = await refusal(customer('I-1', { AddressCountryRegionId: 'USA', AddressCountryRegionISOCode: 'DE' }));
    expect(iso.entries[0]).toMatchObject({ problem: 'invalid-value', label: 'ISO code', value: 'DE' });
    const fromIso = await fno.call('POST', '/data/CustomersV2', { body: customer('I-2', { AddressCountryRegionISOCode: 'de' }) });
    expect(fromIso.json).toMatchObject({ AddressCountryRegionId: 'DEU', AddressCountryRegionISOCode: 'de' });

    const unknownCompany = await refusal(customer('X-1', { dataAreaId: 'zzzz' }));
    expect(unknownCompany.entries[0]).toMatchObject({ problem: 'not-found', label: 'Company', value: 'zzzz' });

    // An update is validated too, and changes nothing when refused.
    const patched = await fno.call('PATCH', keyPath('usmf', 'W-2'), { body: { CustomerGroupId: 'ZZ', OrganizationName: 'Changed' } });
    expect(patched.status).toBe(500);
    expect(fno.emulator.store.get('usmf', 'W-2')?.row.OrganizationName).toBe('Org W-2');
  });

  it('refuses bodies the OData layer cannot read with 400', async () => {
    const cases = await Promise.all([
      fno.call('POST', '/data/CustomersV2', { rawBody: '{"CustomerAccount":' }),
      fno.call('POST', '/data/CustomersV2', { rawBody: '[1,2]' }),
      fno.call('POST', '/data/CustomersV2', { rawBody: '' }),
      fno.call('POST', '/data/CustomersV2', { body: customer('T-1', { Unknown: 1 }) }),
      fno.call('POST', '/data/CustomersV2', { body: customer('T-2', { CreditLimit: 'lots' }) }),
      fno.call('POST', '/data/CustomersV2', { body: customer('T-3', { CreditLimit: null }) }),
      fno.call('POST', '/data/CustomersV2', { body: customer('T-4', { OrganizationName: 42 }) }),
      fno.call('PUT', keyPath('usmf', 'T-1'), { body: customer('T-1') }),
    ]);
    expect(cases.map((result) => result.status)).toEqual([400, 400, 400, 400, 400, 400, 400, 405]);
    const [, , , unknownProperty] = cases;
    if (!unknownProperty) throw new Error('missing answer');
    expect(innerMessage(unknownProperty)).toContain("The property 'Unknown' does not exist on type 'Microsoft.Dynamics.DataEntities.CustomerV2'");
    expect(fno.emulator.store.size).toBe(0);
  });
});
