import { API_BASE_PATH } from './resource-path';

/** What the executor answers for one operation — an HTTP response or a `$batch` part alike. */
export interface OperationResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON body, serialised by the caller. */
  body?: unknown;
  /**
   * Record operations the answer ran, each costing one operation's server time (a bulk message runs one per
   * target); 1 when absent. Never sent.
   */
  operations?: number;
}

/** As the service sends it (with the charset, which also keeps fastify from rewriting the header). */
export const JSON_CONTENT_TYPE = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): OperationResponse {
  return { status, headers: { 'Content-Type': JSON_CONTENT_TYPE, 'OData-Version': '4.0', ...headers }, body };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): OperationResponse {
  return { status, headers: { 'OData-Version': '4.0', ...headers } };
}

export function serviceRoot(origin: string): string {
  return `${origin}${API_BASE_PATH}`;
}

/** `…/$metadata#accounts(name,accountnumber)` — the selected columns in the order given. */
export function contextUrl(origin: string, entitySet: string, select: readonly string[] | undefined, suffix = ''): string {
  const projection = select === undefined ? '' : `(${select.join(',')})`;
  return `${serviceRoot(origin)}$metadata#${entitySet}${projection}${suffix}`;
}

/** A link back to the entity set with the given query options, encoded as a client would send them. */
export function collectionLink(origin: string, entitySet: string, options: ReadonlyArray<readonly [string, string]>): string {
  const query = options.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  return `${serviceRoot(origin)}${entitySet}${query === '' ? '' : `?${query}`}`;
}

export function weakEtag(version: number): string {
  return `W/"${version}"`;
}
