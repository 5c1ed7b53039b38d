// The emulators' public surface: start them all (`startEmulators`, what `p2c emulators` runs) or one service, and
// the seed data and settings their callers (the p2c CLI's demo and emulators commands, tests, benchmarks) name.
export * from './start-emulators';
export * from './data';
export * from './dataverse';
export { ACCOUNT_TABLE_COLUMN_NAMES } from './dataverse/account-table-columns';
export * from './entra';
export * from './fno';
export * from './shared';
