import { readReferenceCodes, readWarehouseSite } from '../connectors/reference-reads';
import { sameCode } from '../domain/code-equality';
import type { ConfigurableField } from '../domain/mapping-config';
import { settledAll } from '../util/settled-all';
import type { ActivityDependencies } from './dependencies';

/**
 * Where F&O keeps the codes a customer field refers to, and whether they are per company. Entity set, key and field
 * names as F&O's `$metadata` publishes them (a client generated from it: ntrtd/d365-agent `asset/client/src/`
 * `CustomerGroups.ts`, `PaymentTerms.ts`, `DeliveryTerms.ts`, `DeliveryModesV2.ts`, `OperationalSites.ts`,
 * `Warehouses.ts`, `Currencies.ts`).
 */
export interface ReferenceSet {
  entitySet: string;
  codeField: string;
  perCompany: boolean;
  label: string;
}

/** A field whose codes no known public entity set lists: it cannot be checked before the run, only by F&O on write. */
interface UncheckableField {
  entitySet?: undefined;
  label: string;
  why: string;
}

export const REFERENCE_SETS: Partial<Record<ConfigurableField, ReferenceSet | UncheckableField>> = {
  CustomerGroupId: { entitySet: 'CustomerGroups', codeField: 'CustomerGroupId', perCompany: true, label: 'customer group' },
  SalesCurrencyCode: { entitySet: 'Currencies', codeField: 'CurrencyCode', perCompany: false, label: 'currency' },
  LanguageId: { label: 'language', why: 'F&O publishes no entity set of language codes that this product knows of' },
  SiteId: { entitySet: 'OperationalSites', codeField: 'SiteId', perCompany: true, label: 'site' },
  WarehouseId: { entitySet: 'Warehouses', codeField: 'WarehouseId', perCompany: true, label: 'warehouse' },
  PaymentTerms: { entitySet: 'PaymentTerms', codeField: 'Name', perCompany: true, label: 'terms of payment' },
  DeliveryTerms: { entitySet: 'DeliveryTerms', codeField: 'TermsCode', perCompany: true, label: 'terms of delivery' },
  DeliveryMode: { entitySet: 'DeliveryModesV2', codeField: 'ModeCode', perCompany: true, label: 'mode of delivery' },
};

export interface ReferenceDataCheck {
  /** Codes that do not exist in a set the environment publishes: the run is refused. */
  problems: string[];
  /** Codes that could not be checked (the environment does not publish their set): F&O still checks each write. */
  warnings: string[];
}

/**
 * Every code the mapping can write for a company (defaults and value-map targets) must exist in that company's F&O
 * reference data, and the default warehouse must belong to the default site. Otherwise every affected record would
 * fail one by one in F&O; refusing the configuration up front says it once, with the fix. Environments differ in the
 * entity sets they publish: a set absent from `exposedSets` (the environment's `$metadata`) means "cannot check",
 * a warning, never a refusal.
 */
export async function checkReferenceData(
  deps: Pick<ActivityDependencies, 'config' | 'fno'>,
  company: string,
  exposedSets: ReadonlySet<string>,
): Promise<ReferenceDataCheck> {
  const { mapping } = deps.config;
  const problems: string[] = [];
  const warnings: string[] = [];
  const site = mapping.defaults.SiteId;
  const warehouse = mapping.defaults.WarehouseId;
  // The sets are independent reads: they go side by side (the F&O gate bounds them), and what they find is listed in
  // the sets' order. One after another they were most of a run's start on a slow environment.
  const checks = (Object.entries(REFERENCE_SETS) as [ConfigurableField, ReferenceSet | UncheckableField][]).map(async ([field, set]) => {
    const wanted = wantedCodes(mapping, field);
    if (wanted.length === 0) return undefined;
    if (set.entitySet === undefined || !exposedSets.has(set.entitySet)) {
      const why = set.entitySet === undefined ? set.why : `the F&O environment does not publish the entity set '${set.entitySet}' (it is not in its $metadata)`;
      return {
        warning: `mapping (${field}): cannot check the ${set.label} code(s) ${wanted.map((w) => `'${w.code}'`).join(', ')} before the run: ${why}; F&O still refuses an unknown code on each write`,
      };
    }
    const known = await readCodes(deps.fno, set, company);
    return {
      problems: wanted
        .filter(({ code }) => !known.some((existing) => sameCode(existing, code)))
        .map(({ code, path }) => `${path}: ${set.label} '${code}' does not exist in F&O${set.perCompany ? ` company '${company}'` : ''} (${set.entitySet})`),
    };
  });
  const siteCheck =
    site && warehouse && exposedSets.has('Warehouses')
      ? readWarehouseSite(deps.fno, company, warehouse).then((found) =>
          found !== undefined && !sameCode(found, site)
            ? `mapping.defaults.WarehouseId: warehouse '${warehouse}' belongs to site '${found}' in company '${company}', not to the default site '${site}'`
            : undefined,
        )
      : undefined;
  const [sets, siteProblem] = await settledAll([settledAll(checks), siteCheck]);
  for (const check of sets) {
    if (check?.warning) warnings.push(check.warning);
    if (check?.problems) problems.push(...check.problems);
  }
  if (siteProblem) problems.push(siteProblem);
  return { problems, warnings };
}

/** The codes the mapping can write into `field`, each once (as F&O compares them), with where it is configured. */
function wantedCodes(mapping: ActivityDependencies['config']['mapping'], field: ConfigurableField): Array<{ code: string; path: string }> {
  const wanted: Array<{ code: string; path: string }> = [];
  const add = (code: string, path: string) => {
    if (!wanted.some((existing) => sameCode(existing.code, code))) wanted.push({ code, path });
  };
  const fallback = mapping.defaults[field];
  if (fallback) add(fallback, `mapping.defaults.${field}`);
  for (const [from, code] of Object.entries(mapping.valueMaps[field]?.values ?? {})) add(code, `mapping.valueMaps.${field}.values.${from}`);
  return wanted;
}

/** Every code of `set` (of `company` when the set is per company), as F&O spells them. */
export async function readCodes(fno: ActivityDependencies['fno'], set: ReferenceSet, company: string): Promise<string[]> {
  return await readReferenceCodes(fno, set, set.perCompany ? company : undefined);
}
