import type { BatchOperation, BatchRequestItem, BatchResponsePart } from '@p2c-sync/odata-wire';
import { encodeBatchRequest } from '@p2c-sync/odata-wire';
import { quoteLiteral } from '@p2c-sync/odata-wire';
import { decodeBatchAnswer } from './batch-answer';
import { ConnectorError, classifyHttpFailure } from './errors';
import type { HttpClient } from './http-client';
import { parseCollectionPage, parseEntity } from './odata-envelope';
import { keySlices } from './key-slices';
import { buildUrl, namedKeySegment, selectOption, serviceRoot } from './odata-url';
import { type ServiceConnection, resourceOf } from './service-connection';
import { ServiceRequester } from './service-requester';
import { sharedThrottleGate, type ThrottleGate } from './throttle-gate';
import { TokenProvider } from './token-provider';

/** Headers of a create inside a `$batch`. */
const CREATE_HEADERS: Readonly<Record<string, string>> = { Prefer: 'return=minimal' };

export interface FnoClientOptions {
  connection: ServiceConnection;
  http: HttpClient;
  /** Default: a provider for this connection's resource. */
  tokens?: TokenProvider;
  /** Default: the process-wide gate of this identity at this environment. */
  gate?: ThrottleGate;
  /** Longest a request waits out throttling before failing as `throttled` (default 2 minutes). */
  maxWaitMs?: number;
  /** Operations per `$batch` request; larger write lists are split (default 200, F&O accepts up to 5000). */
  maxBatchOperations?: number;
  /** Default `data`. */
  apiPath?: string;
}

export interface EntitySetQuery {
  /** Restricts to one company, across companies (`cross-company=true`); absent: the identity's default company. */
  dataAreaId?: string;
  select?: string[];
  filter?: string;
  top?: number;
  orderby?: string;
}

export interface CustomerQuery extends EntitySetQuery {
  dataAreaId: string;
}

export type CustomerWrite =
  | { kind: 'create'; row: Record<string, unknown> }
  | { kind: 'update'; dataAreaId: string; customerAccount: string; changes: Record<string, unknown> };

export type CustomerWriteResult = { ok: true; status: number } | { ok: false; error: ConnectorError };

export const CUSTOMERS_ENTITY_SET = 'CustomersV2';

