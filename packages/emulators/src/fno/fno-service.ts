import { parseCustomerBody } from './customer-body';
import { customerCandidates, isNaturalCustomerOrder, toQueryRow } from './customer-candidates';
import {
  customerColumns,
  customerEntitySet,
  customerEntityType,
  customerFieldByName,
  customerFields,
  customerKeyFields,
  defaultValue,
} from './customer-fields';
import { type CustomerStore, DuplicateKeyError, etagOf, type StoredCustomer } from './customer-store';
import { type CustomerRow, reconcileCountry, respellCodes, validateCustomer } from './customer-validation';
import type { EntitySetDefinition } from './entity-set';
import { fnoEnums } from './fno-enums';
import { badBody, FnoHttpError, methodNotAllowed, notFound } from './fno-http-error';
import { infolog, writeFailedBody } from './infolog';
import { parseKeySegment } from './key-segment';
import { parseQueryOptions, type QueryOptions } from './query-options';
import { projectRow, type QueryResult, type QueryRow, runQuery } from './query-runner';
import { type ReferenceEntitySet, referenceEntitySets } from './reference-entity-sets';
import type { ReferenceIndex } from './reference-data';

/** One request to the OData service, from HTTP or from inside a `$batch`. */
export interface FnoRequest {
  method: string;
  /** Absolute path and query, e.g. `/data/CustomersV2?$top=1`. */
  url: string;
  headers: Readonly<Record<string, string | undefined>>;
  bodyText: string | undefined;
  /** `bodyText` already parsed as JSON (a `$batch` part's decoder parses it), so it is not parsed twice. */
  bodyJson?: unknown;
}

export interface FnoResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON value, or text for `$count`. */
  body?: unknown;
  /** Entity writes this request committed. */
  writes: number;
}

export interface FnoServiceOptions {
  store: CustomerStore;
  reference: ReferenceIndex;
  /** The company reads see without `cross-company=true` (lower case). */
  defaultCompany: string;
  /** Server-driven page size (F&O: 10,000). */
  maxPageSize: number;
  /** Reference entity sets this tenant publishes (default: all); others answer 404 and are absent from `$metadata`. */
  exposedReferenceSets?: ReadonlySet<string>;
  /**
   * How a code written in another case is stored: as written (default), or as the reference table spells it.
   * F&O's relations compare codes case-insensitively; which spelling it keeps is not documented (assumed), so both.
   */
  codeSpelling?: CodeSpelling;
}

export type CodeSpelling = 'as-written' | 'as-in-table';

export const customerSet: EntitySetDefinition = {
  name: customerEntitySet,
  entityType: customerEntityType,
  keys: customerKeyFields,
  columns: customerColumns,
  enumMembers: Object.fromEntries(
    customerFields.filter((field) => field.kind === 'enum').map((field) => [field.name, fnoEnums[field.enumType as keyof typeof fnoEnums]]),
  ),
  companyScoped: true,
};


/**
 * F&O's OData service over the in-memory store (contract §3): entity sets, key addressing, queries with server
 * paging, creates/updates/deletes with F&O's validation and error shapes. Transport-free: the HTTP routes and the
 * `$batch` handler both call `handle`.
 */
export class FnoService {
  private readonly referenceRows = new Map<string, QueryRow[]>();
  private readonly referenceSets: ReadonlyMap<string, ReferenceEntitySet>;

  constructor(private readonly options: FnoServiceOptions) {
    const exposed = options.exposedReferenceSets;
    this.referenceSets = new Map(referenceEntitySets.filter((set) => !exposed || exposed.has(set.name)).map((set) => [set.name, set]));
    for (const set of this.referenceSets.values()) {
      this.referenceRows.set(set.name, set.rows(options.reference.data).map((values) => ({ values })));
    }
  }

  get store(): CustomerStore {
    return this.options.store;
  }

