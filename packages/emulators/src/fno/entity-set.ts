import type { ColumnTypes } from '../odata-filter';

/** What the query layer needs to know about an entity set. */
export interface EntitySetDefinition {
  name: string;
  entityType: string;
  /** Key properties in URL order. */
  keys: readonly string[];
  columns: ColumnTypes;
  /** Enum members per enum column (filter literals are checked against them). */
  enumMembers: Readonly<Record<string, readonly string[]>>;
  /** Rows belong to a company (`dataAreaId`): without `cross-company=true` only the default company is seen. */
  companyScoped: boolean;
}
