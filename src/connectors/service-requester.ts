import { type BackoffPolicy, backoffDelayMs, DEFAULT_BACKOFF, sleep } from './backoff';
import { publishResend } from './connector-events';
import { ConnectorError, classifyHttpFailure } from './errors';
import type { HttpClient, HttpResponse } from './http-client';
import { parseRetryAfter } from './retry-after';
import type { RequestCost } from './execution-pacer';
import type { ThrottleGate } from './throttle-gate';
import type { TokenProvider } from './token-provider';

export interface ServiceRequesterOptions {
  service: 'dataverse' | 'fno';
  http: HttpClient;
  tokens?: TokenProvider;
  gate: ThrottleGate;
  /** Longest a request keeps waiting out throttling before it fails as `throttled` with the remaining wait. */
  maxWaitMs: number;
  /** Retries of transient failures, for requests that may be repeated. */
  transientRetries?: number;
  backoff?: BackoffPolicy;
}

export interface ServiceRequest {
  method: string;
  url: string;
  headers?: Readonly<Record<string, string>>;
  body?: string;
  timeoutMs?: number;
  /**
   * Whether a transient failure may be retried here. True only for requests that change nothing (reads); a write
   * that failed transiently is the caller's to re-read and decide.
   */
  retryTransient: boolean;
  /** Answers returned to the caller as they are; others are classified and thrown. Default: 2xx. */
  accept?: (response: HttpResponse) => boolean;
  /** For the gate's pacer: what the request is (default: one unit of its method). */
  cost?: RequestCost;
  /** Part of a long bulk job, for the gate's pacer (`RequestCost.bulk`), whatever its cost. */
  bulk?: boolean;
}

const DEFAULT_TRANSIENT_RETRIES = 3;
/**
 * A refused connection: nothing listens at the address (the service is down, restarting or unreachable). Resending
 * within the next second does not change that; it only stretches the activity attempt (three resends waited up to
 * 1.4 s), so against a service that stays down a run's last attempt could still be running when
 * `unreachableTimeoutSeconds` ran out and the run could not name the cause. The attempt fails at once; Temporal's
 * retry (seconds apart, bounded by that limit) tries again. Resets and timeouts are still resent here.
 */
const NOTHING_LISTENING = new Set(['ECONNREFUSED']);
// A `Retry-After: 0` must not turn into a tight loop of requests against a service that is throttling.
const MIN_THROTTLE_WAIT_MS = 100;
const isSuccess = (response: HttpResponse) => response.status >= 200 && response.status < 300;

/**
 * The request discipline both Dynamics clients share: every request passes the identity's throttle gate, carries a
 * current token, waits out 429s (the request was not processed, so resending is safe for any method), gets one new
 * token after a 401, and retries transient failures with jittered backoff when the request may be repeated (not a
 * refused connection: see NOTHING_LISTENING).
 */
export class ServiceRequester {
  private readonly transientRetries: number;
  private readonly backoff: BackoffPolicy;

  constructor(private readonly options: ServiceRequesterOptions) {
    this.transientRetries = options.transientRetries ?? DEFAULT_TRANSIENT_RETRIES;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  get gate(): ThrottleGate {
    return this.options.gate;
  }

  async send(request: ServiceRequest): Promise<HttpResponse> {
    const { service, http, tokens, gate } = this.options;
    const accept = request.accept ?? isSuccess;
    const deadline = Date.now() + this.options.maxWaitMs;
    let transientFailures = 0;
    let renewedToken = false;
    let lastThrottle: ConnectorError | undefined;

    for (;;) {
      let token: string | undefined;
      let response: HttpResponse;
      try {
        response = await gate.run(
          async () => {
            token = tokens ? await tokens.getToken() : undefined;
            return await http.request({
              service,
              method: request.method,
              url: request.url,
              headers: { ...request.headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
              ...(request.body !== undefined ? { body: request.body } : {}),
              ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
            });
          },
          { deadline, cost: { ...(request.cost ?? { key: request.method, units: 1 }), ...(request.bulk ? { bulk: true } : {}) } },
        );
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        if (error.kind === 'throttled' && error.service === service && lastThrottle) {
          // The gate refused to wait past the deadline: report what the service said, with the wait still due.
          throw new ConnectorError(`${lastThrottle.message} (still throttled after waiting up to ${this.options.maxWaitMs} ms)`, {
            kind: 'throttled',
            service,
            status: 429,
            ...(lastThrottle.code !== undefined ? { code: lastThrottle.code } : {}),
            ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
          });
        }
        if (this.mayRetryTransient(request, error, transientFailures)) {
          transientFailures += 1;
          await sleep(backoffDelayMs(transientFailures - 1, this.backoff));
          publishResend({ service, reason: 'transient' });
          continue;
        }
        throw error;
      }

      if (accept(response)) return response;
      const failure = classifyHttpFailure(service, response.status, response.headers, response.body, request.method, {
        url: request.url,
      });
      if (failure.kind === 'throttled') {
        // Every request of this identity holds back, even when this one gives up: the service said to wait.
        const waitMs = Math.max(MIN_THROTTLE_WAIT_MS, failure.retryAfterMs ?? 0);
        gate.blockFor(waitMs);
        if (Date.now() + waitMs > deadline) throw failure;
        lastThrottle = failure;
        publishResend({ service, reason: 'throttled' });
        continue;
      }
      if (response.status === 401 && tokens && !renewedToken) {
        renewedToken = true;
        tokens.invalidate(token);
        publishResend({ service, reason: 'token-renewed' });
        continue;
      }
      // A server that asks for a longer pause than this request may wait (an outage) is the caller's to schedule.
      const asked = parseRetryAfter(response.headers['retry-after']) ?? 0;
      if (this.mayRetryTransient(request, failure, transientFailures) && Date.now() + asked <= deadline) {
        transientFailures += 1;
        await sleep(Math.max(asked, backoffDelayMs(transientFailures - 1, this.backoff)));
        publishResend({ service, reason: 'transient' });
        continue;
      }
      throw failure;
    }
  }

  private mayRetryTransient(request: ServiceRequest, error: ConnectorError, failuresSoFar: number): boolean {
    return (
      request.retryTransient &&
      error.kind === 'transient' &&
      !error.ambiguous &&
      !NOTHING_LISTENING.has(error.code ?? '') &&
      failuresSoFar < this.transientRetries
    );
  }
}