  handle(request: FnoRequest, origin: string): FnoResponse {
    try {
      return this.route(request, origin);
    } catch (error) {
      if (error instanceof FnoHttpError) return { status: error.status, headers: { ...error.headers }, body: error.body, writes: 0 };
      throw error;
    }
  }

  private route(request: FnoRequest, origin: string): FnoResponse {
    const questionMark = request.url.indexOf('?');
    const path = questionMark < 0 ? request.url : request.url.slice(0, questionMark);
    const params = new URLSearchParams(questionMark < 0 ? '' : request.url.slice(questionMark + 1));
    const match = /^\/data\/([^/]+?)(?:\((.*)\))?(\/\$count)?\/?$/.exec(path);
    if (!match?.[1]) throw notFound(`No HTTP resource was found that matches the request URI '${origin}${path}'.`);
    const [, name, keyText, countSegment] = match as unknown as [string, string, string | undefined, string | undefined];
    const method = request.method.toUpperCase();
    const set = name === customerEntitySet ? customerSet : this.referenceSets.get(name);
    if (!set) throw notFound(`No HTTP resource was found that matches the request URI '${origin}${path}'.`);
    if (name.includes('(') || (keyText === undefined && path.includes('('))) throw notFound(`No HTTP resource was found that matches the request URI '${origin}${path}'.`);
    const key = keyText !== undefined ? parseKeySegment(keyText, set.keys) : undefined;
    if (countSegment !== undefined && key !== undefined) throw notFound(`No HTTP resource was found that matches the request URI '${origin}${path}'.`);

    if (set === customerSet) {
      if (key) {
        const company = (key.dataAreaId ?? '').toLowerCase();
        const account = key.CustomerAccount ?? '';
        if (method === 'GET') return this.getCustomer(company, account, params, origin);
        if (method === 'PATCH') return this.updateCustomer(company, account, params, request, origin);
        if (method === 'DELETE') return this.deleteCustomer(company, account, params, request);
        throw methodNotAllowed(method);
      }
      if (method === 'GET') return this.query(set, params, origin, countSegment !== undefined);
      if (method === 'POST' && countSegment === undefined) return this.createCustomer(request, origin);
      throw methodNotAllowed(method);
    }
    if (method !== 'GET') throw methodNotAllowed(method);
    if (key) return this.getReference(set as ReferenceEntitySet, key, params, origin);
    return this.query(set, params, origin, countSegment !== undefined);
  }