const DEFAULT_MAX_WAIT_MS = 120_000;
const DEFAULT_MAX_BATCH_OPERATIONS = 200;
// `Retry-After: 0` on throttled parts must not turn into a tight resend loop.
const MIN_THROTTLE_WAIT_MS = 100;
const ODATA_HEADERS = { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' } as const;

/** F&O OData (contract §3): `CustomersV2` reads by company, writes through `$batch`, reference data. */
export class FnoClient {
  private readonly root: string;
  private readonly requester: ServiceRequester;
  private readonly maxWaitMs: number;
  private readonly maxBatchOperations: number;

  constructor(options: FnoClientOptions) {
    const { connection, http } = options;
    this.root = serviceRoot(connection.url, options.apiPath ?? 'data');
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.maxBatchOperations = Math.max(1, options.maxBatchOperations ?? DEFAULT_MAX_BATCH_OPERATIONS);
    this.requester = new ServiceRequester({
      service: 'fno',
      http,
      tokens: options.tokens ?? new TokenProvider({ ...connection, resource: resourceOf(connection), http }),
      gate: options.gate ?? sharedThrottleGate({ service: 'fno', clientId: connection.clientId, url: connection.url }),
      maxWaitMs: this.maxWaitMs,
    });
  }

  /** The service root, e.g. `https://env.operations.dynamics.com/data/`. */
  get serviceRoot(): string {
    return this.root;
  }

  get gate(): ThrottleGate {
    return this.requester.gate;
  }

  /** The customers of one company matching the query, page by page. */
  queryCustomers(query: CustomerQuery): AsyncGenerator<unknown[]> {
    return this.queryEntitySet(CUSTOMERS_ENTITY_SET, query);
  }

  /** One customer by its key, or undefined when it does not exist. */
  async getCustomer(dataAreaId: string, customerAccount: string, select?: string[]): Promise<unknown> {
    const url = buildUrl(this.root, customerPath(dataAreaId, customerAccount), {
      // Without it a key in another company than the identity's default one is not found.
      'cross-company': 'true',
      $select: selectOption(select),
    });
    try {
      const response = await this.requester.send({ method: 'GET', url, headers: ODATA_HEADERS, retryTransient: true });
      return parseEntity('fno', url, response.body);
    } catch (error) {
      if (error instanceof ConnectorError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  /** Any entity set (reference data), page by page, following `nextLink`s. */
  async *queryEntitySet(entitySet: string, query: EntitySetQuery = {}): AsyncGenerator<unknown[]> {
    const filters = [
      ...(query.dataAreaId !== undefined ? [`dataAreaId eq ${quoteLiteral(query.dataAreaId)}`] : []),
      ...(query.filter ? [query.filter] : []),
    ];
    let url: string | undefined = buildUrl(this.root, entitySet, {
      ...(query.dataAreaId !== undefined ? { 'cross-company': 'true' } : {}),
      $filter: filters.length > 1 ? filters.map((f) => `(${f})`).join(' and ') : filters[0],
      $select: selectOption(query.select),
      $orderby: query.orderby,
      $top: query.top,
    });
    while (url !== undefined) {
      const response = await this.requester.send({ method: 'GET', url, headers: ODATA_HEADERS, retryTransient: true });
      const page = parseCollectionPage('fno', url, response.body);
      yield page.rows;
      url = page.nextLink;
    }
  }

  /**
   * Writes customers through `$batch`, each operation in its own change set so one refused record does not undo
   * the others, and returns one result per operation in order. F&O answers 200 even when change sets failed, so
   * every part is read. Operations the service throttled (not processed) are sent again after the wait. A failure
   * without an answer throws with `ambiguous: true`: some operations may have been applied, re-read before retrying.
   */
  async writeCustomers(ops: CustomerWrite[]): Promise<CustomerWriteResult[]> {
    const results: CustomerWriteResult[] = [];
    for (const chunk of this.batchChunks(ops)) results.push(...(await this.writeChunk(chunk)));
    return results;
  }

  /**
   * A list of writes cut into `$batch` requests of at most `maxBatchOperations` operations, in order: the one place
   * writes are cut, for callers that send a list's requests side by side (each chunk one `writeCustomers` call).
   */
  batchChunks<T>(items: readonly T[]): T[][] {
    return keySlices(items, this.maxBatchOperations);
  }

  private async writeChunk(ops: CustomerWrite[]): Promise<CustomerWriteResult[]> {
    const operations = ops.map((op) => this.toOperation(op));
    const results: (CustomerWriteResult | undefined)[] = ops.map(() => undefined);
    const deadline = Date.now() + this.maxWaitMs;
    let pending = operations.map((_, index) => index);
    while (pending.length > 0) {
      const parts = matchBatchParts(
        await this.sendBatch(pending.map((index) => operations[index] as BatchOperation)),
        pending.length,
      );
      // F&O may stop at the first failed change set (OData's rule without continue-on-error): the answer then ends
      // after the failed part, and the operations after it were never run. They are sent again, neither written
      // nor failed. Each such round answers at least the failed operation, so this ends.
      const firstUnrun = firstUnrunAfterStop(parts);
      const unrun: number[] = [];
      const throttled: number[] = [];
      let longestWait = 0;
      pending.forEach((index, position) => {
        if (firstUnrun !== undefined && position >= firstUnrun) {
          unrun.push(index);
          return;
        }
        const operation = operations[index] as BatchOperation;
        const result = readPart(operation, parts[position]);
        if (!result.ok && result.error.kind === 'throttled' && result.error.retryAfterMs !== undefined) {
          throttled.push(index);
          longestWait = Math.max(longestWait, MIN_THROTTLE_WAIT_MS, result.error.retryAfterMs);
        }
        results[index] = result;
      });
      const resendThrottled = throttled.length > 0 && Date.now() + longestWait <= deadline;
      // Throttled operations were not processed; the gate makes the resend (and everyone else) wait.
      if (resendThrottled) this.requester.gate.blockFor(longestWait);
      pending = [...(resendThrottled ? throttled : []), ...unrun].sort((a, b) => a - b);
    }
    return results.map((result) => result ?? notAnswered());
  }

  private toOperation(op: CustomerWrite): BatchOperation {
    // The created entity is not read (a 2xx is all a create's answer says here): `return=minimal` spares F&O and
    // the worker rendering, sending and parsing every field of every new customer (OData v4.0 §8.2.8.7: 204, no body).
    if (op.kind === 'create') return { method: 'POST', url: `${this.root}${CUSTOMERS_ENTITY_SET}`, headers: CREATE_HEADERS, body: op.row };
    // Without `cross-company=true` F&O answers "not found" to a write by key outside the identity's default company.
    return { method: 'PATCH', url: buildUrl(this.root, customerPath(op.dataAreaId, op.customerAccount), { 'cross-company': 'true' }), body: op.changes };
  }

  private async sendBatch(operations: BatchOperation[]): Promise<BatchResponsePart[]> {
    const items: BatchRequestItem[] = operations.map((operation, position) => ({
      changeSet: [{ ...operation, contentId: String(position + 1) }],
    }));
    const { contentType, body } = encodeBatchRequest(items);
    const response = await this.requester.send({
      method: 'POST',
      url: `${this.root}$batch`,
      // Whether F&O honours it is not documented: `writeChunk` also copes with a batch that stopped early.
      headers: { ...ODATA_HEADERS, 'Content-Type': contentType, Prefer: 'odata.continue-on-error' },
      body,
      retryTransient: false,
    });
    return decodeBatchAnswer('fno', response);
  }
}

/** `CustomersV2(dataAreaId='usmf',CustomerAccount='O''X')`, percent-encoded for a URL path. */
export function customerPath(dataAreaId: string, customerAccount: string): string {
  return `${CUSTOMERS_ENTITY_SET}${namedKeySegment({ dataAreaId, CustomerAccount: customerAccount })}`;
}

/**
 * The answer to each operation. Answers in request order (each Content-ID, where echoed, naming its own position)
 * belong to the operations by position, also when the answer is shorter than the request and ends with a failed
 * part (a batch that stopped there).
 * Otherwise by Content-ID, and the remaining answers to the remaining operations in order when there is exactly
 * one answer per operation (a failed change set's answer can lack the Content-ID). Anything else leaves an
 * operation without a known answer.
 */
export function matchBatchParts(parts: readonly BatchResponsePart[], operationCount: number): (BatchResponsePart | undefined)[] {
  const matched: (BatchResponsePart | undefined)[] = Array.from({ length: operationCount }, () => undefined);
  const inOrder = parts.every((part, index) => part.contentId === undefined || part.contentId === String(index + 1));
  const last = parts.at(-1);
  // A short answer is read by position only in the one shape a stopped batch has: it ends with the failed part.
  const stopped = parts.length < operationCount && last !== undefined && (last.status < 200 || last.status >= 300);
  if (inOrder && (parts.length === operationCount || stopped)) {
    parts.forEach((part, index) => {
      matched[index] = part;
    });
    return matched;
  }
  const unmatched: BatchResponsePart[] = [];
  for (const part of parts) {
    const position = Number(part.contentId) - 1;
    if (Number.isInteger(position) && position >= 0 && position < operationCount && !matched[position]) matched[position] = part;
    else unmatched.push(part);
  }
  if (parts.length === operationCount) {
    for (let position = 0; position < operationCount && unmatched.length > 0; position += 1) {
      if (!matched[position]) matched[position] = unmatched.shift();
    }
  }
  return matched;
}

/**
 * Where a batch that stopped at a failed change set left off: the answers cover a prefix of the operations and
 * the last of them failed, so the ones after it were not run. Undefined when every operation was answered or the
 * gaps have any other shape (those stay unknown: maybe applied).
 */
export function firstUnrunAfterStop(parts: readonly (BatchResponsePart | undefined)[]): number | undefined {
  const answered = parts.findIndex((part) => part === undefined);
  if (answered <= 0) return undefined;
  if (parts.slice(answered).some((part) => part !== undefined)) return undefined;
  const last = parts[answered - 1] as BatchResponsePart;
  return last.status >= 200 && last.status < 300 ? undefined : answered;
}

function readPart(operation: BatchOperation, part: BatchResponsePart | undefined): CustomerWriteResult {
  if (!part) return notAnswered();
  if (part.status >= 200 && part.status < 300) return { ok: true, status: part.status };
  return { ok: false, error: classifyHttpFailure('fno', part.status, part.headers, part.body, operation.method, { url: operation.url }) };
}

function notAnswered(): CustomerWriteResult {
  return {
    ok: false,
    error: new ConnectorError('F&O $batch answer has no part for this operation; it may have been applied', {
      kind: 'transient',
      service: 'fno',
      ambiguous: true,
    }),
  };
}
