import { z } from 'zod';
import type { ReferenceKind } from './customer-fields';

const code = (max: number) => z.string().trim().min(1).max(max);

export const companyReferenceDataSchema = z
  .object({
    name: z.string().min(1),
    customerGroups: z.array(z.object({ id: code(10), description: z.string(), paymentTermId: z.string().optional() }).strict()),
    sites: z.array(z.object({ id: code(10), name: z.string() }).strict()),
    warehouses: z.array(z.object({ id: code(10), name: z.string(), siteId: code(10) }).strict()),
    paymentTerms: z.array(z.object({ id: code(10), description: z.string(), days: z.number().int().min(0) }).strict()),
    deliveryTerms: z.array(z.object({ id: code(10), description: z.string() }).strict()),
    deliveryModes: z.array(z.object({ id: code(10), description: z.string() }).strict()),
  })
  .strict()
  .superRefine((company, context) => {
    const sites = new Set(company.sites.map((site) => site.id.toLowerCase()));
    company.warehouses.forEach((warehouse, index) => {
      if (!sites.has(warehouse.siteId.toLowerCase())) {
        context.addIssue({
          code: 'custom',
          path: ['warehouses', index, 'siteId'],
          message: `warehouse '${warehouse.id}' belongs to site '${warehouse.siteId}', which the company does not have`,
        });
      }
    });
  });

/**
 * The F&O reference data the emulator validates customers against: shared tables (currencies, languages,
 * countries/regions, states and counties per country/region) and per-company tables keyed by `dataAreaId` (lower
 * case, as OData shows it).
 */
export const fnoReferenceDataSchema = z
  .object({
    currencies: z.array(z.object({ code: code(3), name: z.string() }).strict()).min(1),
    languages: z.array(z.object({ id: code(7), description: z.string() }).strict()).min(1),
    countries: z
      .array(z.object({ id: code(10), isoCode: z.string().regex(/^[A-Za-z]{2}$/), name: z.string() }).strict())
      .min(1),
    /** F&O's state table (`LogisticsAddressState`): codes per country/region id, e.g. `USA`/`PA`. */
    states: z.array(z.object({ countryRegionId: code(10), id: code(10), name: z.string() }).strict()).default([]),
    /** F&O's county table (`LogisticsAddressCounty`): codes per country/region and state. */
    counties: z
      .array(z.object({ countryRegionId: code(10), stateId: code(10), id: code(10), name: z.string() }).strict())
      .default([]),
    companies: z.record(z.string().regex(/^[A-Za-z0-9]{1,4}$/), companyReferenceDataSchema),
  })
  .strict()
  .refine((data) => Object.keys(data.companies).length > 0, { message: 'at least one company is needed' });

export type FnoReferenceData = z.infer<typeof fnoReferenceDataSchema>;
export type CompanyReferenceData = z.infer<typeof companyReferenceDataSchema>;

/**
 * Case-insensitive look-ups over the reference data (F&O compares codes with the SQL collation). Built once per
 * emulator; validation of a customer is a handful of Set look-ups.
 */
export class ReferenceIndex {
  readonly companies: ReadonlySet<string>;
  private readonly shared: Record<'currencies' | 'languages' | 'countries', Set<string>>;
  private readonly perCompany = new Map<string, Record<Exclude<ReferenceKind, 'currencies' | 'languages' | 'countries'>, Set<string>>>();
  private readonly warehouseSite = new Map<string, string>();
  private readonly countryIso = new Map<string, string>();
  private readonly isoCountry = new Map<string, string>();
  private readonly states = new Set<string>();
  private readonly counties = new Set<string>();
  /** Every code as its table spells it, by kind and lower-case code (see `spelling`). */
  private readonly spellings = new Map<string, string>();

