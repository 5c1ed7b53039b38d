import type { BusinessUnit, TransactionCurrency } from '../dataverse/account-row';

/**
 * The organisation's currencies with fixed GUIDs (so files and tests can name them). NZD is deliberately one F&O's
 * default reference data does not know: accounts in it must fail with a clear reference error.
 */
export const defaultTransactionCurrencies: readonly TransactionCurrency[] = [
  { transactioncurrencyid: '6a7f4c02-1d5e-4e0b-9c31-000000000840', isocurrencycode: 'USD', currencyname: 'US Dollar' },
  { transactioncurrencyid: '6a7f4c02-1d5e-4e0b-9c31-000000000978', isocurrencycode: 'EUR', currencyname: 'Euro' },
  { transactioncurrencyid: '6a7f4c02-1d5e-4e0b-9c31-000000000826', isocurrencycode: 'GBP', currencyname: 'Pound Sterling' },
  { transactioncurrencyid: '6a7f4c02-1d5e-4e0b-9c31-000000000124', isocurrencycode: 'CAD', currencyname: 'Canadian Dollar' },
  { transactioncurrencyid: '6a7f4c02-1d5e-4e0b-9c31-000000000392', isocurrencycode: 'JPY', currencyname: 'Yen' },
  { transactioncurrencyid: '6a7f4c02-1d5e-4e0b-9c31-000000000756', isocurrencycode: 'CHF', currencyname: 'Swiss Franc' },
  { transactioncurrencyid: '6a7f4c02-1d5e-4e0b-9c31-000000000484', isocurrencycode: 'MXN', currencyname: 'Mexican Peso' },
  { transactioncurrencyid: '6a7f4c02-1d5e-4e0b-9c31-000000000554', isocurrencycode: 'NZD', currencyname: 'New Zealand Dollar' },
];

/** Sales business units mapped to F&O legal entities (organization mapping): USMF → usmf, DEMF → demf. */
export const businessUnitIds = {
  root: '3c1f2a90-7b4d-4f7e-8a11-0000000000aa',
  usmf: '3c1f2a90-7b4d-4f7e-8a11-000000000001',
  demf: '3c1f2a90-7b4d-4f7e-8a11-000000000002',
} as const;

export const defaultBusinessUnits: readonly BusinessUnit[] = [
  { businessunitid: businessUnitIds.root, name: 'Contoso' },
  { businessunitid: businessUnitIds.usmf, name: 'USMF' },
  { businessunitid: businessUnitIds.demf, name: 'DEMF' },
];

export function currencyIdOf(isoCode: string): string {
  const currency = defaultTransactionCurrencies.find((item) => item.isocurrencycode === isoCode);
  if (!currency) throw new Error(`no default currency ${isoCode}`);
  return currency.transactioncurrencyid;
}
