import { AuthError, ServerError } from '@azure/msal-node';
import {
  dataverseErrorBodySchema,
  FNO_WRITE_EXCEPTION_TYPE,
  fnoErrorBodySchema,
} from '@p2c-sync/odata-wire';
import { customerFieldForLabel } from './customer-field-labels';
import { firstProblem, type InfologEntry, parseInfolog } from './infolog';
import { redactSecrets } from './redact';
import { parseRetryAfter } from './retry-after';

export type ErrorKind = 'transient' | 'throttled' | 'invalid-record' | 'conflict' | 'not-found' | 'configuration' | 'auth';
export type ConnectorService = 'dataverse' | 'fno' | 'entra';

/** Why a record was refused or conflicted, when the service said so in a form we recognise. */
export type RecordProblem =
  | 'reference-not-found'
  | 'required-missing'
  | 'too-long'
  | 'invalid-value'
  | 'duplicate-key'
  | 'stale-version'
  | 'rejected';

export interface ConnectorErrorDetails {
  kind: ErrorKind;
  service: ConnectorService;
  status?: number;
  code?: string;
  retryAfterMs?: number;
  ambiguous?: boolean;
  field?: string;
  /** The label the service used for the field, when it named the field by label (F&O Infolog). */
  fieldLabel?: string;
  value?: string;
  problem?: RecordProblem;
}

/**
 * Every failure the connectors raise. The message is for people and is scrubbed of credentials; the properties
 * are for code. No `cause` is attached on purpose: library errors can carry request details, and errors travel
 * into Temporal history.
 */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  readonly kind: ErrorKind;
  readonly service: ConnectorService;
  readonly status?: number;
  readonly code?: string;
  readonly retryAfterMs?: number;
  /** The request may have been applied (timeout/reset after a write was sent): re-read before doing anything. */
  readonly ambiguous: boolean;
  readonly field?: string;
  readonly fieldLabel?: string;
  readonly value?: string;
  readonly problem?: RecordProblem;

  constructor(message: string, details: ConnectorErrorDetails) {
    super(redactSecrets(message));
    this.kind = details.kind;
    this.service = details.service;
    this.ambiguous = details.ambiguous ?? false;
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.field !== undefined) this.field = details.field;
    if (details.fieldLabel !== undefined) this.fieldLabel = details.fieldLabel;
    if (details.value !== undefined) this.value = details.value;
    if (details.problem !== undefined) this.problem = details.problem;
  }
}

export function isConnectorError(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError;
}

/** F&O documents 30 s when `Retry-After` is missing; Dataverse always sends it, so its default is only a backstop. */
export const DEFAULT_RETRY_AFTER_MS: Readonly<Record<ConnectorService, number>> = {
  fno: 30_000,
  dataverse: 10_000,
  entra: 10_000,
};

const SERVICE_NAMES: Readonly<Record<ConnectorService, string>> = { dataverse: 'Dataverse', fno: 'F&O', entra: 'Entra ID' };

/** Methods whose repetition cannot change anything, so a failure after sending them is never ambiguous. */
export function isSafeMethod(method: string): boolean {
  const upper = method.toUpperCase();
  return upper === 'GET' || upper === 'HEAD' || upper === 'OPTIONS';
}

export type ResponseHeaders = Readonly<Record<string, string | undefined>>;

export interface FailureContext {
  /** The request URL, named in the message without its query (which can be a long opaque skip token). */
  url?: string;
  now?: number;
}

const DATAVERSE_UNKNOWN_SEGMENT = '0x8006088a';

// Dataverse error codes that are about the record being written, not about how the request was built.
const DATAVERSE_RECORD_CODES: Readonly<Record<string, { kind: ErrorKind; problem: RecordProblem }>> = {
  '0x80044331': { kind: 'invalid-record', problem: 'too-long' },
  // A plug-in or business rule refused this record.
  '0x80040265': { kind: 'invalid-record', problem: 'rejected' },
  // Duplicate alternate key / duplicate primary key.
  '0x80060892': { kind: 'conflict', problem: 'duplicate-key' },
  '0x80040237': { kind: 'conflict', problem: 'duplicate-key' },
};