  constructor(readonly data: FnoReferenceData) {
    this.companies = new Set(Object.keys(data.companies).map((id) => id.toLowerCase()));
    this.shared = {
      currencies: lowerSet(data.currencies.map((item) => item.code)),
      languages: lowerSet(data.languages.map((item) => item.id)),
      countries: lowerSet(data.countries.map((item) => item.id)),
    };
    for (const state of data.states) this.states.add(joinKey(state.countryRegionId, state.id));
    for (const county of data.counties) this.counties.add(joinKey(county.countryRegionId, county.stateId, county.id));
    for (const [kind, codes] of [
      ['currencies', data.currencies.map((item) => item.code)],
      ['languages', data.languages.map((item) => item.id)],
      ['countries', data.countries.map((item) => item.id)],
    ] as const) {
      for (const code of codes) this.spellings.set(joinKey(kind, code), code);
    }
    for (const country of data.countries) {
      this.countryIso.set(country.id.toLowerCase(), country.isoCode.toUpperCase());
      if (!this.isoCountry.has(country.isoCode.toLowerCase())) this.isoCountry.set(country.isoCode.toLowerCase(), country.id);
    }
    for (const [id, company] of Object.entries(data.companies)) {
      const companyId = id.toLowerCase();
      this.perCompany.set(companyId, {
        customerGroups: lowerSet(company.customerGroups.map((item) => item.id)),
        sites: lowerSet(company.sites.map((item) => item.id)),
        warehouses: lowerSet(company.warehouses.map((item) => item.id)),
        paymentTerms: lowerSet(company.paymentTerms.map((item) => item.id)),
        deliveryTerms: lowerSet(company.deliveryTerms.map((item) => item.id)),
        deliveryModes: lowerSet(company.deliveryModes.map((item) => item.id)),
      });
      for (const [kind, items] of [
        ['customerGroups', company.customerGroups],
        ['sites', company.sites],
        ['warehouses', company.warehouses],
        ['paymentTerms', company.paymentTerms],
        ['deliveryTerms', company.deliveryTerms],
        ['deliveryModes', company.deliveryModes],
      ] as const) {
        for (const item of items) this.spellings.set(joinKey(companyId, kind, item.id), item.id);
      }
      for (const warehouse of company.warehouses) {
        this.warehouseSite.set(`${companyId}\u0000${warehouse.id.toLowerCase()}`, warehouse.siteId.toLowerCase());
      }
    }
  }

  /** Whether the code exists, compared as F&O's SQL collation does: case-insensitive, trailing blanks ignored. */
  has(kind: ReferenceKind, company: string, value: string): boolean {
    const key = value.trimEnd().toLowerCase();
    if (kind === 'currencies' || kind === 'languages' || kind === 'countries') return this.shared[kind].has(key);
    return this.perCompany.get(company.toLowerCase())?.[kind].has(key) ?? false;
  }

  /** The site a warehouse belongs to (lower case), if the warehouse exists in the company. */
  siteOfWarehouse(company: string, warehouse: string): string | undefined {
    return this.warehouseSite.get(`${company.toLowerCase()}\u0000${warehouse.toLowerCase()}`);
  }

  /** The code as the reference table spells it (F&O may hand a code back that way; emulator setting). */
  spelling(kind: ReferenceKind, company: string, value: string): string | undefined {
    if (kind === 'currencies' || kind === 'languages' || kind === 'countries') return this.spellings.get(joinKey(kind, value));
    return this.spellings.get(joinKey(company, kind, value));
  }

  /** Whether the state code exists for the country/region id (F&O's state table is keyed by both). */
  hasState(countryRegionId: string, state: string): boolean {
    return this.states.has(joinKey(countryRegionId, state));
  }

  hasCounty(countryRegionId: string, state: string, county: string): boolean {
    return this.counties.has(joinKey(countryRegionId, state, county));
  }

  isoCodeOf(countryRegionId: string): string | undefined {
    return this.countryIso.get(countryRegionId.toLowerCase());
  }

  countryOfIsoCode(isoCode: string): string | undefined {
    return this.isoCountry.get(isoCode.toLowerCase());
  }
}

/** Codes compare as F&O's collation does: case-insensitive, trailing blanks ignored. */
function joinKey(...parts: string[]): string {
  return parts.map((part) => part.trimEnd().toLowerCase()).join('\u0000');
}

function lowerSet(values: readonly string[]): Set<string> {
  return new Set(values.map((value) => value.trimEnd().toLowerCase()));
}
