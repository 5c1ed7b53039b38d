import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { companyReferenceDataSchema, type FnoReferenceData, fnoReferenceDataSchema } from '../fno/reference-data';
import { defaultFnoReferenceData } from './fno-reference-defaults';

/**
 * A reference-data file overrides the defaults section by section: `currencies`, `languages`, `countries`, `states`
 * and `counties` replace the default lists when present; each company in `companies` replaces (or adds) that company
 * whole.
 */
const overrideSchema = z
  .object({
    currencies: fnoReferenceDataSchema.shape.currencies.optional(),
    languages: fnoReferenceDataSchema.shape.languages.optional(),
    countries: fnoReferenceDataSchema.shape.countries.optional(),
    states: fnoReferenceDataSchema.shape.states.removeDefault().optional(),
    counties: fnoReferenceDataSchema.shape.counties.removeDefault().optional(),
    companies: z.record(z.string().regex(/^[A-Za-z0-9]{1,4}$/), companyReferenceDataSchema).optional(),
  })
  .strict();

export type FnoReferenceOverride = z.input<typeof overrideSchema>;

export function mergeFnoReference(base: FnoReferenceData, override: unknown, source = 'reference data'): FnoReferenceData {
  const parsed = overrideSchema.safeParse(override);
  if (!parsed.success) throw new Error(`${source} is not valid:\n${z.prettifyError(parsed.error)}`);
  const companies = { ...base.companies };
  for (const [id, company] of Object.entries(parsed.data.companies ?? {})) companies[id.toLowerCase()] = company;
  return fnoReferenceDataSchema.parse({
    currencies: parsed.data.currencies ?? base.currencies,
    languages: parsed.data.languages ?? base.languages,
    countries: parsed.data.countries ?? base.countries,
    states: parsed.data.states ?? base.states,
    counties: parsed.data.counties ?? base.counties,
    companies,
  });
}

/** The defaults, overridden by a JSON file when one is given. */
export function loadFnoReference(file?: string): FnoReferenceData {
  const defaults = defaultFnoReferenceData();
  if (!file) return defaults;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the reference data file ${file}: ${(error as Error).message}`);
  }
  return mergeFnoReference(defaults, json, file);
}
