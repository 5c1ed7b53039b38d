import { Context } from '@temporalio/activity';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { ConnectorError } from '../connectors/errors';
import { ConfigurationError } from '../domain/errors';

/**
 * How a failure leaves an activity: the connector's classification decides whether Temporal retries it and when.
 * Throttling hands the server's Retry-After to Temporal as the next retry delay, so a long wait costs no worker
 * slot and no request hammers an API that said "wait".
 */
export function toApplicationFailure(error: unknown, { duringPreflight = false, attempt = 1 } = {}): unknown {
  if (error instanceof ApplicationFailure) return error;
  // Cancellation and the like: the SDK's own, handled by Temporal.
  if (error instanceof TemporalFailure) return error;
  if (error instanceof ConfigurationError) {
    return ApplicationFailure.nonRetryable(error.message, 'InvalidConfiguration', { problems: error.problems });
  }
  if (!(error instanceof ConnectorError)) return unexpected(error, attempt);
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
    case 'transient':
      return ApplicationFailure.retryable(error.message, 'Transient', details);
    default:
      // A refusal or conflict no layer below turned into a record failure: retried a few times (a concurrent edit
      // settles), then it is not a passing fault.
      return attempt < MAX_UNEXPECTED_ATTEMPTS
        ? ApplicationFailure.retryable(error.message, 'Unexpected', details)
        : ApplicationFailure.create({ message: repeated(error.message, attempt), type: 'Unexpected', nonRetryable: true, details: [details], cause: error });
  }
}

/**
 * Attempts an activity gets when it fails with an error no connector classified — a TypeError, RangeError, URIError
 * or the like is a bug or data the code does not handle, not a transient fault: retrying for ever would only stall
 * the run. A few attempts still ride out a one-off (a worker short of memory); then the activity fails for good.
 */
export const MAX_UNEXPECTED_ATTEMPTS = 3;

function unexpected(error: unknown, attempt: number): unknown {
  if (attempt < MAX_UNEXPECTED_ATTEMPTS) return error;
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return ApplicationFailure.create({
    message: repeated(`${name}: ${message}`, attempt),
    type: 'UnexpectedError',
    nonRetryable: true,
    ...(error instanceof Error ? { cause: error } : {}),
  });
}

function repeated(message: string, attempt: number): string {
  return `${message} (the same failure in ${attempt} attempts: a bug or data the sync cannot handle, not a passing fault)`;
}

/** The attempt number of the running activity; 1 outside one (unit tests calling an activity directly). */
function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
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
      throw toApplicationFailure(error, { ...options, attempt: currentAttempt() });
    }
  };
}
