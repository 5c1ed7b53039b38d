import type { AccountColumn } from './source-account';

/**
 * A value map turns a Sales value (a choice's number, a city, a lookup id …) into an F&O code, the way the Data
 * Integrator's value maps do. `otherwise` says what happens to a value the map does not list (blank included):
 * `default` uses mapping.defaults for the field (or leaves it unset when there is none), `omit` leaves the field
 * unset, `fail` fails the record with UNMAPPED_VALUE. An unset field follows diffCustomer's rule: a template field
 * (e.g. WarehouseId) is cleared on an existing customer, an optional one (e.g. PaymentTerms) is left as F&O has it.
 */
export const VALUE_MAP_FALLBACKS = ['default', 'omit', 'fail'] as const;
export type ValueMapFallback = (typeof VALUE_MAP_FALLBACKS)[number];

export interface ValueMap {
  source: AccountColumn;
  /** Sales value → F&O code. Keys are compared by valueMapKey. */
  values: Readonly<Record<string, string>>;
  otherwise: ValueMapFallback;
}

/** How source values and map keys are compared: trimmed, case-insensitive. */
export function valueMapKey(value: string): string {
  return value.trim().toLowerCase();
}

/** A source column's value as map key text: choices and money as their number, booleans as true/false. */
export function sourceValueText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value.trim() : String(value);
}

export interface CompiledValueMap {
  source: AccountColumn;
  otherwise: ValueMapFallback;
  lookup: ReadonlyMap<string, string>;
}

export function compileValueMap(map: ValueMap): CompiledValueMap {
  const lookup = new Map<string, string>();
  for (const [from, to] of Object.entries(map.values)) lookup.set(valueMapKey(from), to);
  return { source: map.source, otherwise: map.otherwise, lookup };
}
