import { ActivityFailure, ApplicationFailure, defaultPayloadConverter, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { failureConverter } from '../../../src/codec/failure-converter';

const converter = defaultPayloadConverter;

describe('failure converter', () => {
  it('seals the message and stack, and leaves only the kind of failure readable', () => {
    const error = ApplicationFailure.nonRetryable("name 'Jane Doe Ltd' is too long", 'InvalidConfiguration');
    const failure = failureConverter.errorToFailure(error, converter);
    expect(failure.message).toBe('Encoded failure (InvalidConfiguration)');
    expect(failure.stackTrace).toBe('');
    expect(JSON.stringify(failure.encodedAttributes ? converter.fromPayload(failure.encodedAttributes) : {})).toContain('Jane Doe Ltd');
    expect(JSON.stringify({ ...failure, encodedAttributes: undefined })).not.toContain('Jane');
    const decoded = failureConverter.failureToError(failure, converter);
    expect(decoded.message).toBe("name 'Jane Doe Ltd' is too long");
  });

  it('names the activity of an activity failure, and the type of its cause', () => {
    const cause = ApplicationFailure.retryable('F&O answered 503 for CustomersV2', 'Transient');
    const error = new ActivityFailure('activity failed', 'preflight', '7', RetryState.MAXIMUM_ATTEMPTS_REACHED, undefined, cause);
    const failure = failureConverter.errorToFailure(error, converter);
    expect(failure.message).toBe('Encoded failure (activity preflight failed)');
    expect(failure.cause?.message).toBe('Encoded failure (Transient)');
    expect((failureConverter.failureToError(failure, converter).cause as Error | undefined)?.message).toBe('F&O answered 503 for CustomersV2');
  });

  it('keeps a busy pipeline readable: its message names runs only', () => {
    const error = ApplicationFailure.nonRetryable("pipeline 'default' is busy: run p2c-sync-default (01ab) holds it", 'PipelineBusy');
    expect(failureConverter.errorToFailure(error, converter).message).toBe("pipeline 'default' is busy: run p2c-sync-default (01ab) holds it");
  });
});
