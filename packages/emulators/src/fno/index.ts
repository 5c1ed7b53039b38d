export { createFnoEmulator, type FnoAdmin, type FnoEmulator, type FnoEmulatorOptions } from './create-fno-emulator';
export { customerEntitySet, customerEntityType, customerFields, type CustomerField } from './customer-fields';
export { CustomerStore, etagOf, type StoredCustomer } from './customer-store';
export type { CustomerRow } from './customer-validation';
export { type AfterFailedChangeSet, afterFailedChangeSetModes, maxBatchOperations } from './fno-batch';
export type { CodeSpelling } from './fno-service';
export { fnoLimitsSchema, FnoThrottle, type FnoLimits, type FnoLimitsInput } from './fno-throttle';
export { infolog, writeFailedBody, type InfologLine } from './infolog';
export {
  type CompanyReferenceData,
  companyReferenceDataSchema,
  type FnoReferenceData,
  fnoReferenceDataSchema,
  ReferenceIndex,
} from './reference-data';
export { referenceEntitySetNames, referenceEntitySets } from './reference-entity-sets';
