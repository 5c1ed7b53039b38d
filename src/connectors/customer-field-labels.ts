/**
 * F&O names fields by their label in Infolog messages ("Customer group"), while the product reports OData property
 * names (`CustomerGroupId`), which is what a person fixes in the mapping. Labels are the standard English labels of
 * the `CustomersV2` entity; several fields have more than one label in use across F&O versions.
 */
const LABELS: Record<string, readonly string[]> = {
  dataAreaId: ['Company', 'Data area'],
  CustomerAccount: ['Customer account', 'Account'],
  OrganizationName: ['Organization name', 'Name'],
  NameAlias: ['Search name', 'Name alias'],
  PartyType: ['Party type', 'Record type'],
  CustomerGroupId: ['Customer group', 'Group'],
  SalesCurrencyCode: ['Currency', 'Sales currency'],
  LanguageId: ['Language'],
  SiteId: ['Site'],
  WarehouseId: ['Warehouse'],
  IsExternallyMaintained: ['Is externally maintained', 'Externally maintained'],
  CreditLimit: ['Credit limit'],
  CreditLimitIsMandatory: ['Mandatory credit limit'],
  OnHoldStatus: ['Invoicing and delivery on hold', 'On hold'],
  PartyNumber: ['Party', 'Party number'],
  AddressStreet: ['Street'],
  AddressCity: ['City'],
  AddressState: ['State'],
  AddressCounty: ['County'],
  AddressZipCode: ['ZIP/postal code', 'ZIP code', 'Postal code'],
  AddressCountryRegionId: ['Country/region', 'Country/region ID', 'Country'],
  AddressCountryRegionISOCode: ['ISO code', 'Country/region ISO code', 'ISO'],
  PrimaryContactEmail: ['Email', 'Primary contact email', 'Email address'],
  PrimaryContactPhone: ['Telephone', 'Phone', 'Primary contact phone'],
  PrimaryContactFax: ['Fax', 'Primary contact fax'],
  PrimaryContactURL: ['Internet address', 'URL', 'Primary contact URL'],
  PaymentTerms: ['Terms of payment', 'Payment terms'],
  DeliveryTerms: ['Terms of delivery', 'Delivery terms'],
  DeliveryMode: ['Mode of delivery', 'Delivery mode'],
  SalesMemo: ['Sales memo', 'Memo'],
};

const FIELD_BY_LABEL = new Map<string, string>();
for (const [field, labels] of Object.entries(LABELS)) {
  // The property name itself counts too: some messages name the field, not its label.
  for (const label of [field, ...labels]) FIELD_BY_LABEL.set(normalise(label), field);
}

/** The `CustomersV2` property a label (or property name) refers to, or undefined when it is not one we know. */
export function customerFieldForLabel(label: string): string | undefined {
  return FIELD_BY_LABEL.get(normalise(label));
}

function normalise(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}
