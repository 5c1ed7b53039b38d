export { type AccountSeed, type DataverseDataset, generateAccounts, type GenerateAccountsOptions } from './account-generator';
export { businessUnitIds, currencyIdOf, defaultBusinessUnits, defaultTransactionCurrencies } from './dataverse-defaults';
export { defaultFnoReferenceData } from './fno-reference-defaults';
export { loadAccountsFile, parseAccountsDataset } from './load-accounts-file';
export { loadFnoReference, mergeFnoReference, type FnoReferenceOverride } from './load-fno-reference';
