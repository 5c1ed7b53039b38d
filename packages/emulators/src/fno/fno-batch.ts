import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchFormatError,
  type BatchOperation,
  type BatchRequestItem,
  type BatchResponseItem,
  type BatchResponsePart,
  decodeBatchRequest,
  encodeBatchResponse,
} from '@p2c-sync/odata-wire';
import { fnoError } from '@p2c-sync/odata-wire';
import { requestTarget } from '../shared/request-target';
import { retryAfterSeconds } from '../shared/retry-after';
import type { CustomerStore } from './customer-store';
import type { FnoRequest, FnoResponse, FnoService } from './fno-service';
import type { FnoThrottle } from './fno-throttle';
import type { AfterFailedChangeSet } from './after-failed-change-set';

export { type AfterFailedChangeSet, afterFailedChangeSetModes } from './after-failed-change-set';

export const maxBatchOperations = 5000;

export interface BatchOutcome {
  status: number;
  headers: Record<string, string>;
  body: string | unknown;
  writes: number;
  operations: number;
  /** Operations answered 429 inside the batch (a batch refused whole is counted as the 429 response it is). */
  throttled: number;
}

class ChangeSetFailure extends Error {
  constructor(readonly part: BatchResponsePart) {
    super('change set failed');
  }
}

export interface BatchContext {
  origin: string;
  service: FnoService;
  store: CustomerStore;
  throttle: FnoThrottle;
  /** Processing time of one operation (the `operationLatencyMs` fault setting); 0 for none. */
  operationLatencyMs: () => number;
  /** Server time of one operation by its method (the `serverTime` option); 0 for none. */
  serverTime?: (method: string) => number;
  afterFailedChangeSet: AfterFailedChangeSet;
  /** The batch request's `Prefer` header. */
  prefer?: string | undefined;
}

/**
 * `POST /data/$batch` (contract §3): up to 5000 operations; a change set is atomic (its writes are undone when
 * one of its operations fails, and it is answered with the failing operation's response alone, as OData v4
 * §11.7.4 says); **the batch answers 200 even when change sets failed** — every part carries its own status.
 * Items run one after another, each after its operations' latency, so the caller's concurrency slot is held for
 * the whole batch.
 */
