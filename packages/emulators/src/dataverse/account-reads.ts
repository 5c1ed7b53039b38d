import { ACCOUNT_COLUMN_NAMES, ACCOUNT_FILTER_COLUMNS } from './account-columns';
import { normalizeOrder, readPage } from './account-query';
import type { AccountRow } from './account-row';
import { orderSignature } from './account-store';
import { errors } from './dataverse-error';
import { collectionLink, contextUrl, emptyResponse, jsonResponse, type OperationResponse, weakEtag } from './odata-response';
import type { OperationInput, ServiceContext } from './operation';
import { decodeDeltaToken, decodeSkipToken, encodeDeltaToken, encodeSkipToken, type SkipToken } from './paging-tokens';
import { parsePreferences, parseQueryOptions, type Preferences, type QueryOptions } from './query-options';

const MAX_PAGE_SIZE = 5000;
/** Dataverse counts matching rows only up to this many. */
const COUNT_LIMIT = 5000;

/** The ETag, the selected columns in the order given, then the primary key (always returned) unless selected. */
export function renderAccount(row: AccountRow, select: readonly string[] | undefined): Record<string, unknown> {
  const plan = renderPlan(select);
  // A copy of the plan's template has its keys in their order already and stays a fast object, which
  // JSON.stringify serialises several times faster than one grown key by key (a page renders thousands).
  const entity: Record<string, unknown> = { ...plan.template };
  entity['@odata.etag'] = weakEtag(row.versionnumber);
  const columns = plan.columns;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as keyof AccountRow;
    entity[column] = row[column];
  }
  return entity;
}

interface RenderPlan {
  /** The columns rendered, `accountid` included. */
  columns: readonly string[];
  /** Every key of a rendered account, in order. */
  template: Readonly<Record<string, unknown>>;
}

/** Plans by `$select` (the few a client uses); emptied when full, so a client varying `$select` cannot grow it. */
const renderPlans = new Map<string, RenderPlan>();
const MAX_RENDER_PLANS = 64;
let lastPlan: { select: readonly string[] | undefined; plan: RenderPlan } | undefined;

function renderPlan(select: readonly string[] | undefined): RenderPlan {
  if (lastPlan !== undefined && lastPlan.select === select) return lastPlan.plan; // the rows of one page share their select
  const key = select === undefined ? '*' : select.join(',');
  let plan = renderPlans.get(key);
  if (plan === undefined) {
    const columns = [...(select ?? ACCOUNT_COLUMN_NAMES)];
    if (!columns.includes('accountid')) columns.push('accountid');
    const keys: Record<string, null> = { '@odata.etag': null };
    for (const column of columns) keys[column] = null;
    // Parsed from JSON: an object with its own fast layout, which spreading copies as it is.
    plan = { columns, template: JSON.parse(JSON.stringify(keys)) as Record<string, unknown> };
    if (renderPlans.size >= MAX_RENDER_PLANS) renderPlans.clear();
    renderPlans.set(key, plan);
  }
  lastPlan = { select, plan };
  return plan;
}

export function getAccount(context: ServiceContext, input: OperationInput, id: string): OperationResponse {
  const options = parseQueryOptions(input.search, ACCOUNT_FILTER_COLUMNS, 'account');
  if (options.filter !== undefined || options.orderBy.length > 0 || options.top !== undefined || options.skipToken !== undefined) {
    throw errors.querySyntax('Query options $filter, $orderby, $top and $skiptoken are not allowed when addressing a single record.');
  }
  if (options.expand !== undefined) throw errors.querySyntax('$expand is not supported by this service.');
  const row = context.store.get(id);
  if (row === undefined) throw errors.doesNotExist('account', id);
  const etag = weakEtag(row.versionnumber);
  if (input.headers['if-none-match'] === etag) return emptyResponse(304, { ETag: etag });
  return jsonResponse(200, { '@odata.context': contextUrl(input.origin, 'accounts', options.select, '/$entity'), ...renderAccount(row, options.select) }, { ETag: etag });
}

