import { customerFields, type CustomerField } from './customer-fields';
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
