import { ConnectorError } from '../connectors/errors';
import type { ConfigurableField } from '../domain/mapping-config';
import { quoteLiteral } from '../odata/quote';
import type { ActivityDependencies } from './dependencies';

/** Where F&O keeps the codes a customer field refers to, and whether they are per company. */
interface ReferenceSet {
  entitySet: string;
  codeField: string;
  perCompany: boolean;
  label: string;
}

export const REFERENCE_SETS: Partial<Record<ConfigurableField, ReferenceSet>> = {
  CustomerGroupId: { entitySet: 'CustomerGroups', codeField: 'CustomerGroupId', perCompany: true, label: 'customer group' },
  SalesCurrencyCode: { entitySet: 'Currencies', codeField: 'CurrencyCode', perCompany: false, label: 'currency' },
  LanguageId: { entitySet: 'Languages', codeField: 'LanguageId', perCompany: false, label: 'language' },
  SiteId: { entitySet: 'OperationalSites', codeField: 'SiteId', perCompany: true, label: 'site' },
  WarehouseId: { entitySet: 'Warehouses', codeField: 'WarehouseId', perCompany: true, label: 'warehouse' },
  PaymentTerms: { entitySet: 'PaymentTerms', codeField: 'Name', perCompany: true, label: 'terms of payment' },
  DeliveryTerms: { entitySet: 'DeliveryTerms', codeField: 'TermsCode', perCompany: true, label: 'terms of delivery' },
  DeliveryMode: { entitySet: 'DeliveryModesV2', codeField: 'ModeCode', perCompany: true, label: 'mode of delivery' },
};

/**
 * Every code the mapping can write for a company (defaults and value-map targets) must exist in that company's F&O
 * reference data, and the default warehouse must belong to the default site. Otherwise every affected record would
 * fail one by one in F&O; refusing the configuration up front says it once, with the fix.
 */
export async function checkReferenceData(
  deps: Pick<ActivityDependencies, 'config' | 'fno'>,
  company: string,
): Promise<string[]> {
  const { mapping } = deps.config;
  const problems: string[] = [];
  for (const [field, set] of Object.entries(REFERENCE_SETS) as [ConfigurableField, ReferenceSet][]) {
    const wanted = new Map<string, string>();
    const fallback = mapping.defaults[field];
    if (fallback) wanted.set(fallback.toLowerCase(), `mapping.defaults.${field}`);
    for (const [from, code] of Object.entries(mapping.valueMaps[field]?.values ?? {})) {
      wanted.set(code.toLowerCase(), `mapping.valueMaps.${field}.values.${from}`);
    }
    if (wanted.size === 0) continue;
    const known = await readCodes(deps, set, company);
    // An environment that does not publish the entity set cannot be checked up front; F&O still validates each write.
    if (!known) continue;
    for (const [code, path] of wanted) {
      if (!known.has(code)) {
        problems.push(`${path}: ${set.label} '${code}' does not exist in F&O${set.perCompany ? ` company '${company}'` : ''} (${set.entitySet})`);
      }
    }
  }
  const site = mapping.defaults.SiteId;
  const warehouse = mapping.defaults.WarehouseId;
  if (site && warehouse) {
    const warehouseSite = await readWarehouseSite(deps, company, warehouse);
    if (warehouseSite !== undefined && warehouseSite.toLowerCase() !== site.toLowerCase()) {
      problems.push(`mapping.defaults.WarehouseId: warehouse '${warehouse}' belongs to site '${warehouseSite}' in company '${company}', not to the default site '${site}'`);
    }
  }
  return problems;
}

async function readCodes(deps: Pick<ActivityDependencies, 'fno'>, set: ReferenceSet, company: string): Promise<Set<string> | undefined> {
  const codes = new Set<string>();
  try {
    for await (const rows of deps.fno.queryEntitySet(set.entitySet, {
      ...(set.perCompany ? { dataAreaId: company } : {}),
      select: [set.codeField],
    })) {
      for (const row of rows) {
        const code = (row as Record<string, unknown>)[set.codeField];
        if (typeof code === 'string') codes.add(code.toLowerCase());
      }
    }
  } catch (error) {
    if (error instanceof ConnectorError && error.kind === 'not-found') return undefined;
    throw error;
  }
  return codes;
}

async function readWarehouseSite(deps: Pick<ActivityDependencies, 'fno'>, company: string, warehouse: string): Promise<string | undefined> {
  for await (const rows of deps.fno.queryEntitySet('Warehouses', {
    dataAreaId: company,
    select: ['WarehouseId', 'OperationalSiteId'],
    filter: `WarehouseId eq ${quoteLiteral(warehouse)}`,
  })) {
    const site = (rows[0] as Record<string, unknown> | undefined)?.OperationalSiteId;
    if (typeof site === 'string') return site;
  }
  return undefined;
}