  private query(set: EntitySetDefinition, params: URLSearchParams, origin: string, countOnly: boolean): FnoResponse {
    const options = parseQueryOptions(params, set);
    const companies = this.companiesInScope(options.crossCompany);
    let result: QueryResult;
    if (countOnly) {
      result = this.run(set, { ...options, top: 0, skip: 0, count: true }, companies);
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: String(result.count ?? 0), writes: 0 };
    }
    result = this.run(set, options, companies);
    const selectSuffix = options.select ? `(${options.select.join(',')})` : '';
    const body: Record<string, unknown> = { '@odata.context': `${origin}/data/$metadata#${set.name}${selectSuffix}` };
    if (result.count !== undefined) body['@odata.count'] = result.count;
    body.value = result.rows.map((row) => projectRow(row, options.select));
    if (result.nextSkip !== undefined) body['@odata.nextLink'] = nextLink(origin, set.name, params, result);
    return json(200, body);
  }

  private run(set: EntitySetDefinition, options: QueryOptions, companies: string[]): QueryResult {
    const pageSize = this.options.maxPageSize;
    if (set === customerSet) {
      const candidates = customerCandidates(this.store, options.filter, companies);
      return runQuery(candidates, options, set, pageSize, isNaturalCustomerOrder(options.orderBy, companies.length <= 1));
    }
    const rows = this.referenceRows.get(set.name) ?? [];
    const inScope = set.companyScoped ? rows.filter((row) => companies.includes(String(row.values.dataAreaId))) : rows;
    const ordered = options.orderBy.length === 0 ? { ...options, orderBy: set.keys.map((column) => ({ column, direction: 'asc' as const })) } : options;
    return runQuery(inScope, ordered, set, pageSize, false);
  }

  private companiesInScope(crossCompany: boolean): string[] {
    return crossCompany ? [...this.options.reference.companies].sort() : [this.options.defaultCompany];
  }

  private getCustomer(company: string, account: string, params: URLSearchParams, origin: string): FnoResponse {
    const options = parseQueryOptions(params, customerSet);
    const visible = options.crossCompany || company === this.options.defaultCompany;
    const stored = visible ? this.store.get(company, account) : undefined;
    if (!stored) throw notFound(`Resource not found for the segment '${customerEntitySet}'.`);
    return json(200, this.entityBody(stored, origin, options.select), { ETag: etagOf(stored) });
  }

  private getReference(set: ReferenceEntitySet, key: Record<string, string>, params: URLSearchParams, origin: string): FnoResponse {
    const options = parseQueryOptions(params, set);
    const companies = this.companiesInScope(options.crossCompany);
    const row = (this.referenceRows.get(set.name) ?? []).find(
      (candidate) =>
        set.keys.every((name) => String(candidate.values[name]).toLowerCase() === (key[name] ?? '').toLowerCase()) &&
        (!set.companyScoped || companies.includes(String(candidate.values.dataAreaId))),
    );
    if (!row) throw notFound(`Resource not found for the segment '${set.name}'.`);
    return json(200, { '@odata.context': `${origin}/data/$metadata#${set.name}/$entity`, ...projectRow(row, options.select) });
  }

  private createCustomer(request: FnoRequest, origin: string): FnoResponse {
    const body = parseCustomerBody(request.bodyText, request.bodyJson);
    const changed = new Set(Object.keys(body));
    const row: CustomerRow = {};
    for (const field of customerFields) row[field.name] = body[field.name] ?? defaultValue(field);
    row.dataAreaId = String(body.dataAreaId || this.options.defaultCompany).toLowerCase();
    changed.add('dataAreaId');
    const problems = [...reconcileCountry(row, changed, this.options.reference), ...validateCustomer(row, changed, this.options.reference)];
    if (problems.length > 0) throw writeFailed(problems);
    if (this.options.codeSpelling === 'as-in-table') respellCodes(row, changed, this.options.reference);
    let stored: StoredCustomer;
    try {
      stored = this.store.insert(row);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw writeFailed([infolog.duplicate(String(row.CustomerAccount))]);
      throw error;
    }
    const location = `${origin}/data/${customerEntitySet}${keySegment(stored)}`;
    const headers = { Location: location, ETag: etagOf(stored), 'OData-EntityId': location };
    if (prefers(request, 'return=minimal')) {
      return { status: 204, headers: { ...headers, 'Preference-Applied': 'return=minimal' }, writes: 1 };
    }
    return { ...json(201, this.entityBody(stored, origin), headers), writes: 1 };
  }

  /**
   * A write by key reaches only the caller's default company unless the URL says `cross-company=true`; any other
   * company's record is "not found" (the 404 F&O gives for a missing key), inside `$batch` too.
   */
  private writableByKey(company: string, account: string, params: URLSearchParams): StoredCustomer | undefined {
    const crossCompany = (params.get('cross-company') ?? '').toLowerCase() === 'true';
    if (!crossCompany && company !== this.options.defaultCompany) return undefined;
    return this.store.get(company, account);
  }

  private updateCustomer(company: string, account: string, params: URLSearchParams, request: FnoRequest, origin: string): FnoResponse {
    const stored = this.writableByKey(company, account, params);
    if (!stored) throw notFound(`Resource not found for the segment '${customerEntitySet}'.`);
    checkIfMatch(request, stored);
    const body = parseCustomerBody(request.bodyText, request.bodyJson);
    for (const keyField of customerKeyFields) {
      const given = body[keyField];
      if (given !== undefined && String(given).toLowerCase() !== String(stored.row[keyField]).toLowerCase()) {
        throw badBody(`The key property '${keyField}' cannot be changed: the request URI names '${String(stored.row[keyField])}', the body '${String(given)}'.`);
      }
      delete body[keyField];
    }
    const changed = new Set(Object.keys(body).filter((name) => !customerFieldByName.get(name)?.readOnly));
    const merged: CustomerRow = { ...stored.row };
    for (const name of changed) merged[name] = body[name] as string | number;
    const problems = [...reconcileCountry(merged, changed, this.options.reference), ...validateCustomer(merged, changed, this.options.reference)];
    if (problems.length > 0) throw writeFailed(problems);
    if (this.options.codeSpelling === 'as-in-table') respellCodes(merged, changed, this.options.reference);
    const changes: CustomerRow = {};
    for (const name of changed) changes[name] = merged[name] as string | number;
    const updated = this.store.update(company, account, changes) as StoredCustomer;
    if (prefers(request, 'return=representation')) {
      return { ...json(200, this.entityBody(updated, origin), { ETag: etagOf(updated), 'Preference-Applied': 'return=representation' }), writes: 1 };
    }
    return { status: 204, headers: { ETag: etagOf(updated) }, writes: 1 };
  }

  private deleteCustomer(company: string, account: string, params: URLSearchParams, request: FnoRequest): FnoResponse {
    const stored = this.writableByKey(company, account, params);
    if (!stored) throw notFound(`Resource not found for the segment '${customerEntitySet}'.`);
    checkIfMatch(request, stored);
    this.store.delete(company, account);
    return { status: 204, headers: {}, writes: 1 };
  }

  private entityBody(stored: StoredCustomer, origin: string, select?: readonly string[]): Record<string, unknown> {
    return { '@odata.context': `${origin}/data/$metadata#${customerEntitySet}/$entity`, ...projectRow(toQueryRow(stored), select) };
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): FnoResponse {
  return { status, headers: { 'OData-Version': '4.0', ...headers }, body, writes: 0 };
}

