import { deleteAccount, createAccount, patchAccount } from './account-writes';
import { getAccount, listAccounts } from './account-reads';
import { DataverseError, errors } from './dataverse-error';
import { jsonResponse, type OperationResponse } from './odata-response';
import type { OperationInput, ServiceContext } from './operation';
import { readEntityDefinition, readReferenceSet, REFERENCE_SETS, whoAmI } from './reference-reads';
import { parseResourcePath } from './resource-path';

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
}

export function errorResponse(error: unknown): OperationResponse {
  const refusal = error instanceof DataverseError ? error : errors.unexpected(error instanceof Error ? error.message : String(error));
  return jsonResponse(refusal.status, refusal.body(), refusal.headers);
}
