export type { AccountRow, AccountValues, BusinessUnit, TransactionCurrency } from './account-row';
export { ACCOUNT_COLUMNS, ACCOUNT_FILTER_COLUMNS } from './account-columns';
export { createDataverseEmulator, type DataverseEmulator, type DataverseEmulatorOptions, type ServerTimeSettings } from './create-dataverse-emulator';
export { DataverseError } from './dataverse-error';
export type { AccountInput, DataverseStore } from './dataverse-store';
export { MAX_BATCH_OPERATIONS } from './batch-executor';
export { API_BASE_PATH } from './resource-path';
export { defaultServiceProtectionLimits, type ServiceProtectionLimits } from './service-protection';