/** Classifies a non-2xx HTTP answer; the one place that decides what a status and body mean. */
export function classifyHttpFailure(
  service: ConnectorService,
  status: number,
  headers: ResponseHeaders,
  bodyText: string,
  requestMethod: string,
  context: FailureContext = {},
): ConnectorError {
  const body = readErrorBody(bodyText);
  const said = body.innerMessage ?? body.message ?? excerpt(bodyText);
  const prefix = `${SERVICE_NAMES[service]} ${requestMethod.toUpperCase()}${describeUrl(context.url)} answered ${status}`;
  const base = { service, status, ...(body.code ? { code: body.code } : {}) };
  const fail = (kind: ErrorKind, extra: Omit<ConnectorErrorDetails, 'kind' | 'service'> = {}) =>
    new ConnectorError(said ? `${prefix}: ${said}` : prefix, { ...base, kind, ...extra });

  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers['retry-after'], context.now) ?? DEFAULT_RETRY_AFTER_MS[service];
    return fail('throttled', { retryAfterMs });
  }
  if (status === 401 || status === 403) return fail('auth');
  if (status === 404) return fail(isMissingRow(service, body, said, context.url) ? 'not-found' : 'configuration');
  if (status === 412) {
    // Create-only (If-None-Match) is refused with a duplicate-key code; update-only with a stale version.
    const duplicate = DATAVERSE_RECORD_CODES[body.code?.toLowerCase() ?? '']?.problem === 'duplicate-key';
    return fail('conflict', { problem: duplicate ? 'duplicate-key' : 'stale-version' });
  }
  if (status === 409) return fail('conflict');

  if (service === 'fno' && status >= 500 && body.innerMessage !== undefined && isFnoWriteFailure(body)) {
    return classifyFnoWriteFailure(prefix, base, body.innerMessage);
  }
  if (status >= 500 || status === 408) {
    // A server error after a write reached the server may come after the commit: the caller must re-read.
    return fail('transient', { ambiguous: !isSafeMethod(requestMethod) });
  }
  if (service === 'dataverse' && body.code !== undefined) {
    const known = DATAVERSE_RECORD_CODES[body.code.toLowerCase()];
    if (known) {
      const field = known.problem === 'too-long' ? parseDataverseAttribute(said) : undefined;
      return fail(known.kind, { problem: known.problem, ...(field ? { field } : {}) });
    }
  }
  // Any other 4xx (or an unexpected 1xx/3xx) means the product built the request wrong or points at the wrong
  // place: a record cannot fix that.
  return fail('configuration');
}

export interface NetworkFailureContext {
  /** Whether any of the request reached the socket; afterwards the server may have acted on it. */
  bodySent: boolean;
  method: string;
  url?: string;
}

// Failures that will repeat on every attempt: the address or the TLS trust is wrong.
const CONFIGURATION_NETWORK_CODES = new Set([
  'ENOTFOUND',
  'ERR_INVALID_URL',
  'UND_ERR_INVALID_ARG',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
  'ERESPONSETOOLARGE',
]);

/** Classifies a failure without an HTTP answer (refused, reset, timed out, TLS). */
export function classifyNetworkFailure(
  service: ConnectorService,
  error: unknown,
  context: NetworkFailureContext,
): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const code = errorCode(error);
  const description = describeError(error);
  const prefix = `${SERVICE_NAMES[service]} ${context.method.toUpperCase()}${describeUrl(context.url)}`;
  if (code !== undefined && CONFIGURATION_NETWORK_CODES.has(code)) {
    return new ConnectorError(`${prefix} cannot be sent (${description}); check the URL and trusted certificates`, {
      kind: 'configuration',
      service,
      code,
    });
  }
  const ambiguous = context.bodySent && !isSafeMethod(context.method);
  const suffix = ambiguous ? '; the request was sent and may have been applied' : '';
  return new ConnectorError(`${prefix} failed: ${description}${suffix}`, {
    kind: 'transient',
    service,
    ambiguous,
    ...(code !== undefined ? { code } : {}),
  });
}

export interface TokenFailureContext {
  authority: string;
  clientId: string;
  /** Known secret values to scrub from whatever MSAL or the authority said. */
  secrets: readonly string[];
  /** The classified network failure behind an MSAL "network error", when there was one. */
  networkFailure?: ConnectorError;
  /** The status of the authority's last unsuccessful answer, when MSAL hides it behind its own error. */
  lastErrorStatus?: number;
}

