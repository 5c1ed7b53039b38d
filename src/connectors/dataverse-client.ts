import { z } from 'zod';
import { type BatchOperation, type BatchRequestItem, type BatchResponsePart, encodeBatchRequest } from '@p2c-sync/odata-wire';
import { decodeBatchAnswer, isMultipartAnswer } from './batch-answer';
import { type DeltaPage, parseDeltaPage } from './delta-page';
import { classifyHttpFailure, ConnectorError } from './errors';
import type { HttpClient, HttpResponse } from './http-client';
import { type CollectionPage, parseCollectionPage, parseEntity } from './odata-envelope';
import { buildUrl, guidKeySegment, selectOption, serviceRoot } from './odata-url';
import { resolveBatchUrls } from './resolve-batch-urls';
import { type ServiceConnection, resourceOf } from './service-connection';
import { type ServiceRequest, ServiceRequester } from './service-requester';
import { sharedThrottleGate, type ThrottleGate } from './throttle-gate';
import { TokenProvider } from './token-provider';

export type { ServiceConnection } from './service-connection';

export interface DataverseClientOptions {
  connection: ServiceConnection;
  http: HttpClient;
  /** Default: a provider for this connection's resource. */
  tokens?: TokenProvider;
  /** Default: the process-wide gate of this identity at this organisation. */
  gate?: ThrottleGate;
  /** Longest a request waits out throttling before failing as `throttled` (default 2 minutes). */
  maxWaitMs?: number;
  /** Default `api/data/v9.2`. */
  apiPath?: string;
}

export interface DataverseQuery {
  entitySet: string;
  select?: string[];
  filter?: string;
  orderby?: string;
  /** Rows per page (`Prefer: odata.maxpagesize`), at most 5000. */
  pageSize?: number;
}

/** A later page: the service's link exactly as given, with the page size of the first request. */
export interface DataverseNextPage {
  nextLink: string;
  pageSize?: number;
}

/** The first read of change tracking: every row of the set (only `$select` is allowed with it). */
export interface ChangeTrackingStart {
  entitySet: string;
  primaryKey: string;
  select: string[];
  pageSize?: number;
}

/** A later read: a next link or a delta link exactly as the service gave it. */
export interface ChangeTrackingLink {
  link: string;
  primaryKey: string;
  pageSize?: number;
}

/** What a change-tracking read gives: a page, or word that the delta link can no longer be used. */
export type ChangeTrackingRead = ({ expired: false } & DeltaPage) | { expired: true; reason: string };

export interface UpdateOptions {
  /** `W/"<version>"` to update only that version (412 otherwise), or `*` to update only an existing row. */
  ifMatch?: string;
  /** Create-only: 412 when the row exists. */
  ifNoneMatch?: boolean;
}

/**
 * The answer to one request of a `$batch`: its part when it succeeded, otherwise the failure classified as for a
 * request of its own (`kind`, `problem`, `retryAfterMs`, …).
 */
export type DataverseBatchResult = { ok: true; part: BatchResponsePart } | { ok: false; error: ConnectorError };

