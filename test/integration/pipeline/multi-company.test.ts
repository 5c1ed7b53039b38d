import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessUnitIds, currencyIdOf } from '@p2c-sync/emulators';
import type { AfterFailedChangeSet } from '@p2c-sync/emulators';
import type { SyncReport } from '../../../src/workflows';
import { readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';

// Issue 10, items 1 and 4, through the real Temporal server and the emulators over HTTP. The F&O identity's
// default company is usmf and the emulator answers "not found" to a write by key in demf without
// `cross-company=true`. Each company has an account F&O refuses (NZD is not an F&O currency) in the middle of a
// `$batch` chunk, so a batch that stops at the first failed change set leaves later ones unrun.

interface Place {
  bu: string;
  country: string;
  city: string;
}
const US: Place = { bu: businessUnitIds.usmf, country: 'United States', city: 'Seattle' };
const DE: Place = { bu: businessUnitIds.demf, country: 'Germany', city: 'Berlin' };

function account(id: number, accountnumber: string, where: Place, currency = where === US ? 'USD' : 'EUR') {
  return {
    accountid: `5d0c7e1a-0000-4000-8000-${String(id).padStart(12, '0')}`,
    accountnumber,
    name: `Company ${accountnumber}`,
    address1_line1: `${id} Main Street`,
    address1_city: where.city,
    address1_postalcode: '10115',
    address1_country: where.country,
    telephone1: `+1 555 0000 ${id}`,
    _transactioncurrencyid_value: currencyIdOf(currency),
    customertypecode: 3,
    statecode: 0,
    _owningbusinessunit_value: where.bu,
  };
}

const ACCOUNTS = [
  account(1, 'US-0001', US),
  account(2, 'US-0002', US),
  account(3, 'US-0003', US, 'NZD'),
  account(4, 'US-0004', US),
  account(5, 'US-0005', US),
  account(6, 'US-0006', US),
  account(7, 'DE-0001', DE),
  account(8, 'DE-0002', DE, 'NZD'),
  account(9, 'DE-0003', DE),
  account(10, 'DE-0004', DE),
  account(11, 'DE-0005', DE),
];
const idOf = (accountnumber: string) => ACCOUNTS.find((a) => a.accountnumber === accountnumber)?.accountid ?? '';

const CUSTOMER_KEYS = [
  'demf|DE-0001',
  'demf|DE-0003',
  'demf|DE-0004',
  'demf|DE-0005',
  'usmf|US-0001',
  'usmf|US-0002',
  'usmf|US-0004',
  'usmf|US-0005',
  'usmf|US-0006',
];

for (const mode of ['stop', 'continue'] as const satisfies readonly AfterFailedChangeSet[]) {
  describe(`multi-company sync, F&O default company usmf, $batch that ${mode === 'stop' ? 'stops at' : 'continues after'} a failed change set`, () => {
    let harness: PipelineHarness;
    let first: SyncReport;
    const writes = () => harness.emulators.fno.admin.counters.snapshot().writes;
    const failed = (report: SyncReport) => report.failures.shown.map((f) => [f.accountId, f.company, f.code]).sort();

    beforeAll(async () => {
      harness = await PipelineHarness.start({
        emulators: { fno: { defaultCompany: 'usmf', afterFailedChangeSet: mode } },
        // Chunks of 4: US-0003 and DE-0002 sit inside a chunk with valid records after them.
        config: { limits: { fnoWriteBatchSize: 4 } },
      });
      harness.emulators.dataverse.store.insertAccounts(ACCOUNTS);
      first = await harness.sync({ batchSize: 100 });
    }, 120_000);

    afterAll(async () => {
      await harness?.close();
    });

    it('full run: creates every valid customer in its company, reports the refused ones', async () => {
      expect(first.status).toBe('completed');
      expect(first.totals).toMatchObject({ read: 11, created: 9, updated: 0, unchanged: 0, failed: 2 });
      expect(first.companies.usmf).toMatchObject({ created: 5, failed: 1 });
      expect(first.companies.demf).toMatchObject({ created: 4, failed: 1 });
      expect(failed(first)).toEqual(
        [
          [idOf('US-0003'), 'usmf', 'REFERENCE_NOT_FOUND'],
          [idOf('DE-0002'), 'demf', 'REFERENCE_NOT_FOUND'],
        ].sort(),
      );
      expect(writes()).toBe(9);
      const customers = await readAllCustomers(harness.deps.fno, ['usmf', 'demf']);
      expect([...customers.keys()].sort()).toEqual(CUSTOMER_KEYS);
      expect(customers.get('demf|DE-0004')).toMatchObject({ OrganizationName: 'Company DE-0004', SalesCurrencyCode: 'EUR' });
    });

    it('second run: writes nothing', async () => {
      const before = writes();
      const again = await harness.sync({ mode: 'full', batchSize: 100 });
      expect(again.totals).toMatchObject({ read: 11, created: 0, updated: 0, unchanged: 9, failed: 2 });
      expect(writes()).toBe(before);
    });

    it('incremental run: updates exactly the edited customers in both companies', async () => {
      const dataverse = harness.deps.dataverse;
      await dataverse.update('accounts', idOf('US-0005'), { telephone1: '+1 555 0199' }, {});
      await dataverse.update('accounts', idOf('DE-0004'), { name: 'Umbenannt GmbH' }, {});
      // Still refused, and ahead of DE-0004 in the same chunk.
      await dataverse.update('accounts', idOf('DE-0002'), { telephone1: '+49 30 000' }, {});
      const before = writes();
      const incremental = await harness.sync({ mode: 'incremental', since: first.watermark.next ?? '' });
      expect(incremental.mode).toBe('incremental');
      expect(incremental.totals).toMatchObject({ read: 3, created: 0, updated: 2, unchanged: 0, failed: 1 });
      expect(incremental.companies.usmf).toMatchObject({ updated: 1 });
      expect(incremental.companies.demf).toMatchObject({ updated: 1, failed: 1 });
      expect(failed(incremental)).toEqual([[idOf('DE-0002'), 'demf', 'REFERENCE_NOT_FOUND']]);
      expect(writes() - before).toBe(2);
      const customers = await readAllCustomers(harness.deps.fno, ['usmf', 'demf']);
      expect(customers.get('usmf|US-0005')?.PrimaryContactPhone).toBe('+1 555 0199');
      expect(customers.get('demf|DE-0004')?.OrganizationName).toBe('Umbenannt GmbH');
      expect([...customers.keys()].sort()).toEqual(CUSTOMER_KEYS);
    });
  });
}