// OAuth error codes (RFC 6749 §5.2 and Entra ID) that mean the identity itself was refused.
const TOKEN_AUTH_CODES = new Set(['invalid_client', 'unauthorized_client', 'invalid_grant', 'access_denied']);
// The authority is reachable but the product asked for something that does not exist (scope, tenant, resource).
const TOKEN_CONFIGURATION_CODES = new Set(['invalid_scope', 'invalid_request', 'invalid_resource', 'unsupported_grant_type']);
// MSAL's own codes when it could not reach or read the authority.
const TOKEN_NETWORK_CODES = new Set(['network_error', 'endpoints_resolution_error', 'openid_config_error']);

/** Classifies a failure to get a token from Entra ID (through MSAL). */
export function classifyTokenFailure(error: unknown, context: TokenFailureContext): ConnectorError {
  const scrub = (text: string) => redactSecrets(text, context.secrets);
  const prefix = `Entra ID token for client ${context.clientId} at ${context.authority}`;
  if (error instanceof ConnectorError) return error;
  if (error instanceof AuthError && TOKEN_NETWORK_CODES.has(error.errorCode) && context.networkFailure) {
    const failure = context.networkFailure;
    return new ConnectorError(`${prefix}: ${scrub(failure.message)}`, {
      kind: failure.kind,
      service: 'entra',
      ...(failure.code !== undefined ? { code: failure.code } : {}),
    });
  }
  if (error instanceof ServerError) {
    const status = error.status;
    const said = scrub(firstLine(error.errorMessage) || error.errorCode);
    const details = { service: 'entra' as const, code: error.errorCode, ...(status !== undefined ? { status } : {}) };
    if (status === 429) {
      return new ConnectorError(`${prefix}: throttled: ${said}`, {
        ...details,
        kind: 'throttled',
        retryAfterMs: DEFAULT_RETRY_AFTER_MS.entra,
      });
    }
    if (TOKEN_AUTH_CODES.has(error.errorCode) || status === 401 || status === 403) {
      return new ConnectorError(`${prefix} refused (${error.errorCode}): ${said}`, { ...details, kind: 'auth' });
    }
    if (TOKEN_CONFIGURATION_CODES.has(error.errorCode) || (status !== undefined && status >= 400 && status < 500)) {
      return new ConnectorError(`${prefix} cannot be requested (${error.errorCode}): ${said}`, { ...details, kind: 'configuration' });
    }
    return new ConnectorError(`${prefix} failed (${error.errorCode}): ${said}`, { ...details, kind: 'transient' });
  }
  if (error instanceof AuthError && TOKEN_NETWORK_CODES.has(error.errorCode)) {
    // The authority answered, but refused: an unknown tenant or a wrong authority URL, which waiting will not fix.
    const refused = context.lastErrorStatus !== undefined && context.lastErrorStatus >= 400 && context.lastErrorStatus < 500;
    return new ConnectorError(
      refused
        ? `${prefix}: the authority refused to describe the tenant (${context.lastErrorStatus}); check the authority and tenant`
        : `${prefix}: the authority cannot be reached or read (${error.errorCode})`,
      {
        kind: refused ? 'configuration' : 'transient',
        service: 'entra',
        code: error.errorCode,
        ...(refused ? { status: context.lastErrorStatus } : {}),
      },
    );
  }
  // Invalid authority URL, bad client configuration: repeating will not help.
  const code = error instanceof AuthError ? error.errorCode : undefined;
  const said = error instanceof Error ? firstLine(error.message) : String(error);
  return new ConnectorError(`${prefix} cannot be requested: ${scrub(said)}`, {
    kind: 'configuration',
    service: 'entra',
    ...(code ? { code } : {}),
  });
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/)[0] ?? '').trim();
}

interface ErrorBodyParts {
  code?: string;
  message?: string;
  innerMessage?: string;
  innerType?: string;
}

function readErrorBody(bodyText: string): ErrorBodyParts {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    return {};
  }
  const fno = fnoErrorBodySchema.safeParse(json);
  if (fno.success) {
    const { code, message, innererror } = fno.data.error;
    return {
      ...(code ? { code } : {}),
      message,
      ...(innererror ? { innerMessage: innererror.message, innerType: innererror.type } : {}),
    };
  }
  const dataverse = dataverseErrorBodySchema.safeParse(json);
  if (dataverse.success) {
    const { code, message } = dataverse.data.error;
    return { ...(code ? { code } : {}), message };
  }
  return {};
}

