import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessUnitIds, currencyIdOf } from '@p2c-sync/emulators';
import type { SyncReport } from '../../../src/workflows/sync-report';
import { readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';

let serial = 0;
function account(accountnumber: string, state: string | null, country: string, company: 'usmf' | 'demf', extra: Record<string, unknown> = {}) {
  serial += 1;
  return {
    accountid: `5b0c7d3e-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    accountnumber,
    name: `Customer ${accountnumber}`,
    address1_line1: '1 Main Street',
    address1_city: 'Somewhere',
    address1_stateorprovince: state,
    address1_county: 'King',
    address1_country: country,
    _transactioncurrencyid_value: currencyIdOf(company === 'usmf' ? 'USD' : 'EUR'),
    _owningbusinessunit_value: businessUnitIds[company],
    customertypecode: 3,
    paymenttermscode: 1,
    address1_shippingmethodcode: 4,
    statecode: 0,
    ...extra,
  };
}

describe('sync: states become F&O state codes; codes F&O spells its own way cause no rewrite', () => {
  let harness: PipelineHarness;
  let scratch: string;
  let first: SyncReport;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'p2c-states-'));
    const accountsFile = path.join(scratch, 'accounts.json');
    writeFileSync(
      accountsFile,
      JSON.stringify({
        accounts: [
          account('US-NAME', 'Pennsylvania', 'United States', 'usmf'),
          account('US-CODE', 'pa', 'USA', 'usmf'),
          account('CA-NAME', 'Ontario', 'Canada', 'usmf'),
          account('CA-CODE', 'QC', 'CA', 'usmf'),
          account('DE-NAME', 'Bayern', 'Deutschland', 'demf'),
          account('DE-CODE', 'NW', 'Germany', 'demf'),
          account('US-UNKNOWN', 'Pennsylvaniaa', 'United States', 'usmf'),
          account('DE-UNKNOWN', 'Bavaria', 'Germany', 'demf'),
          account('NO-STATE', null, 'Germany', 'demf'),
        ],
      }),
    );
    harness = await PipelineHarness.start({
      // F&O hands codes back as its reference tables spell them ('Net30' for 'NET30').
      emulators: { accountsFile, fno: { codeSpelling: 'as-in-table' } },
      config: {
        mapping: {
          valueMaps: {
            PaymentTerms: { source: 'paymenttermscode', values: { '1': 'NET30' }, otherwise: 'omit' },
            DeliveryMode: { source: 'address1_shippingmethodcode', values: { '4': 'ups' }, otherwise: 'omit' },
          },
        },
      },
    });
    first = await harness.sync({ mode: 'full' });
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('writes the state code of the address country, by name or by code, and no county by default', async () => {
    const customers = await readAllCustomers(harness.deps.fno, ['usmf', 'demf']);
    const addresses = Object.fromEntries(
      [...customers.values()].map((row) => [row.CustomerAccount, [row.dataAreaId, row.AddressCountryRegionId, row.AddressState, row.AddressCounty]]),
    );
    expect(addresses).toEqual({
      'US-NAME': ['usmf', 'USA', 'PA', ''],
      'US-CODE': ['usmf', 'USA', 'PA', ''],
      'CA-NAME': ['usmf', 'CAN', 'ON', ''],
      'CA-CODE': ['usmf', 'CAN', 'QC', ''],
      'DE-NAME': ['demf', 'DEU', 'BY', ''],
      'DE-CODE': ['demf', 'DEU', 'NW', ''],
      'NO-STATE': ['demf', 'DEU', '', ''],
    });
    expect(first.totals).toMatchObject({ created: 7, failed: 2 });
  });

  it('fails unknown states with UNKNOWN_STATE, naming field and value; nothing is truncated', () => {
    const failures = first.failures.shown.map((failure) => [failure.accountNumber, failure.code, failure.field, failure.value]).sort();
    expect(failures).toEqual([
      ['DE-UNKNOWN', 'UNKNOWN_STATE', 'address1_stateorprovince', 'Bavaria'],
      ['US-UNKNOWN', 'UNKNOWN_STATE', 'address1_stateorprovince', 'Pennsylvaniaa'],
    ]);
  });

  it('stores the codes as F&O spells them, and a second run writes nothing', async () => {
    const customers = await readAllCustomers(harness.deps.fno, ['usmf']);
    expect(customers.get('usmf|US-NAME')).toMatchObject({ PaymentTerms: 'Net30', DeliveryMode: 'UPS' });
    const writesBefore = harness.emulators.fno.admin.counters.snapshot().writes;
    const again = await harness.sync({ mode: 'full' });
    expect(again.totals).toMatchObject({ created: 0, updated: 0, unchanged: 7, failed: 2 });
    expect(harness.emulators.fno.admin.counters.snapshot().writes).toBe(writesBefore);
  });
});
