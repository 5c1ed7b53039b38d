import { createAccount, deleteAccount, patchAccount, UPDATE_MULTIPLE_ACTION, updateMultipleAccounts } from './account-writes';
import { getAccount, listAccounts } from './account-reads';
import { DataverseError, errors } from './dataverse-error';
import { jsonResponse, type OperationResponse } from './odata-response';
import type { OperationInput, ServiceContext } from './operation';
import { readEntityDefinition, readReferenceSet, REFERENCE_SETS, whoAmI } from './reference-reads';
import { API_BASE_PATH, parseResourcePath } from './resource-path';

export const PRIMARY_KEYS: Readonly<Record<string, string>> = {
  accounts: 'accountid',
  transactioncurrencies: 'transactioncurrencyid',
  businessunits: 'businessunitid',
};

export type RawOperation = Omit<OperationInput, 'path' | 'search'> & { pathname: string; search: string };

/**
 * Executes one Dataverse operation synchronously — the same code for a plain HTTP request and for each `$batch`
 * part, so both answer identically. `execute` never throws: refusals become the Dataverse error shape.
 */
export class DataverseService {
  constructor(readonly context: ServiceContext) {}

  execute(operation: RawOperation): OperationResponse {
    try {
      return this.executeOrThrow(operation);
    } catch (error) {
      return errorResponse(error);
    }
  }

  private executeOrThrow(operation: RawOperation): OperationResponse {
    const bound = boundAction(operation.pathname);
    if (bound !== undefined) return this.executeBoundAction(operation, bound);
    const path = parseResourcePath(operation.pathname, PRIMARY_KEYS);
    const input: OperationInput = { ...operation, path, search: new URLSearchParams(operation.search) };
    const { segment, key } = path;
    const method = operation.method.toUpperCase();
    if (segment === 'accounts') {
      if (key === undefined) {
        if (method === 'GET') return listAccounts(this.context, input);
        if (method === 'POST') return createAccount(this.context, input);
      } else {
        if (method === 'GET') return getAccount(this.context, input, key);
        if (method === 'PATCH') return patchAccount(this.context, input, key);
        if (method === 'DELETE') return deleteAccount(this.context, input, key);
      }
      throw errors.methodNotAllowed(method);
    }
    if (Object.hasOwn(REFERENCE_SETS, segment)) {
      if (method !== 'GET') throw errors.methodNotAllowed(method);
      return readReferenceSet(this.context, input, segment, key);
    }
    if (segment === 'EntityDefinitions' && key !== undefined) {
      if (method !== 'GET') throw errors.methodNotAllowed(method);
      return readEntityDefinition(this.context, input, key);
    }
    if (segment === 'WhoAmI' && key === undefined) {
      if (method !== 'GET') throw errors.methodNotAllowed(method);
      return whoAmI(this.context, input);
    }
    throw errors.resourceNotFound(segment);
  }

  private executeBoundAction(operation: RawOperation, bound: { entitySet: string; action: string }): OperationResponse {
    if (bound.entitySet !== 'accounts') throw errors.resourceNotFound(bound.entitySet);
    if (bound.action !== UPDATE_MULTIPLE_ACTION) throw errors.resourceNotFound(bound.action);
    if (operation.method.toUpperCase() !== 'POST') throw errors.methodNotAllowed(operation.method);
    const input: OperationInput = { ...operation, path: { segment: 'accounts', key: undefined, keyText: undefined }, search: new URLSearchParams(operation.search) };
    return updateMultipleAccounts(this.context, input);
  }
}

/** `accounts/Microsoft.Dynamics.CRM.UpdateMultiple`: the entity set and the action bound to it. */
function boundAction(pathname: string): { entitySet: string; action: string } | undefined {
  if (!pathname.startsWith(API_BASE_PATH)) return undefined;
  const match = /^([A-Za-z_]+)\/(Microsoft\.Dynamics\.CRM\.[A-Za-z]+)\/?$/.exec(pathname.slice(API_BASE_PATH.length));
  return match === null ? undefined : { entitySet: match[1] as string, action: match[2] as string };
}

export function errorResponse(error: unknown): OperationResponse {
  const refusal = error instanceof DataverseError ? error : errors.unexpected(error instanceof Error ? error.message : String(error));
  return jsonResponse(refusal.status, refusal.body(), refusal.headers);
}
