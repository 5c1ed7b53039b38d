import { z } from 'zod';
import { quoteLiteral } from '@p2c-sync/odata-wire';
import type { DataverseClient } from './dataverse-client';
import type { FnoClient } from './fno-client';
import { parseRows } from './parse-rows';

// Reference data reads by purpose: F&O code tables (per company or shared), a warehouse's site, Dataverse business
// units and transaction currencies. Each owns its query and parses its rows with zod.

/** Where F&O keeps the codes of a field: the entity set and the field holding the code. */
export interface CodeTable {
  entitySet: string;
  codeField: string;
}

/** Every code of `table`, as F&O spells them: of `company` when given (a per-company table), else across companies. */
export async function readReferenceCodes(fno: Pick<FnoClient, 'queryEntitySet'>, table: CodeTable, company: string | undefined): Promise<string[]> {
  const schema = z.object({ [table.codeField]: z.string() });
  const codes: string[] = [];
  for await (const rows of fno.queryEntitySet(table.entitySet, { ...(company !== undefined ? { dataAreaId: company } : {}), select: [table.codeField] })) {
    for (const row of parseRows(schema, rows, `a ${table.entitySet} code`, 'fno')) codes.push(row[table.codeField] as string);
  }
  return codes;
}

const warehouseSiteSchema = z.object({ OperationalSiteId: z.string().nullable().optional() });

/** The site a warehouse of a company belongs to; undefined when F&O has no such warehouse (or it names no site). */
export async function readWarehouseSite(fno: Pick<FnoClient, 'queryEntitySet'>, company: string, warehouse: string): Promise<string | undefined> {
  for await (const rows of fno.queryEntitySet('Warehouses', {
    dataAreaId: company,
    select: ['WarehouseId', 'OperationalSiteId'],
    filter: `WarehouseId eq ${quoteLiteral(warehouse)}`,
  })) {
    const [first] = parseRows(warehouseSiteSchema, rows.slice(0, 1), 'a warehouse', 'fno');
    if (typeof first?.OperationalSiteId === 'string') return first.OperationalSiteId;
  }
  return undefined;
}

const businessUnitSchema = z.object({ businessunitid: z.guid(), name: z.string() });

/** Dataverse business units: name in lower case → id. */
export async function readBusinessUnitIds(dataverse: Pick<DataverseClient, 'queryAll'>): Promise<Map<string, string>> {
  const byName = new Map<string, string>();
  for await (const rows of dataverse.queryAll({ entitySet: 'businessunits', select: ['businessunitid', 'name'] })) {
    for (const unit of parseRows(businessUnitSchema, rows, 'a business unit')) byName.set(unit.name.toLowerCase(), unit.businessunitid);
  }
  return byName;
}

const currencySchema = z.object({ transactioncurrencyid: z.guid(), isocurrencycode: z.string() });

/** Dataverse transaction currencies: id in lower case → ISO code. */
export async function readCurrencyCodes(dataverse: Pick<DataverseClient, 'queryAll'>): Promise<Map<string, string>> {
  const byId = new Map<string, string>();
  for await (const rows of dataverse.queryAll({ entitySet: 'transactioncurrencies', select: ['transactioncurrencyid', 'isocurrencycode'] })) {
    for (const currency of parseRows(currencySchema, rows, 'a transaction currency')) byId.set(currency.transactioncurrencyid.toLowerCase(), currency.isocurrencycode);
  }
  return byId;
}