/**
 * A 404 means "no such row" only for a request addressed to one row. A collection cannot be missing, and the
 * services name an unknown entity set or route in their own words: then the URL is wrong, which is configuration.
 */
function isMissingRow(service: ConnectorService, body: ErrorBodyParts, said: string, url: string | undefined): boolean {
  if (service === 'dataverse' && body.code?.toLowerCase() === DATAVERSE_UNKNOWN_SEGMENT) return false;
  if (/No HTTP resource was found that matches the request URI/i.test(said)) return false;
  if (url === undefined) return true;
  try {
    return /\)$/.test(new URL(url).pathname);
  } catch {
    return true;
  }
}

function isFnoWriteFailure(body: ErrorBodyParts): boolean {
  return body.innerType === FNO_WRITE_EXCEPTION_TYPE || /\bInfolog:/i.test(body.innerMessage ?? '');
}

function classifyFnoWriteFailure(
  prefix: string,
  base: { service: ConnectorService; status: number; code?: string },
  innerMessage: string,
): ConnectorError {
  const entries = parseInfolog(innerMessage);
  const entry = firstProblem(entries);
  const text = entries.map((e) => e.text).join(' ') || innerMessage;
  if (!entry) {
    return new ConnectorError(`${prefix}: F&O refused the record: ${text}`, { ...base, kind: 'invalid-record', problem: 'rejected' });
  }
  if (entry.problem === 'duplicate') {
    return new ConnectorError(`${prefix}: the record already exists: ${entry.text}`, {
      ...base,
      kind: 'conflict',
      problem: 'duplicate-key',
    });
  }
  if (entry.problem === 'update-conflict') {
    return new ConnectorError(`${prefix}: the record changed meanwhile: ${entry.text}`, {
      ...base,
      kind: 'conflict',
      problem: 'stale-version',
    });
  }
  const field = entry.label !== undefined ? customerFieldForLabel(entry.label) : undefined;
  return new ConnectorError(`${prefix}: F&O refused the record${describeField(entry, field)}: ${entry.text}`, {
    ...base,
    kind: 'invalid-record',
    problem: INFOLOG_PROBLEMS[entry.problem ?? 'invalid-value'],
    ...(field !== undefined ? { field } : entry.label !== undefined ? { field: entry.label } : {}),
    ...(entry.label !== undefined ? { fieldLabel: entry.label } : {}),
    ...(entry.value !== undefined ? { value: entry.value } : {}),
  });
}

const INFOLOG_PROBLEMS: Readonly<Record<NonNullable<InfologEntry['problem']>, RecordProblem>> = {
  'not-found': 'reference-not-found',
  required: 'required-missing',
  'too-long': 'too-long',
  'invalid-value': 'invalid-value',
  duplicate: 'duplicate-key',
  'update-conflict': 'stale-version',
};

function describeField(entry: InfologEntry, field: string | undefined): string {
  if (entry.label === undefined) return '';
  const name = field !== undefined && field !== entry.label ? `${field} ('${entry.label}')` : entry.label;
  return entry.value !== undefined ? ` (field ${name}, value '${entry.value}')` : ` (field ${name})`;
}

function parseDataverseAttribute(message: string): string | undefined {
  return /The length of the '([^']+)' attribute/i.exec(message)?.[1];
}

function describeUrl(url: string | undefined): string {
  if (url === undefined) return '';
  try {
    const parsed = new URL(url);
    return ` ${parsed.origin}${decodeURIComponent(parsed.pathname)}`;
  } catch {
    return '';
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

function errorCode(error: unknown): string | undefined {
  // undici wraps system errors (resets, certificate failures) and keeps them on `cause`: the most telling code is
  // a configuration one anywhere in the chain, otherwise the outermost.
  const codes: string[] = [];
  for (let current: unknown = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  if (codes.length === 0 && error instanceof Error && error.name === 'TimeoutError') return 'ETIMEDOUT';
  return codes.find((code) => CONFIGURATION_NETWORK_CODES.has(code)) ?? codes[0];
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = errorCode(error);
    const cause = error.cause instanceof Error && error.cause.message !== error.message ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}${code && !error.message.includes(code) ? ` [${code}]` : ''}`;
  }
  return String(error);
}