export async function handleBatch(contentType: string | undefined, bodyText: string, context: BatchContext): Promise<BatchOutcome> {
  let items: ReturnType<typeof decodeBatchRequest>;
  try {
    items = decodeBatchRequest(contentType, bodyText);
  } catch (error) {
    if (error instanceof BatchFormatError) return refusal(`The batch request is not valid: ${error.message}`);
    throw error;
  }
  const operations = items.reduce((total, item) => total + ('changeSet' in item ? item.changeSet.length : 1), 0);
  if (operations > maxBatchOperations) {
    return refusal(`The batch request contains ${operations} operations; at most ${maxBatchOperations} are allowed.`);
  }
  if (context.throttle.limits.batchThrottling === 'request') {
    // The whole request is throttled or not; a batch larger than the whole budget needs the whole budget.
    const units = Math.min(operations, context.throttle.limits.requestBudget);
    if (!context.throttle.spend(units)) {
      const seconds = retryAfterSeconds(context.throttle.retryAfterMs(units));
      return { status: 429, headers: { 'Retry-After': String(seconds) }, body: throttledBody(seconds), writes: 0, operations, throttled: 0 };
    }
  }
  const preferred = (context.prefer ?? '')
    .toLowerCase()
    .split(',')
    .some((item) => /^(odata\.)?continue-on-error(\s*=\s*true)?$/.test(item.trim()));
  const continueOnError =
    context.afterFailedChangeSet === 'continue' || (context.afterFailedChangeSet === 'as-preferred' && preferred);
  let writes = 0;
  let throttled = 0;
  const parts: BatchResponseItem[] = [];
  const run = (item: BatchRequestItem): BatchResponseItem => {
    if (!('changeSet' in item)) {
      const response = context.service.handle(toRequest(item, context.origin), context.origin);
      writes += response.writes;
      return toPart(response, item.contentId);
    }
    try {
      const answered = context.store.transaction(() =>
        item.changeSet.map((operation) => {
          const response = context.service.handle(toRequest(operation, context.origin), context.origin);
          const part = toPart(response, operation.contentId);
          if (response.status >= 400) throw new ChangeSetFailure(part);
          return { part, writes: response.writes };
        }),
      );
      writes += answered.reduce((total, entry) => total + entry.writes, 0);
      return { changeSet: answered.map((entry) => entry.part) };
    } catch (error) {
      if (error instanceof ChangeSetFailure) return error.part;
      throw error;
    }
  };
  for (const item of items) {
    const group = 'changeSet' in item ? item.changeSet : [item];
    let answer: BatchResponseItem;
    if (context.throttle.limits.batchThrottling === 'operation' && !context.throttle.spend(group.length)) {
      throttled += group.length;
      // Not executed: a throttled change set is answered with one part, like a failed one.
      answer = throttledPart(context.throttle.retryAfterMs(group.length), group[0]?.contentId);
    } else {
      // A change set's latency is waited before it runs: its transaction is synchronous, so no other request's
      // write can interleave with it, while the wait still adds up per operation.
      const delay = group.reduce((total, operation) => total + context.operationLatencyMs() + (context.serverTime?.(operation.method) ?? 0), 0);
      if (delay > 0) await sleep(delay);
      answer = run(item);
    }
    parts.push(answer);
    // Stopping: the parts not run are not answered at all (the OData TC's reading of "stop processing").
    if (!continueOnError && failed(answer)) break;
  }
  const encoded = encodeBatchResponse(parts);
  const headers: Record<string, string> = { 'content-type': encoded.contentType, 'OData-Version': '4.0' };
  if (preferred && continueOnError) headers['Preference-Applied'] = 'odata.continue-on-error';
  return { status: 200, headers, body: encoded.body, writes, operations, throttled };
}

function failed(answer: BatchResponseItem): boolean {
  return 'changeSet' in answer ? answer.changeSet.some((part) => part.status >= 400) : answer.status >= 400;
}

function toRequest(operation: BatchOperation, origin: string): FnoRequest {
  let url: string;
  try {
    const resolved = requestTarget(operation.url, `${origin}/data/`, origin);
    url = `${resolved.pathname}${resolved.search}`;
  } catch {
    url = `/data/${operation.url}`;
  }
  return {
    method: operation.method,
    url,
    headers: operation.headers ?? {},
    bodyText: operation.rawBody,
    ...(operation.body !== undefined ? { bodyJson: operation.body } : {}),
  };
}

function toPart(response: FnoResponse, contentId: string | undefined): BatchResponsePart {
  const headers: Record<string, string> = { ...response.headers };
  let body = '';
  if (response.body !== undefined) {
    if (typeof response.body === 'string') body = response.body;
    else {
      body = JSON.stringify(response.body);
      headers['Content-Type'] = 'application/json; odata.metadata=minimal';
    }
  }
  return { status: response.status, headers, body, ...(contentId !== undefined ? { contentId } : {}) };
}

function throttledPart(retryAfterMs: number, contentId: string | undefined): BatchResponsePart {
  const seconds = retryAfterSeconds(retryAfterMs);
  return {
    status: 429,
    headers: { 'Retry-After': String(seconds), 'Content-Type': 'application/json; odata.metadata=minimal' },
    body: JSON.stringify(throttledBody(seconds)),
    ...(contentId !== undefined ? { contentId } : {}),
  };
}

export function throttledBody(seconds: number): unknown {
  return { error: { code: '', message: `The request was throttled because the environment is busy. Retry after ${seconds} seconds.` } };
}

function refusal(detail: string): BatchOutcome {
  return {
    status: 400,
    headers: {},
    body: fnoError('An error has occurred.', detail, 'Microsoft.OData.ODataException'),
    writes: 0,
    operations: 0,
    throttled: 0,
  };
}
