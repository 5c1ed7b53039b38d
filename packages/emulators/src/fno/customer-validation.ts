import { customerFields, type CustomerField } from './customer-fields';

const customerFieldByName = (name: string) => customerFields.find((field) => field.name === name);
import { fnoEnums } from './fno-enums';
import { infolog, type InfologLine } from './infolog';
import type { ReferenceIndex } from './reference-data';

export type CustomerRow = Record<string, string | number>;

/**
 * What F&O's validateField/validateWrite would say about a customer row of a company: required fields, lengths,
 * enum members, reference data (per company), warehouse-in-site and ISO code consistency. Only `changed` fields
 * get the per-field checks (an update does not re-litigate untouched values); required fields are checked on the
 * whole row. Returns the Infolog lines, empty when the row may be written.
 */
export function validateCustomer(
  row: CustomerRow,
  changed: ReadonlySet<string>,
  reference: ReferenceIndex,
): InfologLine[] {
  const lines: InfologLine[] = [];
  const company = String(row.dataAreaId ?? '');
  if (!reference.companies.has(company.toLowerCase())) {
    lines.push(infolog.notFound('Company', company, 'Legal entities'));
    return lines;
  }
  for (const field of customerFields) {
    const value = row[field.name];
    if (field.required && (value === undefined || value === '')) {
      lines.push(infolog.required(field.label));
      continue;
    }
    if (!changed.has(field.name) || typeof value !== 'string' || value === '') continue;
    const problem = checkField(field, value, company, reference);
    if (problem) lines.push(problem);
  }
  lines.push(...checkAddressCodes(row, changed, reference));
  const warehouse = String(row.WarehouseId ?? '');
  const site = String(row.SiteId ?? '');
  if (warehouse !== '' && (changed.has('WarehouseId') || changed.has('SiteId'))) {
    const siteOfWarehouse = reference.siteOfWarehouse(company, warehouse);
    if (siteOfWarehouse !== undefined && site !== '' && siteOfWarehouse !== site.toLowerCase()) {
      lines.push(infolog.invalid('Warehouse', warehouse, ` for site '${site}'`));
    }
  }
  return lines;
}

/**
 * State and county are codes of F&O's state and county tables for the address's country/region (keys
 * `(CountryRegionId, State)` and `(CountryRegionId, StateId, CountyId)`), not free text: a name such as
 * 'Pennsylvania', or a code of another country, is not found in the related table. Checked when the address's
 * country, state or county changes, since a state valid in one country is not in another.
 */
function checkAddressCodes(row: CustomerRow, changed: ReadonlySet<string>, reference: ReferenceIndex): InfologLine[] {
  if (!['AddressCountryRegionId', 'AddressState', 'AddressCounty'].some((field) => changed.has(field))) return [];
  const country = String(row.AddressCountryRegionId ?? '');
  const state = String(row.AddressState ?? '');
  const county = String(row.AddressCounty ?? '');
  const lines: InfologLine[] = [];
  // A value longer than the field is reported as too long already; it cannot be a key of the table either.
  const fits = (value: string, field: string) => value.length <= (customerFieldByName(field)?.maxLength ?? Infinity);
  if (state !== '' && fits(state, 'AddressState') && !reference.hasState(country, state)) lines.push(infolog.notFound('State', state, 'States'));
  if (county !== '' && fits(county, 'AddressCounty') && !reference.hasCounty(country, state, county)) {
    lines.push(infolog.notFound('County', county, 'Counties'));
  }
  return lines;
}

function checkField(field: CustomerField, value: string, company: string, reference: ReferenceIndex): InfologLine | undefined {
  if (field.maxLength !== undefined && value.length > field.maxLength) {
    return infolog.tooLong(field.label, value, field.maxLength);
  }
  if (field.enumType && !(fnoEnums[field.enumType] as readonly string[]).includes(value)) {
    return infolog.invalid(field.label, value);
  }
  if (field.reference && !reference.has(field.reference.kind, company, value)) {
    return infolog.notFound(field.label, value, field.reference.table);
  }
  return undefined;
}

/**
 * Codes written in another case (or with trailing blanks) than their reference table spells them are stored as the
 * table spells them: what a tenant that keeps the table's spelling hands back (emulator setting `codeSpelling`).
 */
export function respellCodes(row: CustomerRow, changed: ReadonlySet<string>, reference: ReferenceIndex): void {
  const company = String(row.dataAreaId ?? '');
  for (const field of customerFields) {
    const value = row[field.name];
    if (!field.reference || !changed.has(field.name) || typeof value !== 'string' || value === '') continue;
    const spelled = reference.spelling(field.reference.kind, company, value);
    if (spelled !== undefined) row[field.name] = spelled;
  }
}

/**
 * Country/region id and ISO code describe the same country: a missing one is derived from the other, and both
 * given but disagreeing is refused. Applied before validation; returns the lines for what cannot be reconciled.
 */
export function reconcileCountry(row: CustomerRow, changed: Set<string>, reference: ReferenceIndex): InfologLine[] {
  const countryChanged = changed.has('AddressCountryRegionId');
  const isoChanged = changed.has('AddressCountryRegionISOCode');
  if (!countryChanged && !isoChanged) return [];
  const country = String(row.AddressCountryRegionId ?? '');
  const iso = String(row.AddressCountryRegionISOCode ?? '');
  if (country === '' && countryChanged && !isoChanged) {
    row.AddressCountryRegionISOCode = '';
    return [];
  }
  if (country !== '') {
    const expectedIso = reference.isoCodeOf(country);
    if (expectedIso === undefined) return []; // the reference check reports the unknown country
    if (iso === '' || (countryChanged && !isoChanged)) {
      row.AddressCountryRegionISOCode = expectedIso;
      changed.add('AddressCountryRegionISOCode');
      return [];
    }
    if (iso.toUpperCase() !== expectedIso) {
      return [infolog.invalid('ISO code', iso, ` for country/region '${country}'`)];
    }
    return [];
  }
  if (iso !== '') {
    const derived = reference.countryOfIsoCode(iso);
    if (derived === undefined) return [infolog.notFound('ISO code', iso, 'Country/region')];
    row.AddressCountryRegionId = derived;
    changed.add('AddressCountryRegionId');
  }
  return [];
}
