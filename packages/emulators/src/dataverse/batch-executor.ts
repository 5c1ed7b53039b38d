import {
  BatchFormatError,
  type BatchOperation,
  type BatchResponseItem,
  type BatchResponsePart,
  decodeBatchRequest,
  encodeBatchResponse,
} from '@p2c-sync/odata-wire';
import type { AccountStore } from './account-store';
import { type DataverseError, errors } from './dataverse-error';
import type { DataverseService, RawOperation } from './dataverse-service';
import { errorResponse } from './dataverse-service';
import type { OperationResponse } from './odata-response';
import { bodyFromText } from './operation';
import { parsePreferences } from './query-options';
import { API_BASE_PATH } from './resource-path';
import { requestTarget } from '../shared/request-target';

export const MAX_BATCH_OPERATIONS = 1000;

export interface BatchRequest {
  contentType: string | undefined;
  body: string;
  /** Lower-case header names of the `$batch` request itself. */
  headers: Readonly<Record<string, string | undefined>>;
  origin: string;
  user: string;
}

export interface BatchDependencies {
  service: DataverseService;
  store: AccountStore;
  /**
   * Called for every operation run, with its method and the record operations it ran (a bulk message runs one per
   * target): the server time it costs is charged by the caller.
   */
  onOperation?: (method: string, operations: number) => void;
}

export interface BatchResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Operations executed (for counters). */
  operations: number;
}

class ChangeSetFailure extends Error {
  constructor(readonly part: BatchResponsePart) {
    super('change set failed');
  }
}

/**
 * `POST $batch`: operations run in order; a change set runs atomically (rolled back when one of its operations
 * fails, answered by that operation's error alone). Without `Prefer: odata.continue-on-error` the batch stops at
 * the first failure and answers 400 with the parts so far; with it, 200 and every part's own status.
 */
export function executeBatch(request: BatchRequest, dependencies: BatchDependencies): BatchResult {
  let items;
  try {
    items = decodeBatchRequest(request.contentType, request.body);
  } catch (error) {
    if (error instanceof BatchFormatError) return batchRefusal(errors.badBatch(`The batch request is malformed: ${error.message}`));
    throw error;
  }
  const count = items.reduce((total, item) => total + ('changeSet' in item ? item.changeSet.length : 1), 0);
  if (count === 0) return batchRefusal(errors.badBatch('The batch request contains no operations.'));
  if (count > MAX_BATCH_OPERATIONS) {
    return batchRefusal(errors.badBatch(`The number of requests in a batch exceeds the limit of ${MAX_BATCH_OPERATIONS}.`));
  }
  const continueOnError = parsePreferences(request.headers['prefer']).continueOnError;
  const responses: BatchResponseItem[] = [];
  let failed = false;
  let executed = 0;
  const run = (operation: BatchOperation, references: Map<string, string>): BatchResponsePart => {
    executed += 1;
    return toPart(runOperation(operation, references, request, dependencies), operation.contentId);
  };

  for (const item of items) {
    if (!('changeSet' in item)) {
      const part = run(item, new Map());
      responses.push(part);
      if (part.status >= 400 && !continueOnError) {
        failed = true;
        break;
      }
      continue;
    }
    const references = new Map<string, string>();
    try {
      const parts = dependencies.store.atomically(() =>
        item.changeSet.map((operation) => {
          const part = run(operation, references);
          if (part.status >= 400) throw new ChangeSetFailure(part);
          const entityId = part.headers['OData-EntityId'];
          if (operation.contentId !== undefined && entityId !== undefined) references.set(operation.contentId, entityId);
          return part;
        }),
      );
      responses.push({ changeSet: parts });
    } catch (error) {
      if (!(error instanceof ChangeSetFailure)) throw error;
      responses.push(error.part);
      if (!continueOnError) {
        failed = true;
        break;
      }
    }
  }
  const encoded = encodeBatchResponse(responses);
  const headers: Record<string, string> = { 'Content-Type': encoded.contentType, 'OData-Version': '4.0' };
  if (continueOnError) headers['Preference-Applied'] = 'odata.continue-on-error';
  return { status: failed ? 400 : 200, headers, body: encoded.body, operations: executed };
}

function runOperation(
  operation: BatchOperation,
  references: Map<string, string>,
  request: BatchRequest,
  dependencies: BatchDependencies,
): OperationResponse {
  // Service protection admitted the `$batch` as one request (Microsoft: a batch "will avoid the number of requests
  // limit"); what its operations cost is server time, charged to the execution-time limit by the caller.
  const response = runResolved(operation, references, request, dependencies);
  dependencies.onOperation?.(operation.method, response.operations ?? 1);
  return response;
}

function runResolved(
  operation: BatchOperation,
  references: Map<string, string>,
  request: BatchRequest,
  dependencies: BatchDependencies,
): OperationResponse {
  let target: { pathname: string; search: string };
  try {
    target = resolveUrl(operation.url, references, request.origin);
  } catch (error) {
    return errorResponse(error);
  }
  if (target.pathname === `${API_BASE_PATH}$batch`) return errorResponse(errors.badBatch('A batch request cannot contain another batch request.'));
  const headers = operation.headers ?? {};
  const raw: RawOperation = {
    method: operation.method,
    pathname: target.pathname,
    search: target.search,
    headers,
    body:
      operation.rawBody === undefined
        ? { kind: 'none' }
        : operation.body !== undefined
          ? { kind: 'json', value: operation.body }
          : bodyFromText(operation.rawBody),
    origin: request.origin,
    user: request.user,
  };
  return dependencies.service.execute(raw);
}

/** Absolute, service-root-relative, or `$<Content-ID>` (an entity created earlier in the same change set). */
function resolveUrl(url: string, references: Map<string, string>, origin: string): { pathname: string; search: string } {
  const reference = /^\$([^/?]+)(.*)$/.exec(url);
  if (reference !== null && reference[1] !== 'batch' && reference[1] !== 'metadata') {
    const entity = references.get(reference[1] ?? '');
    if (entity === undefined) throw errors.badBatch(`The Content-ID reference '${url}' does not name an earlier operation of the change set.`);
    return new URL(`${entity}${reference[2] ?? ''}`);
  }
  try {
    return requestTarget(url, `${origin}${API_BASE_PATH}`, origin);
  } catch {
    throw errors.badBatch(`The request URL '${url}' is not valid.`);
  }
}

function toPart(response: OperationResponse, contentId: string | undefined): BatchResponsePart {
  const part: BatchResponsePart = {
    status: response.status,
    headers: response.headers,
    body: response.body === undefined ? '' : JSON.stringify(response.body),
  };
  if (contentId !== undefined) part.contentId = contentId;
  return part;
}

function batchRefusal(error: DataverseError): BatchResult {
  const response = errorResponse(error);
  return { status: response.status, headers: response.headers, body: JSON.stringify(response.body), operations: 0 };
}
