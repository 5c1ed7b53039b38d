import { businessUnitIds, currencyIdOf } from '@p2c-sync/emulators';
import type { AccountInput } from '@p2c-sync/emulators';
import type { PipelineHarness } from '../../support/pipeline';

/** A deterministic account id: `…-000000000042` for 42. */
export function accountId(index: number): string {
  return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
}

/** An active account of company usmf with just what the mapping needs. */
export function account(index: number, accountnumber: string | null, name: string, extra: AccountInput = {}): AccountInput {
  return {
    accountid: accountId(index),
    accountnumber,
    name,
    _transactioncurrencyid_value: currencyIdOf('USD'),
    _owningbusinessunit_value: businessUnitIds.usmf,
    statecode: 0,
    ...extra,
  };
}

/** Every customer of a company as F&O holds it (the emulator's own rows, as OData shows them). */
export function customersOf(harness: PipelineHarness, company = 'usmf'): Map<string, Record<string, unknown>> {
  const rows = new Map<string, Record<string, unknown>>();
  for (const { row } of harness.emulators.fno.store.scan(company)) rows.set(String(row.CustomerAccount), { ...row });
  return rows;
}
