import { quoteLiteral } from '@p2c-sync/odata-wire';
import { ConnectorError, type ConnectorService } from './errors';

/** Query options in the order given; undefined and empty values are left out. */
export type QueryOptions = Readonly<Record<string, string | number | undefined>>;

/** `{root}{path}?$select=…` with every option value percent-encoded (names like `$filter` stay as they are). */
export function buildUrl(root: string, path: string, options: QueryOptions = {}): string {
  const query = Object.entries(options)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`)
    .join('&');
  return `${root}${path}${query ? `?${query}` : ''}`;
}

/** The service root with exactly one trailing slash, e.g. `https://org.crm.dynamics.com/api/data/v9.2/`. */
export function serviceRoot(environmentUrl: string, apiPath: string): string {
  const url = new URL(environmentUrl);
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  return `${base}/${apiPath.replace(/^\/+|\/+$/g, '')}/`;
}

/**
 * A key segment with named parts: `(dataAreaId='usmf',CustomerAccount='O''X')`. Quotes are doubled (OData
 * literal) before percent-encoding, which leaves `'` as is and encodes everything a path cannot carry.
 */
export function namedKeySegment(parts: Readonly<Record<string, string>>): string {
  const inner = Object.entries(parts)
    .map(([name, value]) => `${name}=${encodeURIComponent(quoteLiteral(value))}`)
    .join(',');
  return `(${inner})`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GUID key segment `(…)`; anything that is not a GUID is refused before it can change the URL's meaning. */
export function guidKeySegment(service: ConnectorService, id: string): string {
  if (!GUID.test(id)) {
    throw new ConnectorError(`'${id}' is not a GUID and cannot be used as a key`, { kind: 'configuration', service });
  }
  return `(${id.toLowerCase()})`;
}

/** `$select` from column names; an empty list means "all columns", as leaving the option out does. */
export function selectOption(select: readonly string[] | undefined): string | undefined {
  return select && select.length > 0 ? select.join(',') : undefined;
}
