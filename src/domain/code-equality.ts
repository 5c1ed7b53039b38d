import type { CustomerField } from './customer-row';

/**
 * Customer fields that hold codes of F&O tables (customer group, terms, modes, site, warehouse, currency, language,
 * country/region, state, county). F&O keeps them in SQL Server with its default case-insensitive collation, where
 * trailing blanks do not count (ANSI padding), and may hand a code back spelled as its own table spells it:
 * `NET30` written may be read as `Net30`. Comparing such fields exactly would rewrite the same customer on every run.
 */
export const CODE_FIELDS: ReadonlySet<CustomerField> = new Set<CustomerField>([
  'CustomerGroupId',
  'PaymentTerms',
  'DeliveryTerms',
  'DeliveryMode',
  'SiteId',
  'WarehouseId',
  'SalesCurrencyCode',
  'LanguageId',
  'AddressCountryRegionId',
  'AddressCountryRegionISOCode',
  'AddressState',
  'AddressCounty',
]);

/** A code as F&O's collation compares it (case-insensitive, trailing blanks ignored), for sets and maps of codes. */
export function codeKey(code: string): string {
  return code.trimEnd().toUpperCase();
}

/** Two codes as F&O's collation compares them. */
export function sameCode(a: string, b: string): boolean {
  return codeKey(a) === codeKey(b);
}

/** Whether F&O would hold `desired` already, given it holds `existing` in `field`. */
export function sameFieldValue(field: CustomerField, desired: string, existing: string): boolean {
  return CODE_FIELDS.has(field) ? sameCode(desired, existing) : desired === existing;
}
