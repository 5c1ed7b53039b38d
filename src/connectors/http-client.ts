import { rootCertificates } from 'node:tls';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { Agent, type Dispatcher } from 'undici';
import { publishExchange } from './connector-events';
import { ConnectorError, type ConnectorService, classifyNetworkFailure } from './errors';

export interface HttpClientOptions {
  /** Sockets per origin; Dataverse allows 52 concurrent requests per user, so stay well below. */
  connectionsPerOrigin?: number;
  keepAliveTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Longest wait for response headers; F&O batches and large Dataverse pages can take minutes. */
  headersTimeoutMs?: number;
  /** Longest silence between response body chunks. */
  bodyTimeoutMs?: number;
  /** Default for the whole exchange when a request does not say. */
  requestTimeoutMs?: number;
  /** Extra trusted CA certificates (PEM), added to Node's roots: private PKI or the emulated authority. */
  caPem?: string | readonly string[];
  /** Answers larger than this are refused rather than buffered. */
  maxResponseBytes?: number;
}

export interface HttpRequest {
  /** Which service this is for, so failures are classified and named correctly. */
  service: ConnectorService;
  method: string;
  url: string;
  headers?: Readonly<Record<string, string>>;
  body?: string;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
}

const tracer = trace.getTracer('p2c-sync/connectors');

const DEFAULTS = {
  connectionsPerOrigin: 32,
  keepAliveTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 300_000,
  bodyTimeoutMs: 60_000,
  requestTimeoutMs: 600_000,
  maxResponseBytes: 256 * 1024 * 1024,
} as const;

/**
 * The one HTTP client of the connectors: a keep-alive undici pool per origin, no pipelining (a slow request must
 * not hold up the ones queued behind it on the same socket), bounded timeouts. Any answer is returned as is; only
 * failures without an answer throw, as classified `ConnectorError`s that say whether the request may have been
 * applied.
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly requestTimeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(options: HttpClientOptions = {}) {
    const extraCa = options.caPem === undefined ? [] : typeof options.caPem === 'string' ? [options.caPem] : [...options.caPem];
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
    this.agent = new Agent({
      connections: options.connectionsPerOrigin ?? DEFAULTS.connectionsPerOrigin,
      pipelining: 1,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULTS.keepAliveTimeoutMs,
      headersTimeout: options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs,
      connect: {
        timeout: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
        // Giving `ca` replaces Node's roots, so they are passed along with the extra ones.
        ...(extraCa.length > 0 ? { ca: [...rootCertificates, ...extraCa] } : {}),
      },
    });
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const method = request.method.toUpperCase();
    // A child of the active span (the activity's, when tracing is on); a no-op when no tracer provider is installed.
    return await tracer.startActiveSpan(`${method} ${request.service}`, { kind: SpanKind.CLIENT, attributes: { 'http.request.method': method, 'p2c.service': request.service } }, async (span) => {
      try {
        const response = await this.exchange(request, method, span);
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      } catch (error) {
        // The classified kind (transient, throttled, ...), never the message: it may name the URL.
        span.setAttribute('error.type', error instanceof ConnectorError ? error.kind : 'unknown');
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async exchange(request: HttpRequest, method: string, span: Span): Promise<HttpResponse> {
    const collector = new ResponseCollector(this.maxResponseBytes);
    const timeoutMs = request.timeoutMs ?? this.requestTimeoutMs;
    const timer = setTimeout(() => collector.abort(new RequestTimeoutError(timeoutMs)), timeoutMs);
    const started = performance.now();
    try {
      const url = new URL(request.url);
      // Host and port only: paths carry record keys and query strings carry filters.
      span.setAttributes({ 'server.address': url.hostname, 'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)) });
      this.agent.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: method as Dispatcher.HttpMethod,
          headers: { ...request.headers },
          ...(request.body !== undefined ? { body: request.body } : {}),
        },
        collector,
      );
      const response = await collector.response;
      publishExchange({ service: request.service, method, status: response.status, durationMs: performance.now() - started });
      return response;
    } catch (error) {
      const failure = classifyNetworkFailure(request.service, error, { bodySent: collector.sent, method, url: request.url });
      publishExchange({ service: request.service, method, failure: failure.kind, durationMs: performance.now() - started });
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes idle sockets and waits for requests in flight. */
  async close(): Promise<void> {
    await this.agent.close();
  }
}

class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

class ResponseTooLargeError extends Error {
  readonly code = 'ERESPONSETOOLARGE';
  constructor(limit: number) {
    super(`the answer is larger than ${limit} bytes`);
  }
}

/**
 * Buffers one answer and records whether the request reached a socket: undici calls `onRequestStart` just before
 * writing it, and aborting there keeps it unwritten. That is what lets a failure say "not sent" with certainty.
 */
class ResponseCollector implements Dispatcher.DispatchHandler {
  sent = false;
  readonly response: Promise<HttpResponse>;
  private resolve!: (response: HttpResponse) => void;
  private reject!: (error: Error) => void;
  private controller: Dispatcher.DispatchController | undefined;
  private abortedWith: Error | undefined;
  private status = 0;
  private headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {
    this.response = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // The caller awaits `response` only after dispatching; a synchronous dispatch failure must not leave an
    // unobserved rejection behind.
    this.response.catch(() => undefined);
  }

  abort(error: Error): void {
    this.abortedWith ??= error;
    if (this.controller) this.controller.abort(error);
    else this.reject(error);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.abortedWith) {
      controller.abort(this.abortedWith);
      return;
    }
    this.controller = controller;
    this.sent = true;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    this.headers = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) this.headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      controller.abort(new ResponseTooLargeError(this.maxBytes));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.resolve({ status: this.status, headers: this.headers, body: Buffer.concat(this.chunks).toString('utf8') });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.reject(this.abortedWith ?? error);
  }
}
