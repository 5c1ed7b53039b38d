import type { ColumnTypes } from '../odata-filter';
import type { EntitySetDefinition } from './entity-set';
import type { FnoReferenceData } from './reference-data';

export interface ReferenceEntitySet extends EntitySetDefinition {
  rows(data: FnoReferenceData): Array<Record<string, unknown>>;
}

const namespace = 'Microsoft.Dynamics.DataEntities';

function definition(
  name: string,
  typeName: string,
  keys: string[],
  columns: ColumnTypes,
  rows: (data: FnoReferenceData) => Array<Record<string, unknown>>,
): ReferenceEntitySet {
  return {
    name,
    entityType: `${namespace}.${typeName}`,
    keys,
    columns,
    enumMembers: {},
    companyScoped: keys[0] === 'dataAreaId',
    rows,
  };
}

function perCompany<T>(
  data: FnoReferenceData,
  pick: (company: FnoReferenceData['companies'][string]) => T[],
  toRow: (item: T) => Record<string, unknown>,
): Array<Record<string, unknown>> {
  return Object.entries(data.companies).flatMap(([id, company]) =>
    pick(company).map((item) => ({ dataAreaId: id.toLowerCase(), ...toRow(item) })),
  );
}

/**
 * Reference data readable over OData, so a client can check its configuration against a company before it writes.
 * Only names real F&O publishes: entity sets, keys and properties as in F&O's `$metadata` (a public client generated
 * from it, ntrtd/d365-agent `asset/client/src/*.ts`: `CustomerGroups(dataAreaId, CustomerGroupId)`,
 * `PaymentTerms(dataAreaId, Name)`, `DeliveryTerms(dataAreaId, TermsCode)`, `DeliveryModesV2(dataAreaId, ModeCode)`,
 * `OperationalSites(dataAreaId, SiteId)`, `Warehouses(dataAreaId, WarehouseId)` with `OperationalSiteId`,
 * `Currencies(CurrencyCode)`, `AddressStates(CountryRegionId, State)`, `AddressCounties(CountryRegionId, StateId,
 * CountyId)`). No public entity set for language codes was found, so the emulator serves none: the languages it
 * validates `LanguageId` against are not readable, as on a tenant whose language set cannot be found.
 */
export const referenceEntitySets: readonly ReferenceEntitySet[] = [
  definition('LegalEntities', 'LegalEntity', ['LegalEntityId'], { LegalEntityId: 'string', Name: 'string' }, (data) =>
    Object.entries(data.companies).map(([id, company]) => ({ LegalEntityId: id.toUpperCase(), Name: company.name })),
  ),
  definition(
    'CustomerGroups',
    'CustomerGroup',
    ['dataAreaId', 'CustomerGroupId'],
    { dataAreaId: 'string', CustomerGroupId: 'string', Description: 'string', PaymentTermId: 'string' },
    (data) =>
      perCompany(data, (c) => c.customerGroups, (g) => ({
        CustomerGroupId: g.id,
        Description: g.description,
        PaymentTermId: g.paymentTermId ?? '',
      })),
  ),
  definition(
    'OperationalSites',
    'OperationalSite',
    ['dataAreaId', 'SiteId'],
    { dataAreaId: 'string', SiteId: 'string', SiteName: 'string' },
    (data) => perCompany(data, (c) => c.sites, (s) => ({ SiteId: s.id, SiteName: s.name })),
  ),
  definition(
    'Warehouses',
    'Warehouse',
    ['dataAreaId', 'WarehouseId'],
    { dataAreaId: 'string', WarehouseId: 'string', WarehouseName: 'string', OperationalSiteId: 'string' },
    (data) =>
      perCompany(data, (c) => c.warehouses, (w) => ({ WarehouseId: w.id, WarehouseName: w.name, OperationalSiteId: w.siteId })),
  ),
  definition(
    'PaymentTerms',
    'PaymentTerm',
    ['dataAreaId', 'Name'],
    { dataAreaId: 'string', Name: 'string', Description: 'string', NumberOfDays: 'number' },
    (data) =>
      perCompany(data, (c) => c.paymentTerms, (t) => ({ Name: t.id, Description: t.description, NumberOfDays: t.days })),
  ),
  definition(
    'DeliveryTerms',
    'DeliveryTerm',
    ['dataAreaId', 'TermsCode'],
    { dataAreaId: 'string', TermsCode: 'string', TermsDescription: 'string' },
    (data) => perCompany(data, (c) => c.deliveryTerms, (t) => ({ TermsCode: t.id, TermsDescription: t.description })),
  ),
  definition(
    'DeliveryModesV2',
    'DeliveryModeV2',
    ['dataAreaId', 'ModeCode'],
    { dataAreaId: 'string', ModeCode: 'string', ModeDescription: 'string' },
    (data) => perCompany(data, (c) => c.deliveryModes, (m) => ({ ModeCode: m.id, ModeDescription: m.description })),
  ),
  definition('Currencies', 'Currency', ['CurrencyCode'], { CurrencyCode: 'string', Name: 'string' }, (data) =>
    data.currencies.map((c) => ({ CurrencyCode: c.code, Name: c.name })),
  ),
  definition(
    'AddressStates',
    'AddressState',
    ['CountryRegionId', 'State'],
    { CountryRegionId: 'string', State: 'string', Name: 'string' },
    (data) => data.states.map((state) => ({ CountryRegionId: state.countryRegionId, State: state.id, Name: state.name })),
  ),
  definition(
    'AddressCounties',
    'AddressCounty',
    ['CountryRegionId', 'StateId', 'CountyId'],
    { CountryRegionId: 'string', StateId: 'string', CountyId: 'string', Description: 'string' },
    (data) =>
      data.counties.map((county) => ({
        CountryRegionId: county.countryRegionId,
        StateId: county.stateId,
        CountyId: county.id,
        Description: county.name,
      })),
  ),
  definition(
    'AddressCountryRegions',
    'AddressCountryRegion',
    ['CountryRegion'],
    { CountryRegion: 'string', ISOcode: 'string', ShortName: 'string' },
    (data) => data.countries.map((c) => ({ CountryRegion: c.id, ISOcode: c.isoCode, ShortName: c.name })),
  ),
];

/** The names of the reference entity sets; the emulator exposes all of them unless told to leave some out. */
export const referenceEntitySetNames: readonly string[] = referenceEntitySets.map((set) => set.name);
