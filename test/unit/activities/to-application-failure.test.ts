import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toApplicationFailure } from '../../../src/activities/to-application-failure';
import { ConnectorError } from '../../../src/connectors/errors';

describe('toApplicationFailure: errors no connector classified', () => {
  it.each([new TypeError('x is undefined'), new RangeError('Invalid array length'), new URIError('URI malformed'), new Error('plain')])(
    '%s is retried on early attempts and fails for good on the third',
    (error) => {
      expect(toApplicationFailure(error, { attempt: 1 })).toBe(error);
      expect(toApplicationFailure(error, { attempt: 2 })).toBe(error);
      const final = toApplicationFailure(error, { attempt: 3 });
      expect(final).toBeInstanceOf(ApplicationFailure);
      expect(final).toMatchObject({ type: 'UnexpectedError', nonRetryable: true });
      expect((final as ApplicationFailure).message).toBe(
        `${error.name}: ${error.message} (the same failure in 3 attempts: a bug or data the sync cannot handle, not a passing fault)`,
      );
      expect((final as ApplicationFailure).cause).toBe(error);
    },
  );

  it('bounds connector refusals that reached the activity, but never transient faults', () => {
    const conflict = new ConnectorError('F&O answered 409', { kind: 'conflict', service: 'fno' });
    expect(toApplicationFailure(conflict, { attempt: 2 })).toMatchObject({ type: 'Unexpected', nonRetryable: false });
    expect(toApplicationFailure(conflict, { attempt: 3 })).toMatchObject({ type: 'Unexpected', nonRetryable: true });
    const transient = new ConnectorError('F&O answered 503', { kind: 'transient', service: 'fno' });
    expect(toApplicationFailure(transient, { attempt: 50 })).toMatchObject({ type: 'Transient', nonRetryable: false });
  });

  it("passes Temporal's own failures (cancellation) through unchanged", () => {
    const cancelled = new CancelledFailure('cancelled');
    expect(toApplicationFailure(cancelled, { attempt: 9 })).toBe(cancelled);
  });
});