/** `GET accounts`: a keyset page, the initial read of change tracking, or the changes since a delta token. */
export function listAccounts(context: ServiceContext, input: OperationInput): OperationResponse {
  const options = parseQueryOptions(input.search, ACCOUNT_FILTER_COLUMNS, 'account');
  const preferences = parsePreferences(input.headers['prefer']);
  if (options.deltaToken !== undefined) return readChanges(context, input, options, preferences, options.deltaToken);
  const decodedToken = options.skipToken === undefined ? undefined : decodeSkipToken(options.skipToken);
  if (options.skipToken !== undefined && decodedToken?.kind !== 'rows') throw errors.querySyntax('The $skiptoken is not valid.');
  const token = decodedToken?.kind === 'rows' ? decodedToken : undefined;
  // A table without "Track changes" ignores the preference: no delta link (assumed: Microsoft documents the
  // setting as a prerequisite, not the answer without it).
  const tracking = (preferences.trackChanges && context.changeTrackingEnabled) || token?.trackedVersion !== undefined;
  if (tracking) {
    if (options.filter !== undefined || options.orderBy.length > 0 || options.expand !== undefined || options.top !== undefined) {
      throw errors.querySyntax('Change tracking does not support $filter, $orderby, $expand or $top; use $select only.');
    }
  } else if (options.expand !== undefined) {
    throw errors.querySyntax('$expand is not supported by this service.');
  }

  const order = normalizeOrder(options.orderBy);
  const signature = orderSignature(order);
  if (token !== undefined && (token.order !== signature || token.key.length !== order.length)) {
    throw errors.querySyntax('The $skiptoken does not belong to this query.');
  }
  const pageSize = Math.min(preferences.maxPageSize ?? (options.top === undefined ? MAX_PAGE_SIZE : Math.max(options.top, 1)), MAX_PAGE_SIZE);
  // $top is ignored when the client set a page size; otherwise it caps the whole result across pages.
  const remaining = preferences.maxPageSize === undefined ? (token !== undefined ? token.remaining : options.top) : undefined;
  const limit = remaining === undefined ? pageSize : Math.min(pageSize, remaining);
  const after = token !== undefined ? Object.fromEntries(order.map((key, i) => [key.column, token.key[i] ?? null])) : undefined;
  const trackedVersion = tracking ? token?.trackedVersion ?? context.store.maxVersion : undefined;

  const page = limit === 0 ? { rows: [], more: false } : readPage(context.store, { filter: options.filter, order, after, limit });
  const body: Record<string, unknown> = { '@odata.context': contextUrl(input.origin, 'accounts', options.select) };
  if (options.count) {
    const counted = readPage(context.store, { filter: options.filter, order, after: undefined, limit: COUNT_LIMIT });
    body['@odata.count'] = counted.rows.length;
    if (counted.more) body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = true;
  }
  body['value'] = page.rows.map((row) => renderAccount(row, options.select));
  const left = remaining === undefined ? undefined : remaining - page.rows.length;
  const last = page.rows[page.rows.length - 1];
  if (page.more && last !== undefined && (left === undefined || left > 0)) {
    const next: SkipToken = {
      kind: 'rows',
      order: signature,
      key: order.map((key) => last[key.column as keyof AccountRow]),
      ...(left === undefined ? {} : { remaining: left }),
      ...(trackedVersion === undefined ? {} : { trackedVersion }),
    };
    body['@odata.nextLink'] = collectionLink(input.origin, 'accounts', [...options.carried, ['$skiptoken', encodeSkipToken(next)]]);
  } else if (trackedVersion !== undefined) {
    body['@odata.deltaLink'] = collectionLink(input.origin, 'accounts', [
      ...options.carried,
      ['$deltatoken', encodeDeltaToken(trackedVersion, context.now())],
    ]);
  }
  return jsonResponse(200, body, preferenceApplied(preferences, tracking));
}

/** Following a delta link: rows created or changed after the token's version in full, deletions as tombstones. */
function readChanges(context: ServiceContext, input: OperationInput, options: QueryOptions, preferences: Preferences, deltaToken: string): OperationResponse {
  if (options.filter !== undefined || options.orderBy.length > 0 || options.expand !== undefined || options.top !== undefined) {
    throw errors.querySyntax('Change tracking does not support $filter, $orderby, $expand or $top; use $select only.');
  }
  const decoded = decodeDeltaToken(deltaToken);
  const store = context.store;
  if (decoded === undefined || decoded.version > store.maxVersion) throw errors.querySyntax('The $deltatoken is not valid.');
  if (context.now().getTime() - decoded.issuedAtMs > context.deltaTokenTtlMs) throw errors.expiredDeltaToken();
  const token = options.skipToken === undefined ? undefined : decodeSkipToken(options.skipToken);
  if (options.skipToken !== undefined && (token?.kind !== 'delta' || token.from !== decoded.version)) {
    throw errors.querySyntax('The $skiptoken is not valid.');
  }
  const to = token?.kind === 'delta' ? token.to : store.maxVersion;
  const cursor = token?.kind === 'delta' ? token.cursor : decoded.version;
  const pageSize = Math.min(preferences.maxPageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);

  const deletedContext = `${contextUrl(input.origin, 'accounts', undefined)}/$deletedEntity`;
  const value: unknown[] = [];
  let lastCommit = cursor;
  let more = false;
  // In commit order, as SQL change tracking reports: a slow transaction's change comes when it commits, whatever
  // its row version.
  for (const change of store.changeLog.committedBetween(cursor, to)) {
    const row = store.get(change.id);
    let item: unknown;
    if (change.deletion) {
      if (row === undefined || row.versionnumber < change.version) item = { '@odata.context': deletedContext, id: change.id, reason: 'deleted' };
    } else if (row !== undefined && row.versionnumber === change.version) {
      item = renderAccount(row, options.select);
    }
    if (item === undefined) continue;
    if (value.length === pageSize) {
      more = true;
      break;
    }
    value.push(item);
    lastCommit = change.commit;
  }
  const body: Record<string, unknown> = { '@odata.context': contextUrl(input.origin, 'accounts', options.select, '/$delta'), value };
  if (more) {
    const next = encodeSkipToken({ kind: 'delta', from: decoded.version, to, cursor: lastCommit });
    body['@odata.nextLink'] = collectionLink(input.origin, 'accounts', [...options.carried, ['$deltatoken', deltaToken], ['$skiptoken', next]]);
  } else {
    body['@odata.deltaLink'] = collectionLink(input.origin, 'accounts', [...options.carried, ['$deltatoken', encodeDeltaToken(to, context.now())]]);
  }
  return jsonResponse(200, body, preferenceApplied(preferences, true));
}

function preferenceApplied(preferences: Preferences, tracking: boolean): Record<string, string> {
  const applied: string[] = [];
  if (preferences.maxPageSize !== undefined) applied.push(`odata.maxpagesize=${Math.min(preferences.maxPageSize, MAX_PAGE_SIZE)}`);
  if (tracking && preferences.trackChanges) applied.push('odata.track-changes');
  return applied.length === 0 ? {} : { 'Preference-Applied': applied.join(',') };
}
