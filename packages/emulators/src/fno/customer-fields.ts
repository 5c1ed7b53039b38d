import type { ColumnTypes } from '../odata-filter';
import type { FnoEnumName } from './fno-enums';

/** Reference tables a customer field must point into (see `reference-data.ts`). */
export type ReferenceKind =
  | 'customerGroups'
  | 'currencies'
  | 'languages'
  | 'sites'
  | 'warehouses'
  | 'countries'
  | 'paymentTerms'
  | 'deliveryTerms'
  | 'deliveryModes';

export interface CustomerField {
  name: string;
  kind: 'string' | 'decimal' | 'enum';
  /** The label F&O uses in Infolog messages. */
  label: string;
  /**
   * Emulator choice (contract §3): F&O `$metadata` carries no lengths, so these come from the usual extended data
   * types. They belong to the emulator and are deliberately not shared with production code.
   */
  maxLength?: number;
  /** The enum whose member names the field takes (an `enum` property, or a string checked against the names). */
  enumType?: FnoEnumName;
  required?: boolean;
  /** Set by the service (key parts are not "read only": they are given on create and fixed afterwards). */
  readOnly?: boolean;
  reference?: { kind: ReferenceKind; table: string };
}

export const customerEntityType = 'Microsoft.Dynamics.DataEntities.CustomerV2';
export const customerEntitySet = 'CustomersV2';
/** The table name F&O writes into for this entity; used in Infolog messages. */
export const customerWriteEntity = 'CustCustomerV2Entity';

const string = (name: string, label: string, maxLength?: number, extra: Partial<CustomerField> = {}): CustomerField => ({
  name,
  kind: 'string',
  label,
  ...(maxLength !== undefined ? { maxLength } : {}),
  ...extra,
});

/** The `CustomersV2` fields the emulator models (a subset of the real entity's ~200). */
export const customerFields: readonly CustomerField[] = [
  string('dataAreaId', 'Company', 4),
  string('CustomerAccount', 'Customer account', 20, { required: true }),
  string('OrganizationName', 'Organization name', 100),
  string('NameAlias', 'Search name', 20),
  // A string in CustomersV2 (real `$metadata`: `Edm.String`), not an enum property; its values are names of F&O's
  // DirPartyType enum, which the emulator checks against the two a customer can have.
  { name: 'PartyType', kind: 'string', enumType: 'DirPartyType', label: 'Party type' },
  string('PartyNumber', 'Party', 40, { readOnly: true }),
  string('CustomerGroupId', 'Customer group', 10, {
    required: true,
    reference: { kind: 'customerGroups', table: 'Customer groups' },
  }),
  string('SalesCurrencyCode', 'Currency', 3, { required: true, reference: { kind: 'currencies', table: 'Currency' } }),
  string('LanguageId', 'Language', 7, { reference: { kind: 'languages', table: 'Languages' } }),
  string('SiteId', 'Site', 10, { reference: { kind: 'sites', table: 'Sites' } }),
  string('WarehouseId', 'Warehouse', 10, { reference: { kind: 'warehouses', table: 'Warehouses' } }),
  { name: 'IsExternallyMaintained', kind: 'enum', enumType: 'NoYes', label: 'Externally maintained' },
  { name: 'CreditLimitIsMandatory', kind: 'enum', enumType: 'NoYes', label: 'Mandatory credit limit' },
  { name: 'OnHoldStatus', kind: 'enum', enumType: 'CustVendorBlocked', label: 'Invoicing and delivery on hold' },
  { name: 'CreditLimit', kind: 'decimal', label: 'Credit limit' },
  string('AddressStreet', 'Street', 250),
  string('AddressCity', 'City', 60),
  string('AddressState', 'State', 10),
  string('AddressCounty', 'County', 10),
  string('AddressZipCode', 'ZIP/postal code', 10),
  string('AddressCountryRegionId', 'Country/region', 10, {
    reference: { kind: 'countries', table: 'Country/region' },
  }),
  string('AddressCountryRegionISOCode', 'ISO code', 2),
  string('PrimaryContactEmail', 'Email', 255),
  string('PrimaryContactPhone', 'Telephone', 255),
  string('PrimaryContactFax', 'Fax', 255),
  string('PrimaryContactURL', 'Internet address', 255),
  string('PaymentTerms', 'Terms of payment', 10, { reference: { kind: 'paymentTerms', table: 'Terms of payment' } }),
  string('DeliveryTerms', 'Terms of delivery', 10, { reference: { kind: 'deliveryTerms', table: 'Terms of delivery' } }),
  string('DeliveryMode', 'Mode of delivery', 10, { reference: { kind: 'deliveryModes', table: 'Modes of delivery' } }),
  string('SalesMemo', 'Sales memo'),
];

export const customerFieldByName: ReadonlyMap<string, CustomerField> = new Map(
  customerFields.map((field) => [field.name, field]),
);

export const customerKeyFields = ['dataAreaId', 'CustomerAccount'] as const;

/** Column types for `$filter` / `$orderby`. */
export const customerColumns: ColumnTypes = Object.fromEntries(
  customerFields.map((field) => [field.name, field.kind === 'decimal' ? 'number' : field.kind === 'enum' ? 'enum' : 'string']),
);

/** What a field holds when a create does not set it: F&O returns empty strings, not nulls, and enums' first member. */
export function defaultValue(field: CustomerField): string | number {
  if (field.kind === 'decimal') return 0;
  if (field.name === 'PartyType') return 'Organization';
  if (field.kind === 'enum') return 'No';
  return '';
}
