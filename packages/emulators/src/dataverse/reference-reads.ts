import { createHash } from 'node:crypto';
import { evaluateFilter, type ColumnTypes } from '../odata-filter';
import { BUSINESS_UNIT_FILTER_COLUMNS, CURRENCY_FILTER_COLUMNS } from './account-columns';
import { rowComparator } from './account-store';
import { type EntityLogicalName, errors } from './dataverse-error';
import { contextUrl, jsonResponse, type OperationResponse, serviceRoot } from './odata-response';
import type { OperationInput, ServiceContext } from './operation';
import { parseQueryOptions } from './query-options';

interface ReferenceSet {
  entity: EntityLogicalName;
  key: string;
  columns: ColumnTypes;
  rows: (context: ServiceContext) => Array<Record<string, string>>;
}

/** The small lookup tables an account points to; read whole (a handful of rows), never paged. */
export const REFERENCE_SETS: Readonly<Record<string, ReferenceSet>> = {
  transactioncurrencies: {
    entity: 'transactioncurrency',
    key: 'transactioncurrencyid',
    columns: CURRENCY_FILTER_COLUMNS,
    rows: (context) => context.store.listCurrencies().map((currency) => ({ ...currency })),
  },
  businessunits: {
    entity: 'businessunit',
    key: 'businessunitid',
    columns: BUSINESS_UNIT_FILTER_COLUMNS,
    rows: (context) => context.store.listBusinessUnits().map((unit) => ({ ...unit })),
  },
};

export function readReferenceSet(context: ServiceContext, input: OperationInput, setName: string, id: string | undefined): OperationResponse {
  const set = REFERENCE_SETS[setName] as ReferenceSet;
  const options = parseQueryOptions(input.search, set.columns, set.entity);
  if (options.expand !== undefined || options.skipToken !== undefined || options.deltaToken !== undefined) {
    throw errors.querySyntax(`The query option is not supported on '${setName}'.`);
  }
  const project = (row: Record<string, string>): Record<string, unknown> => {
    const entity: Record<string, unknown> = {};
    for (const column of options.select ?? Object.keys(set.columns)) entity[column] = row[column] ?? null;
    entity[set.key] = row[set.key];
    return entity;
  };
  const rows = set.rows(context);
  if (id !== undefined) {
    const row = rows.find((candidate) => candidate[set.key] === id);
    if (row === undefined) throw errors.doesNotExist(set.entity, id);
    return jsonResponse(200, { '@odata.context': contextUrl(input.origin, setName, options.select, '/$entity'), ...project(row) });
  }
  const filter = options.filter;
  const order = [...options.orderBy, { column: set.key, direction: 'asc' as const }];
  const value = rows
    .filter((row) => filter === undefined || evaluateFilter(filter, row))
    .sort(rowComparator(order))
    .slice(0, options.top ?? 5000)
    .map(project);
  return jsonResponse(200, { '@odata.context': contextUrl(input.origin, setName, options.select), value });
}

/** `WhoAmI()`: lets a client check its connection and token; ids are stable per client id. */
export function whoAmI(context: ServiceContext, input: OperationInput): OperationResponse {
  const unit = context.store.defaults().businessUnitId ?? stableGuid('businessunit');
  return jsonResponse(200, {
    '@odata.context': `${serviceRoot(input.origin)}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
    BusinessUnitId: unit,
    UserId: stableGuid(`user:${input.user}`),
    OrganizationId: stableGuid('organization'),
  });
}

function stableGuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The table definitions this emulator serves: `account` only, with the properties a client checks. */
const ENTITY_DEFINITION_PROPERTIES = ['LogicalName', 'EntitySetName', 'SchemaName', 'ChangeTrackingEnabled', 'MetadataId'] as const;

/**
 * `EntityDefinitions(LogicalName='account')?$select=ChangeTrackingEnabled`: how a client learns whether the table
 * tracks changes (Microsoft documents this query for exactly that check).
 */
export function readEntityDefinition(context: ServiceContext, input: OperationInput, logicalName: string): OperationResponse {
  if (logicalName !== 'account') throw errors.entityDefinitionNotFound(logicalName);
  const requested = input.search.get('$select')?.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of requested ?? []) {
    if (!(ENTITY_DEFINITION_PROPERTIES as readonly string[]).includes(name)) throw errors.unknownMetadataProperty(name);
  }
  const definition: Record<string, unknown> = {
    LogicalName: 'account',
    EntitySetName: 'accounts',
    SchemaName: 'Account',
    ChangeTrackingEnabled: context.changeTrackingEnabled,
    MetadataId: '70816501-edb9-4740-a16c-6a5efbc05d84',
  };
  const body: Record<string, unknown> = { '@odata.context': `${serviceRoot(input.origin)}$metadata#EntityDefinitions(${(requested ?? []).join(',')})/$entity` };
  for (const name of requested ?? ENTITY_DEFINITION_PROPERTIES) body[name] = definition[name];
  body['MetadataId'] = definition['MetadataId'];
  return jsonResponse(200, body);
}
