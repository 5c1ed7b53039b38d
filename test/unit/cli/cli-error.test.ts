import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { CliError, describeError } from '../../../src/cli/cli-error';
import { ConfigurationError } from '../../../src/config/worker-environment';

describe('one-line errors', () => {
  it('prints a refusal as is', () => {
    expect(describeError(new CliError('pipeline is already running'))).toBe('pipeline is already running');
  });

  it('lists a configuration error\'s problems on one line', () => {
    expect(describeError(new ConfigurationError('Invalid configuration', ['a: wrong', 'b: missing']))).toBe('Invalid configuration: a: wrong; b: missing');
  });

  it('names the problems a failed run carries', () => {
    const cause = ApplicationFailure.nonRetryable('Invalid configuration', 'InvalidConfiguration', { problems: ["companies: 'xx' is not configured"] });
    const failed = new WorkflowFailedError('Workflow execution failed', cause, 'NON_RETRYABLE_FAILURE');
    expect(describeError(failed)).toBe("the run failed: Invalid configuration (companies: 'xx' is not configured)");
  });

  it('joins a multi-line message rather than printing a trace', () => {
    const error = new Error('first\n  second\n');
    expect(describeError(error)).toBe('first; second');
    expect(describeError('plain')).toBe('plain');
  });
});
