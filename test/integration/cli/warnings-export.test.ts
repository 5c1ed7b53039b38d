import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessUnitIds, currencyIdOf } from '@p2c-sync/emulators';
import { progressQuery } from '../../../src/workflows';
import type { SyncReport } from '../../../src/workflows/sync-report';
import { readAllCustomers } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';
import { uniqueName } from '../../support/temporal';
import { p2c, p2cProcess, temporalArgs } from './cli-runner';

// Issue 12 item 1: nothing silently changed. A name longer than OrganizationName allows, under length policy
// truncate, is written shortened; the run's result and progress count the warning, and `p2c sync failures` lists it
// with the value received and the value written.

const LONG_ID = '6c1d8e4f-0000-4000-8000-000000000001';
const SHORT_ID = '6c1d8e4f-0000-4000-8000-000000000002';
const LONG_NAME = 'Contoso Pharmaceuticals and Medical Devices Holding Company of the Greater Seattle Metropolitan Area, Incorporated';
// The first 100 characters (OrganizationName's limit), trailing blanks dropped.
const WRITTEN_NAME = 'Contoso Pharmaceuticals and Medical Devices Holding Company of the Greater Seattle Metropolitan Area';

/** The one warning, as the report shows it and as the export lists it (there with `severity`). */
const TRUNCATED_NAME = {
  accountId: LONG_ID,
  accountNumber: 'LONG-1',
  company: 'usmf',
  field: 'name',
  value: LONG_NAME,
  written: WRITTEN_NAME,
  code: 'TRUNCATED',
  reason:
    `Account 'LONG-1' (${LONG_ID}) for company 'usmf': name is 114 characters; OrganizationName allows at most 100, ` +
    `so it was written as '${WRITTEN_NAME}' (length policy truncate).`,
};

function account(accountid: string, accountnumber: string, name: string) {
  return {
    accountid,
    accountnumber,
    name,
    address1_line1: '1 Main Street',
    address1_city: 'Seattle',
    address1_stateorprovince: 'WA',
    address1_country: 'United States',
    _transactioncurrencyid_value: currencyIdOf('USD'),
    _owningbusinessunit_value: businessUnitIds.usmf,
    customertypecode: 3,
    statecode: 0,
  };
}

describe('warnings: a truncated name is counted in the result and progress, and listed by the export', () => {
  let harness: PipelineHarness;
  let scratch: string;
  let report: SyncReport;
  let workflowId: string;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'p2c-warnings-'));
    const accountsFile = path.join(scratch, 'accounts.json');
    writeFileSync(accountsFile, JSON.stringify({ accounts: [account(LONG_ID, 'LONG-1', LONG_NAME), account(SHORT_ID, 'SHORT-1', 'Fabrikam')] }));
    harness = await PipelineHarness.start({
      emulators: { accountsFile },
      config: { mapping: { lengthPolicy: { fields: { OrganizationName: 'truncate' } } } },
    });
    const handle = await harness.startSync({ pipeline: uniqueName('warn'), mode: 'full' });
    workflowId = handle.workflowId;
    report = await handle.result();
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('writes the shortened name, and the result counts and shows the TRUNCATED warning', async () => {
    expect(report.totals).toMatchObject({ read: 2, created: 2, failed: 0 });
    const customers = await readAllCustomers(harness.deps.fno, ['usmf']);
    expect(customers.get('usmf|LONG-1')?.OrganizationName).toBe(WRITTEN_NAME);
    expect(customers.get('usmf|SHORT-1')?.OrganizationName).toBe('Fabrikam');
    expect(report.warnings).toEqual({
      total: 1,
      byCode: { TRUNCATED: 1 },
      shown: [
        TRUNCATED_NAME,
      ],
      truncated: false,
    });
    expect(report.failures.total).toBe(0);
  });

  it('the progress query counts it per code', async () => {
    const progress = await harness.env.client.workflow.getHandle(workflowId).query(progressQuery);
    expect(progress.warnings).toEqual({ total: 1, byCode: { TRUNCATED: 1 } });
  });

  it('p2c sync failures lists it, marked as a warning, with field, value received and value written', async () => {
    const exported = await p2cProcess([...temporalArgs(harness.taskQueue), 'sync', 'failures', workflowId]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain(`0 failed records from 1 run(s) of ${workflowId}`);
    expect(exported.stderr).toContain('; 1 warnings');
    const rows = parseCsv(exported.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      { severity: 'warning', ...TRUNCATED_NAME },
    ]);
  });

  it('p2c sync status of the closed run shows the warnings per code and where to list them', async () => {
    const status = await p2c([...temporalArgs(harness.taskQueue), 'sync', 'status', workflowId]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`Warnings: +TRUNCATED 1 — values written differently from Sales; list them: p2c sync failures ${workflowId}\n`));
  });

  it('a later run that finds the customer already shortened still reports the difference from Sales', async () => {
    const again = await harness.sync({ mode: 'full' });
    expect(again.totals).toMatchObject({ read: 2, created: 0, updated: 0, unchanged: 2 });
    expect(again.warnings).toMatchObject({ total: 1, byCode: { TRUNCATED: 1 } });
  });
});
