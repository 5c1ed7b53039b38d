import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

/**
 * OData v4 `$batch` in its multipart/mixed form (OData v4.0 part 1 §11.7), for both directions: connectors encode
 * requests and decode responses, emulators decode requests and encode responses. One codec on both sides means a
 * framing mistake shows up in the tests of both.
 *
 * Encoding writes CRLF everywhere; decoding also accepts bare LF, because hand-written clients and proxies produce it.
 */

export type BatchMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface BatchOperation {
  method: BatchMethod;
  /** Absolute, or relative to the service root; kept exactly as given. */
  url: string;
  /** Header names lower-cased on decode. */
  headers?: Record<string, string>;
  /** Encode: serialised as JSON. Decode: the part's body parsed as JSON; undefined when empty or not JSON. */
  body?: unknown;
  /**
   * Decode: the part's body text as received (set whenever it is not empty), so a receiver can tell a malformed
   * JSON body (`rawBody` set, `body` undefined) from an absent one and answer that part with its own 400.
   * Encode: sent verbatim when `body` is undefined.
   */
  rawBody?: string;
  contentId?: string;
}

export type BatchRequestItem = BatchOperation | { changeSet: BatchOperation[] };

export interface BatchResponsePart {
  status: number;
  /** Header names lower-cased on decode. */
  headers: Record<string, string>;
  body: string;
  contentId?: string;
}

export type BatchResponseItem = BatchResponsePart | { changeSet: BatchResponsePart[] };

export class BatchFormatError extends Error {
  override name = 'BatchFormatError';
}

