import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { CliError, describeError } from '../../../src/cli/cli-error';
import { ConfigurationError } from '../../../src/domain/errors';

describe('one-line errors', () => {
  it('prints a refusal as is', () => {
    expect(describeError(new CliError('pipeline is already running'))).toBe('pipeline is already running');
  });

  it('lists a configuration error\'s problems on one line', () => {
    expect(describeError(new ConfigurationError('Invalid configuration', ['a: wrong', 'b: missing']))).toBe('Invalid configuration: a: wrong; b: missing');
  });

  it('names the problems a failed run carries', () => {
    const problems = ["companies: 'xx' is not configured", 'mapping.defaults.SiteId: missing'];
    const cause = ApplicationFailure.nonRetryable(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, 'InvalidConfiguration', { problems });
    const failed = new WorkflowFailedError('Workflow execution failed', cause, 'NON_RETRYABLE_FAILURE');
    expect(describeError(failed)).toBe("the run failed: Invalid configuration: companies: 'xx' is not configured; mapping.defaults.SiteId: missing");
  });

  it('joins a multi-line message rather than printing a trace', () => {
    const error = new Error('first\n  second\n');
    expect(describeError(error)).toBe('first; second');
    expect(describeError('plain')).toBe('plain');
  });
});
