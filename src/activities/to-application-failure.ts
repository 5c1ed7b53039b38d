import { ApplicationFailure } from '@temporalio/common';
import { ConnectorError } from '../connectors/errors';
import { ConfigurationError } from '../config/worker-environment';

/**
 * How a failure leaves an activity: the connector's classification decides whether Temporal retries it and when.
 * Throttling hands the server's Retry-After to Temporal as the next retry delay, so a long wait costs no worker
 * slot and no request hammers an API that said "wait".
 */
export function toApplicationFailure(error: unknown, { duringPreflight = false } = {}): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof ConfigurationError) {
    return ApplicationFailure.nonRetryable(error.message, 'InvalidConfiguration', { problems: error.problems });
  }
  if (!(error instanceof ConnectorError)) return error;
  const details = { service: error.service, status: error.status, code: error.code };
  switch (error.kind) {
    case 'throttled':
      return ApplicationFailure.create({
        type: 'Throttled',
        message: error.message,
        details: [details],
        ...(error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
      });
    case 'configuration':
      return ApplicationFailure.nonRetryable(error.message, 'InvalidConfiguration', details);
    case 'auth':
      // Refused credentials before anything was written are a configuration problem; later in a run they may be a
      // rotation in progress, so the run waits and retries rather than losing its progress.
      return duringPreflight
        ? ApplicationFailure.nonRetryable(error.message, 'InvalidConfiguration', details)
        : ApplicationFailure.retryable(error.message, 'Auth', details);
    default:
      return ApplicationFailure.retryable(error.message, error.kind === 'transient' ? 'Transient' : 'Unexpected', details);
  }
}

/** Wraps an activity so that every failure it throws is classified the same way. */
export function classified<A extends unknown[], R>(
  activity: (...args: A) => Promise<R>,
  options: { duringPreflight?: boolean } = {},
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await activity(...args);
    } catch (error) {
      throw toApplicationFailure(error, options);
    }
  };
}