function writeFailed(lines: Parameters<typeof writeFailedBody>[0]): FnoHttpError {
  return new FnoHttpError(500, writeFailedBody(lines));
}

function prefers(request: FnoRequest, preference: string): boolean {
  return (request.headers.prefer ?? '').toLowerCase().split(',').some((item) => item.trim() === preference);
}

function checkIfMatch(request: FnoRequest, stored: StoredCustomer): void {
  const ifMatch = request.headers['if-match'];
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const current = etagOf(stored);
  if (!ifMatch.split(',').some((tag) => tag.trim() === current)) {
    throw new FnoHttpError(412, {
      error: { code: '', message: 'The ETag value in the request header does not match the current ETag value of the object.' },
    });
  }
}

/** `(dataAreaId='usmf',CustomerAccount='O''X')` percent-encoded like clients send it. */
export function keySegment(stored: StoredCustomer): string {
  const literal = (value: unknown) => encodeURIComponent(`'${String(value).replaceAll("'", "''")}'`);
  return `(dataAreaId=${literal(stored.row.dataAreaId)},CustomerAccount=${literal(stored.row.CustomerAccount)})`;
}

/** The same query with `$skip` (and `$top`) moved on — what ASP.NET OData, and so F&O, puts in `@odata.nextLink`. */
function nextLink(origin: string, setName: string, params: URLSearchParams, result: QueryResult): string {
  const next = new URLSearchParams();
  for (const [name, value] of params) if (name !== '$skip' && name !== '$top') next.append(name, value);
  if (result.nextTop !== undefined) next.set('$top', String(result.nextTop));
  next.set('$skip', String(result.nextSkip));
  return `${origin}/data/${setName}?${next.toString().replace(/\+/g, '%20')}`;
}