const MAX_PAGE_SIZE = 5000;
const DEFAULT_MAX_WAIT_MS = 120_000;
const ODATA_HEADERS = { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' } as const;

/** Dataverse Web API v9.2 (contract §2): paged reads, conditional updates and `$batch`. */
export class DataverseClient {
  private readonly root: string;
  private readonly requester: ServiceRequester;
  /** Every request is part of a long bulk job (`asBulkJob`). */
  private readonly bulk: boolean;

  constructor(options: DataverseClientOptions | { bulkJobOf: DataverseClient }) {
    if ('bulkJobOf' in options) {
      this.root = options.bulkJobOf.root;
      this.requester = options.bulkJobOf.requester;
      this.bulk = true;
      return;
    }
    this.bulk = false;
    const { connection, http } = options;
    this.root = serviceRoot(connection.url, options.apiPath ?? 'api/data/v9.2');
    this.requester = new ServiceRequester({
      service: 'dataverse',
      http,
      tokens: options.tokens ?? new TokenProvider({ ...connection, resource: resourceOf(connection), http }),
      gate: options.gate ?? sharedThrottleGate({ service: 'dataverse', clientId: connection.clientId, url: connection.url }),
      maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
    });
  }

  /** The service root requests are resolved against, e.g. `https://org.crm.dynamics.com/api/data/v9.2/`. */
  get serviceRoot(): string {
    return this.root;
  }

  get gate(): ThrottleGate {
    return this.requester.gate;
  }

  /**
   * This client (same connection, gate and pacer) for a long bulk job, the upgrade script: every request it sends,
   * reads included, is `bulk` for the pacer (execution-pacer.ts), which paces the job only while other requests share
   * the window and then leaves them its last share.
   */
  asBulkJob(): DataverseClient {
    return this.bulk ? this : new DataverseClient({ bulkJobOf: this });
  }

  /** Sends through the gate; a bulk job's requests say so to the pacer. */
  private async send(request: ServiceRequest): Promise<HttpResponse> {
    return await this.requester.send(this.bulk ? { ...request, bulk: true } : request);
  }

  /** One page: the first (from a query) or a later one (from the previous page's `nextLink`, used as given). */
  async readPage(request: DataverseQuery | DataverseNextPage): Promise<CollectionPage> {
    const url = 'nextLink' in request ? request.nextLink : this.queryUrl(request);
    const response = await this.send({
      method: 'GET',
      url,
      headers: { ...ODATA_HEADERS, ...pagePreference(request.pageSize) },
      retryTransient: true,
    });
    return parseCollectionPage('dataverse', url, response.body);
  }

  /** Every page of a query, following `nextLink`s until there are none. */
  async *queryAll(query: DataverseQuery): AsyncGenerator<unknown[]> {
    let page = await this.readPage(query);
    for (;;) {
      yield page.rows;
      if (!page.nextLink) return;
      page = await this.readPage({ nextLink: page.nextLink, ...(query.pageSize ? { pageSize: query.pageSize } : {}) });
    }
  }

  /**
   * One page of change tracking. A delta link the service no longer honours (expired version stamp, 410 Gone)
   * is answered `{ expired: true }`: the caller must read everything again.
   */
  async readChanges(request: ChangeTrackingStart | ChangeTrackingLink): Promise<ChangeTrackingRead> {
    const url = 'link' in request ? request.link : buildUrl(this.root, request.entitySet, { $select: selectOption(request.select) });
    const size = request.pageSize === undefined ? undefined : Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(request.pageSize)));
    try {
      const response = await this.send({
        method: 'GET',
        url,
        headers: { ...ODATA_HEADERS, Prefer: size === undefined ? 'odata.track-changes' : `odata.track-changes,odata.maxpagesize=${size}` },
        retryTransient: true,
      });
      return { expired: false, ...parseDeltaPage(url, response.body, request.primaryKey) };
    } catch (error) {
      if (error instanceof ConnectorError && 'link' in request && isExpiredDeltaLink(error)) return { expired: true, reason: error.message };
      throw error;
    }
  }

  /** Whether a table has Track changes on (`EntityDefinitions(LogicalName='…')`, as Microsoft documents). */
  async tracksChanges(logicalName: string): Promise<boolean> {
    const url = buildUrl(this.root, `EntityDefinitions(LogicalName='${logicalName}')`, { $select: 'ChangeTrackingEnabled' });
    const response = await this.send({ method: 'GET', url, headers: ODATA_HEADERS, retryTransient: true });
    const parsed = entityDefinitionSchema.safeParse(parseEntity('dataverse', url, response.body));
    if (!parsed.success) {
      throw new ConnectorError(`Dataverse answered the ${logicalName} table definition without ChangeTrackingEnabled`, { kind: 'configuration', service: 'dataverse' });
    }
    return parsed.data.ChangeTrackingEnabled;
  }

  /** One row by primary key, or undefined when it does not exist. */
  async getByKey(entitySet: string, id: string, select?: string[]): Promise<unknown> {
    const url = buildUrl(this.root, `${entitySet}${guidKeySegment('dataverse', id)}`, { $select: selectOption(select) });
    try {
      const response = await this.send({ method: 'GET', url, headers: ODATA_HEADERS, retryTransient: true });
      return parseEntity('dataverse', url, response.body);
    } catch (error) {
      if (error instanceof ConnectorError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  /**
   * Updates the changed columns of one row. Never retried here after a transient failure: the caller re-reads
   * (with `If-Match` a repeated write is refused with 412 anyway).
   */
  async update(entitySet: string, id: string, changes: Record<string, unknown>, options: UpdateOptions = {}): Promise<void> {
    const url = `${this.root}${entitySet}${guidKeySegment('dataverse', id)}`;
    await this.send({
      method: 'PATCH',
      url,
      headers: {
        ...ODATA_HEADERS,
        'Content-Type': 'application/json',
        ...(options.ifMatch !== undefined ? { 'If-Match': options.ifMatch } : {}),
        ...(options.ifNoneMatch ? { 'If-None-Match': '*' } : {}),
      },
      body: JSON.stringify(changes),
      retryTransient: false,
    });
  }

  /**
   * One `$batch`; returns one result per request in order (change set members inlined), each failed part classified
   * as a request of its own would be. With `continueOnError` every request runs and answers; without it the service
   * stops at the first failure, and the requests after it are answered "not run" (sending them again is safe). A
   * request left without an answer otherwise may have been applied: `ambiguous`. A bulk job's batches go through its
   * client (`asBulkJob`).
   */
  async batch(items: BatchRequestItem[], options: { continueOnError: boolean }): Promise<DataverseBatchResult[]> {
    const url = `${this.root}$batch`;
    const resolved = resolveBatchUrls(items, this.root);
    const { contentType, body } = encodeBatchRequest(resolved);
    const operations = resolved.flatMap((item) => ('changeSet' in item ? item.changeSet : [item]));
    const response = await this.send({
      method: 'POST',
      url,
      headers: {
        ...ODATA_HEADERS,
        'Content-Type': contentType,
        ...(options.continueOnError ? { Prefer: 'odata.continue-on-error' } : {}),
      },
      body,
      retryTransient: false,
      // A batch stopped by a failure answers 400 with the parts run so far: those are results, not an error.
      accept: (answer) => (answer.status >= 200 && answer.status < 300) || (answer.status === 400 && isMultipartAnswer(answer)),
      // Its execution time grows with its operations, and differs between reads and writes.
      cost: { key: `$batch ${[...new Set(operations.map((operation) => operation.method))].sort().join(',')}`, units: operations.length },
    });
    return classifyBatchParts(decodeBatchAnswer('dataverse', response), operations, options.continueOnError);
  }

  private queryUrl(query: DataverseQuery): string {
    return buildUrl(this.root, query.entitySet, {
      $select: selectOption(query.select),
      $filter: query.filter,
      $orderby: query.orderby,
    });
  }
}

function classifyBatchParts(
  parts: readonly BatchResponsePart[],
  operations: readonly BatchOperation[],
  continueOnError: boolean,
): DataverseBatchResult[] {
  const last = parts.at(-1);
  const stopped = !continueOnError && parts.length < operations.length && last !== undefined && !isSuccess(last.status);
  return operations.map((operation, index): DataverseBatchResult => {
    const part = parts[index];
    if (part && isSuccess(part.status)) return { ok: true, part };
    if (part) {
      return { ok: false, error: classifyHttpFailure('dataverse', part.status, part.headers, part.body, operation.method, { url: operation.url }) };
    }
    if (stopped) {
      return {
        ok: false,
        error: new ConnectorError(`Dataverse $batch stopped at request ${parts.length} before running request ${index + 1}`, {
          kind: 'transient',
          service: 'dataverse',
        }),
      };
    }
    return {
      ok: false,
      error: new ConnectorError(`Dataverse $batch answer has no part for request ${index + 1}; it may have been applied`, {
        kind: 'transient',
        service: 'dataverse',
        ambiguous: true,
      }),
    };
  });
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

const entityDefinitionSchema = z.looseObject({ ChangeTrackingEnabled: z.boolean() });

// Dataverse's "Version stamp associated with the client has expired. Please perform a full sync." (0x80044352);
// OData services answer 410 Gone for a delta link they no longer honour.
const EXPIRED_VERSION_STAMP = '0x80044352';
function isExpiredDeltaLink(error: ConnectorError): boolean {
  return error.status === 410 || error.code?.toLowerCase() === EXPIRED_VERSION_STAMP;
}

function pagePreference(pageSize: number | undefined): Record<string, string> {
  if (pageSize === undefined) return {};
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(pageSize)));
  return { Prefer: `odata.maxpagesize=${size}` };
}

