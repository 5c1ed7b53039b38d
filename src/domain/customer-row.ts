/**
 * The F&O `CustomersV2` fields this product writes (contract §3, §4). Everything else on a customer belongs to
 * F&O users and is never read into a diff or written.
 */
export interface CustomerRow {
  /** Company, from the run's configuration (lower case in OData). Key part. */
  dataAreaId: string;
  /** The Sales Account Number. Key part. */
  CustomerAccount: string;
  OrganizationName: string;
  PartyType: 'Organization';
  SalesCurrencyCode: string;
  CustomerGroupId: string;
  LanguageId?: string;
  SiteId?: string;
  WarehouseId?: string;
  /** Invoice sync back to Sales filters on it, so every customer created from Sales carries it. */
  IsExternallyMaintained: 'Yes';
  /** F&O's credit limit is not nullable: an account without one gets 0. */
  CreditLimit: number;
  AddressStreet?: string;
  AddressCity?: string;
  AddressState?: string;
  AddressCounty?: string;
  AddressZipCode?: string;
  AddressCountryRegionId?: string;
  AddressCountryRegionISOCode?: string;
  PrimaryContactPhone?: string;
  PrimaryContactFax?: string;
  PrimaryContactEmail?: string;
  PrimaryContactURL?: string;
  PaymentTerms?: string;
  DeliveryTerms?: string;
  DeliveryMode?: string;
  SalesMemo?: string;
  NameAlias?: string;
}

export type CustomerField = keyof CustomerRow;

/**
 * Fields the template always owns: compared on every run and cleared in F&O when the account has no value
 * (the Data Integrator overwrote them the same way). Payment terms, delivery terms, delivery mode, sales memo, name
 * alias and county are not mapped by default; they are written only when the mapping configuration yields a value and are
 * never cleared, because F&O users may maintain them by hand.
 */
export const MAPPED_CUSTOMER_FIELDS = [
  'dataAreaId',
  'CustomerAccount',
  'OrganizationName',
  'PartyType',
  'SalesCurrencyCode',
  'CustomerGroupId',
  'LanguageId',
  'SiteId',
  'WarehouseId',
  'IsExternallyMaintained',
  'CreditLimit',
  'AddressStreet',
  'AddressCity',
  'AddressState',
  'AddressZipCode',
  'AddressCountryRegionId',
  'AddressCountryRegionISOCode',
  'PrimaryContactPhone',
  'PrimaryContactFax',
  'PrimaryContactEmail',
  'PrimaryContactURL',
] as const satisfies readonly CustomerField[];

/** Written only when the configuration maps them (see MAPPED_CUSTOMER_FIELDS). */
export const OPTIONAL_CUSTOMER_FIELDS = [
  'PaymentTerms',
  'DeliveryTerms',
  'DeliveryMode',
  'SalesMemo',
  'NameAlias',
  // A code of F&O's county table (per country and state), which Sales' free-text county is not: written only when
  // configured (a value map or a default), never cleared, so counties maintained in F&O stay.
  'AddressCounty',
] as const satisfies readonly CustomerField[];

/** Every field of `CustomerRow`, in the order rows are built and reported. */
export const CUSTOMER_FIELDS = [...MAPPED_CUSTOMER_FIELDS, ...OPTIONAL_CUSTOMER_FIELDS] as const;

// Compile-time proof that CUSTOMER_FIELDS lists every CustomerRow field.
type MissingFromList = Exclude<CustomerField, (typeof CUSTOMER_FIELDS)[number]>;
const everyFieldListed: MissingFromList extends never ? true : MissingFromList = true;
void everyFieldListed;

/** The key of a customer: `(dataAreaId, CustomerAccount)`. */
export const CUSTOMER_KEY_FIELDS = ['dataAreaId', 'CustomerAccount'] as const satisfies readonly CustomerField[];

/**
 * Assumed maximum lengths (contract §3; F&O `$metadata` has none, so these follow the usual extended data types
 * and are what the emulator enforces). Fields missing here have no limit we know of.
 */
export const CUSTOMER_FIELD_MAX_LENGTHS = {
  dataAreaId: 4,
  CustomerAccount: 20,
  OrganizationName: 100,
  NameAlias: 20,
  CustomerGroupId: 10,
  SalesCurrencyCode: 3,
  LanguageId: 7,
  SiteId: 10,
  WarehouseId: 10,
  AddressStreet: 250,
  AddressCity: 60,
  AddressState: 10,
  AddressCounty: 10,
  AddressZipCode: 10,
  AddressCountryRegionId: 10,
  AddressCountryRegionISOCode: 2,
  PrimaryContactEmail: 255,
  PrimaryContactPhone: 255,
  PrimaryContactFax: 255,
  PrimaryContactURL: 255,
  PaymentTerms: 10,
  DeliveryTerms: 10,
  DeliveryMode: 10,
} as const satisfies Partial<Record<CustomerField, number>>;

export type LengthLimitedField = keyof typeof CUSTOMER_FIELD_MAX_LENGTHS;

export function maxLengthOf(field: CustomerField): number | undefined {
  return (CUSTOMER_FIELD_MAX_LENGTHS as Partial<Record<CustomerField, number>>)[field];
}
