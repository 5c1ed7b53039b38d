import { GUID_PATTERN } from './account-row';
import { errors } from './dataverse-error';

export const API_BASE_PATH = '/api/data/v9.2/';

export interface ResourcePath {
  /** First segment: an entity set, `$batch`, `$metadata`, a function such as `WhoAmI`. */
  segment: string;
  /** The key between parentheses, when the segment addresses one entity; a lower-case GUID. */
  key: string | undefined;
  /** `(…)` text as written, for error messages. */
  keyText: string | undefined;
}

/**
 * Reads `/api/data/v9.2/accounts(<guid>)`-style paths. Keys are accepted bare or named with the primary key
 * (`accounts(accountid=<guid>)`); anything else between the parentheses is a 400, as for the service.
 */
export function parseResourcePath(pathname: string, primaryKeys: Readonly<Record<string, string>>): ResourcePath {
  if (!pathname.startsWith(API_BASE_PATH)) throw errors.resourceNotFound(pathname);
  let rest: string;
  try {
    rest = decodeURIComponent(pathname.slice(API_BASE_PATH.length));
  } catch {
    throw errors.querySyntax(`The request path '${pathname}' is not valid.`);
  }
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  const match = /^([A-Za-z_$][A-Za-z0-9_.$]*)(?:\((.*)\))?$/s.exec(rest);
  if (match === null) throw errors.resourceNotFound(rest.split('/')[0] || rest);
  const segment = match[1] as string;
  const keyText = match[2];
  // `WhoAmI()`: a function call without parameters addresses no entity.
  if (keyText === undefined || keyText === '') return { segment, key: undefined, keyText: undefined };
  // Table definitions are addressed by their alternate key: `EntityDefinitions(LogicalName='account')`.
  if (segment === 'EntityDefinitions') {
    const logicalName = /^LogicalName='([a-z_][a-z0-9_]*)'$/.exec(keyText);
    if (logicalName === null) throw errors.querySyntax(`Bad Request - Error in query syntax: '${keyText}' is not a valid key of 'EntityDefinitions'.`);
    return { segment, key: logicalName[1] as string, keyText };
  }
  const primaryKey = primaryKeys[segment];
  const named = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(keyText);
  const value = named === null ? keyText : (named[2] as string);
  if (named !== null && named[1] !== primaryKey) {
    throw errors.querySyntax(`The key '${named[1] ?? ''}' is not a key of the entity set '${segment}'.`);
  }
  if (!GUID_PATTERN.test(value)) {
    throw errors.querySyntax(`Bad Request - Error in query syntax: '${keyText}' is not a valid key of '${segment}'.`);
  }
  return { segment, key: value.toLowerCase(), keyText };
}
