import type { DataverseClient } from '../../src/connectors/dataverse-client';
import type { FnoClient } from '../../src/connectors/fno-client';
import type { SyncConfig } from '../../src/config/sync-config';
import { accountNumberKey } from '../../src/domain/account-number';
import { CUSTOMER_FIELDS, type CustomerRow } from '../../src/domain/customer-row';
import { mapAccountToCustomer } from '../../src/domain/map-account';
import type { RecordFailure } from '../../src/domain/record-failure';
import { ACCOUNT_COLUMNS, sourceAccountSchema, type SourceAccount } from '../../src/domain/source-account';

/**
 * What F&O should hold after a clean sync, computed independently of the workflow from what Dataverse holds now:
 * every active account with a unique number, in the company of its business unit, mapped by the template mapping.
 */
export interface ExpectedState {
  accounts: SourceAccount[];
  /** `company|ACCOUNT NUMBER KEY` → the customer that should exist. */
  customers: Map<string, { account: SourceAccount; row: CustomerRow }>;
  /** Account ids that must be reported, with the code of the mapping failure. */
  mappingFailures: Map<string, string[]>;
  duplicateAccountIds: Set<string>;
  unnumbered: SourceAccount[];
}

export async function readAllAccounts(dataverse: DataverseClient): Promise<SourceAccount[]> {
  const accounts: SourceAccount[] = [];
  for await (const rows of dataverse.queryAll({ entitySet: 'accounts', select: [...ACCOUNT_COLUMNS] })) {
    for (const row of rows) accounts.push(sourceAccountSchema.parse(row));
  }
  return accounts;
}

export async function readAllCustomers(fno: FnoClient, companies: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const customers = new Map<string, Record<string, unknown>>();
  for (const company of companies) {
    for await (const rows of fno.queryCustomers({ dataAreaId: company, select: [...CUSTOMER_FIELDS] })) {
      for (const row of rows) {
        const record = row as Record<string, unknown>;
        customers.set(`${company}|${accountNumberKey(String(record.CustomerAccount))}`, record);
      }
    }
  }
  return customers;
}

export async function expectedState(
  dataverse: DataverseClient,
  config: SyncConfig,
  businessUnitIdsByCompany: Record<string, string[]>,
): Promise<ExpectedState> {
  const accounts = await readAllAccounts(dataverse);
  const currencies = new Map<string, string>();
  for await (const rows of dataverse.queryAll({ entitySet: 'transactioncurrencies', select: ['transactioncurrencyid', 'isocurrencycode'] })) {
    for (const row of rows as { transactioncurrencyid: string; isocurrencycode: string }[]) {
      currencies.set(row.transactioncurrencyid, row.isocurrencycode);
    }
  }
  const active = accounts.filter((a) => a.statecode === 0);
  const byKey = new Map<string, SourceAccount[]>();
  for (const account of active) {
    if (!account.accountnumber) continue;
    const key = accountNumberKey(account.accountnumber);
    byKey.set(key, [...(byKey.get(key) ?? []), account]);
  }
  const duplicateAccountIds = new Set([...byKey.values()].filter((g) => g.length > 1).flat().map((a) => a.accountid));
  const customers = new Map<string, { account: SourceAccount; row: CustomerRow }>();
  const mappingFailures = new Map<string, string[]>();
  for (const account of active) {
    if (!account.accountnumber || duplicateAccountIds.has(account.accountid)) continue;
    for (const [company, units] of Object.entries(businessUnitIdsByCompany)) {
      if (!units.includes(account._owningbusinessunit_value ?? '')) continue;
      const mapped = mapAccountToCustomer(account, { dataAreaId: company, config: config.mapping, currencyCodeById: currencies });
      if (mapped.ok) customers.set(`${company}|${accountNumberKey(account.accountnumber)}`, { account, row: mapped.customer });
      else mappingFailures.set(account.accountid, mapped.failures.map((f) => f.code));
    }
  }
  return { accounts, customers, mappingFailures, duplicateAccountIds, unnumbered: active.filter((a) => !a.accountnumber) };
}

export function failuresByAccount(failures: readonly RecordFailure[]): Map<string, RecordFailure[]> {
  const byAccount = new Map<string, RecordFailure[]>();
  for (const failure of failures) byAccount.set(failure.accountId, [...(byAccount.get(failure.accountId) ?? []), failure]);
  return byAccount;
}