const CRLF = '\r\n';
const METHODS: ReadonlySet<string> = new Set<BatchMethod>(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

export function encodeBatchRequest(items: BatchRequestItem[], boundary = `batch_${randomUUID()}`): { contentType: string; body: string } {
  return { contentType: multipartContentType(boundary), body: encodeMultipart(items, boundary, 'changeset', writeOperationPart) };
}

export function encodeBatchResponse(items: BatchResponseItem[], boundary = `batchresponse_${randomUUID()}`): { contentType: string; body: string } {
  return { contentType: multipartContentType(boundary), body: encodeMultipart(items, boundary, 'changesetresponse', writeResponsePart) };
}

/**
 * A multipart body of parts and change sets (each with a boundary `<changeSetPrefix>_<uuid>` of its own), written as
 * a list of pieces joined once at the end: built as nested concatenations, a body of thousands of parts was copied
 * again at each level. Each part ends with the CRLF that belongs to the next delimiter (RFC 2046 §5.1.1); a change
 * set's close delimiter is followed by the outer part's CRLF.
 */
function encodeMultipart<P>(
  items: readonly (P | { changeSet: P[] })[],
  boundary: string,
  changeSetPrefix: string,
  writePart: (pieces: string[], part: P, insideChangeSet: boolean) => void,
): string {
  const pieces: string[] = [];
  for (const item of items) {
    pieces.push(`--${boundary}${CRLF}`);
    if (typeof item === 'object' && item !== null && 'changeSet' in item) {
      const inner = `${changeSetPrefix}_${randomUUID()}`;
      pieces.push(changeSetHead(inner));
      for (const part of item.changeSet) {
        pieces.push(`--${inner}${CRLF}`);
        writePart(pieces, part, true);
        pieces.push(CRLF);
      }
      pieces.push(`--${inner}--`);
    } else {
      writePart(pieces, item as P, false);
    }
    pieces.push(CRLF);
  }
  pieces.push(`--${boundary}--${CRLF}`);
  return pieces.join('');
}

export function decodeBatchRequest(contentType: string | undefined, body: string): BatchRequestItem[] {
  const boundary = requireMultipartBoundary(contentType, 'batch request');
  return splitMultipart(body, boundary).map((part, index): BatchRequestItem => {
    const mime = parseMimePart(part, `part ${index + 1}`);
    if (mime.mediaType === 'multipart/mixed') {
      const inner = requireBoundaryParam(mime.params, `part ${index + 1}`);
      const operations = splitMultipart(mime.content, inner).map((innerPart, innerIndex) => {
        const where = `change set ${index + 1} part ${innerIndex + 1}`;
        const innerMime = parseMimePart(innerPart, where);
        if (innerMime.mediaType !== 'application/http') {
          throw new BatchFormatError(`${where}: a change set may contain only application/http parts, not '${innerMime.mediaType}'`);
        }
        const operation = parseRequestMessage(innerMime.content, innerMime.headers, where);
        if (operation.method === 'GET') throw new BatchFormatError(`${where}: a change set may not contain a GET request`);
        return operation;
      });
      if (operations.length === 0) throw new BatchFormatError(`change set ${index + 1} is empty`);
      return { changeSet: operations };
    }
    if (mime.mediaType !== 'application/http') {
      throw new BatchFormatError(`part ${index + 1}: expected application/http or multipart/mixed, got '${mime.mediaType}'`);
    }
    return parseRequestMessage(mime.content, mime.headers, `part ${index + 1}`);
  });
}

/** Every response part in order, change set members inlined: the caller matches them by position or Content-ID. */
export function decodeBatchResponse(contentType: string | undefined, body: string): BatchResponsePart[] {
  const boundary = requireMultipartBoundary(contentType, 'batch response');
  return splitMultipart(body, boundary).flatMap((part, index) => {
    const mime = parseMimePart(part, `part ${index + 1}`);
    if (mime.mediaType === 'multipart/mixed') {
      const inner = requireBoundaryParam(mime.params, `part ${index + 1}`);
      return splitMultipart(mime.content, inner).map((innerPart, innerIndex) => {
        const where = `change set ${index + 1} part ${innerIndex + 1}`;
        const innerMime = parseMimePart(innerPart, where);
        return parseResponseMessage(innerMime.content, innerMime.headers, where);
      });
    }
    if (mime.mediaType !== 'application/http') {
      throw new BatchFormatError(`part ${index + 1}: expected application/http or multipart/mixed, got '${mime.mediaType}'`);
    }
    return [parseResponseMessage(mime.content, mime.headers, `part ${index + 1}`)];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

function multipartContentType(boundary: string): string {
  return `multipart/mixed; boundary=${boundary}`;
}

function changeSetHead(boundary: string): string {
  return `Content-Type: ${multipartContentType(boundary)}${CRLF}${CRLF}`;
}

const MIME_HEADERS = `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}`;

function mimeHeaders(contentId: string | undefined): string {
  return contentId === undefined ? `${MIME_HEADERS}${CRLF}` : `${MIME_HEADERS}Content-ID: ${contentId}${CRLF}${CRLF}`;
}

function writeOperationPart(pieces: string[], operation: BatchOperation, insideChangeSet: boolean): void {
  if (!METHODS.has(operation.method)) throw new BatchFormatError(`unsupported method '${String(operation.method)}'`);
  if (insideChangeSet && operation.method === 'GET') throw new BatchFormatError('a change set may not contain a GET request');
  if (/\s/.test(operation.url) || operation.url === '') throw new BatchFormatError(`invalid request URL '${operation.url}'`);
  const text = operation.body !== undefined ? JSON.stringify(operation.body) : operation.rawBody;
  const headers: Record<string, string> = { ...operation.headers };
  if (text !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  pieces.push(mimeHeaders(operation.contentId), `${operation.method} ${operation.url} HTTP/1.1${CRLF}`);
  writeHeaderBlock(pieces, headers);
  if (text !== undefined) pieces.push(text);
}

function writeResponsePart(pieces: string[], part: BatchResponsePart): void {
  if (!Number.isInteger(part.status) || part.status < 100 || part.status > 599) {
    throw new BatchFormatError(`invalid status ${part.status}`);
  }
  const reason = STATUS_CODES[part.status] ?? '';
  pieces.push(mimeHeaders(part.contentId), `HTTP/1.1 ${part.status} ${reason}${CRLF}`);
  writeHeaderBlock(pieces, part.headers);
  pieces.push(part.body);
}

function writeHeaderBlock(pieces: string[], headers: Record<string, string>): void {
  for (const name of Object.keys(headers)) {
    const value = String(headers[name]);
    if (hasLineBreak(name) || hasLineBreak(value)) throw new BatchFormatError(`header '${name}' contains a line break`);
    pieces.push(`${name}: ${value}${CRLF}`);
  }
  pieces.push(CRLF);
}

function hasLineBreak(text: string): boolean {
  return text.includes('\n') || text.includes('\r');
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

interface MimePart {
  mediaType: string;
  params: Record<string, string>;
  headers: Record<string, string>;
  content: string;
}

function requireMultipartBoundary(contentType: string | undefined, what: string): string {
  if (contentType === undefined || contentType.trim() === '') throw new BatchFormatError(`${what}: missing Content-Type`);
  const { mediaType, params } = parseContentType(contentType);
  if (mediaType !== 'multipart/mixed') throw new BatchFormatError(`${what}: Content-Type must be multipart/mixed, got '${mediaType}'`);
  return requireBoundaryParam(params, what);
}

function requireBoundaryParam(params: Record<string, string>, what: string): string {
  const boundary = params['boundary'];
  // RFC 2046: 1–70 characters, and none that could end the delimiter line early.
  if (boundary === undefined || boundary.length === 0 || boundary.length > 70 || /[\r\n]/.test(boundary)) {
    throw new BatchFormatError(`${what}: multipart/mixed needs a boundary parameter`);
  }
  return boundary;
}

function parseContentType(value: string): { mediaType: string; params: Record<string, string> } {
  if (!value.includes(';')) return { mediaType: value.trim().toLowerCase(), params: {} }; // no parameters
  const [type = '', ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const raw of rest) {
    const eq = raw.indexOf('=');
    if (eq === -1) continue;
    const name = raw.slice(0, eq).trim().toLowerCase();
    let paramValue = raw.slice(eq + 1).trim();
    if (paramValue.length >= 2 && paramValue.startsWith('"') && paramValue.endsWith('"')) paramValue = paramValue.slice(1, -1);
    params[name] = paramValue;
  }
  return { mediaType: type.trim().toLowerCase(), params };
}

/**
 * The bodies between delimiter lines. A delimiter line starts at the beginning of a line with `--boundary`,
 * followed by `--` (the close delimiter) or optional transport padding and the line break. The line break before
 * a delimiter belongs to the delimiter, not to the part.
 */
function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let partStart = -1;
  let from = 0;
  for (;;) {
    const at = body.indexOf(delimiter, from);
    if (at === -1) {
      throw new BatchFormatError(
        partStart === -1 ? `no part starts with the boundary '${boundary}'` : `missing closing delimiter '--${boundary}--'`,
      );
    }
    from = at + 1;
    if (at !== 0 && body[at - 1] !== '\n') continue;
    const after = at + delimiter.length;
    const isClose = body.startsWith('--', after);
    let nextPartStart: number | undefined;
    if (!isClose) {
      const lineEnd = body.indexOf('\n', after);
      const padding = body.slice(after, lineEnd === -1 ? body.length : lineEnd);
      if (!/^[ \t]*\r?$/.test(padding)) continue; // a longer boundary that merely starts with ours
      if (lineEnd === -1) throw new BatchFormatError(`missing closing delimiter '--${boundary}--'`);
      nextPartStart = lineEnd + 1;
    }
    if (partStart !== -1) parts.push(stripOneLineBreak(body.slice(partStart, at)));
    if (nextPartStart === undefined) {
      if (partStart === -1) throw new BatchFormatError(`the body has no parts before '--${boundary}--'`);
      return parts;
    }
    partStart = nextPartStart;
    from = nextPartStart;
  }
}

function stripOneLineBreak(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/** Header lines up to the first empty line, then the rest. Without an empty line, everything is headers. */
function splitHead(text: string): { headLines: string[]; rest: string } {
  const headLines: string[] = [];
  let position = 0;
  while (position < text.length) {
    const newline = text.indexOf('\n', position);
    let lineEnd = newline === -1 ? text.length : newline;
    if (lineEnd > position && text.charCodeAt(lineEnd - 1) === 13) lineEnd -= 1; // the CR of CRLF
    const line = text.slice(position, lineEnd);
    position = newline === -1 ? text.length : newline + 1;
    if (line === '') return { headLines, rest: text.slice(position) };
    headLines.push(line);
  }
  return { headLines, rest: '' };
}

function parseHeaderLines(lines: string[], where: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let last: string | undefined;
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      headers[last] = `${headers[last] ?? ''} ${line.trim()}`; // obsolete line folding
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? undefined : headerName(line.slice(0, colon));
    if (name === undefined) throw new BatchFormatError(`${where}: malformed header line '${truncate(line)}'`);
    headers[name] = line.slice(colon + 1).trim();
    last = name;
  }
  return headers;
}

/** Header names as written → lower case, for the few names a batch repeats in every part (bounded). */
const headerNames = new Map<string, string>();
const MAX_HEADER_NAMES = 256;

/** The lower-cased name of a header line's text before its colon; undefined unless it is an HTTP token. */
function headerName(raw: string): string | undefined {
  const known = headerNames.get(raw);
  if (known !== undefined) return known;
  const name = raw.trim().toLowerCase();
  if (name === '' || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) return undefined;
  if (headerNames.size < MAX_HEADER_NAMES) headerNames.set(raw, name);
  return name;
}

function parseMimePart(part: string, where: string): MimePart {
  const { headLines, rest } = splitHead(part);
  const headers = parseHeaderLines(headLines, where);
  const contentType = headers['content-type'];
  if (contentType === undefined) throw new BatchFormatError(`${where}: missing Content-Type`);
  const encoding = headers['content-transfer-encoding']?.toLowerCase();
  if (encoding !== undefined && encoding !== 'binary' && encoding !== '8bit' && encoding !== '7bit') {
    throw new BatchFormatError(`${where}: unsupported Content-Transfer-Encoding '${encoding}'`);
  }
  const { mediaType, params } = parseContentType(contentType);
  return { mediaType, params, headers, content: rest };
}

/** Without the line breaks at its end. */
function trimBody(text: string): string {
  let end = text.length;
  for (let code = text.charCodeAt(end - 1); code === 10 || code === 13; code = text.charCodeAt(end - 1)) end -= 1;
  return end === text.length ? text : text.slice(0, end);
}

function parseRequestMessage(content: string, mimeHeaders: Record<string, string>, where: string): BatchOperation {
  const { headLines, rest } = splitHead(content);
  const [requestLine, ...headerLines] = headLines;
  if (requestLine === undefined) throw new BatchFormatError(`${where}: missing request line`);
  const match = /^([A-Za-z]+) (\S+)(?: HTTP\/1\.[01])?$/.exec(requestLine.trim());
  if (match === null) throw new BatchFormatError(`${where}: malformed request line '${truncate(requestLine)}'`);
  const method = (match[1] ?? '').toUpperCase();
  if (!METHODS.has(method)) throw new BatchFormatError(`${where}: unsupported method '${match[1] ?? ''}'`);
  const headers = parseHeaderLines(headerLines, where);
  const operation: BatchOperation = { method: method as BatchMethod, url: match[2] ?? '', headers };
  const contentId = mimeHeaders['content-id'] ?? headers['content-id'];
  if (contentId !== undefined) operation.contentId = contentId;
  const text = trimBody(rest);
  if (text !== '') {
    operation.rawBody = text;
    try {
      operation.body = JSON.parse(text) as unknown;
    } catch {
      // left undefined: the receiver answers this part with its own 400
    }
  }
  return operation;
}

function parseResponseMessage(content: string, mimeHeaders: Record<string, string>, where: string): BatchResponsePart {
  const { headLines, rest } = splitHead(content);
  const [statusLine, ...headerLines] = headLines;
  if (statusLine === undefined) throw new BatchFormatError(`${where}: missing status line`);
  const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine.trim());
  if (match === null) throw new BatchFormatError(`${where}: malformed status line '${truncate(statusLine)}'`);
  const part: BatchResponsePart = { status: Number(match[1]), headers: parseHeaderLines(headerLines, where), body: trimBody(rest) };
  const contentId = mimeHeaders['content-id'] ?? part.headers['content-id'];
  if (contentId !== undefined) part.contentId = contentId;
  return part;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
