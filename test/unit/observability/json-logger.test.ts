import { ApplicationFailure, ActivityFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../src/connectors/errors';
import { createJsonLogger, toLogRecord } from '../../../src/observability/json-logger';

const at = BigInt(Date.parse('2024-05-01T10:00:00.000Z')) * 1_000_000n;

describe('JSON logger', () => {
  it('writes one JSON object per line with time, level, message and the SDK attributes', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'INFO', write: (line) => lines.push(line) });
    logger.debug('not written');
    logger.info('activity completed', {
      workflowId: 'p2c-sync-nightly',
      workflowRunId: 'run-1',
      activityId: '7',
      activityType: 'syncWorkUnit',
      attempt: 2,
      taskToken: 'CiQwMWEy...',
      result: { totals: { created: 3 } },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    const record = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 'info',
      message: 'activity completed',
      workflowId: 'p2c-sync-nightly',
      runId: 'run-1',
      activityId: '7',
      activityType: 'syncWorkUnit',
      attempt: 2,
      result: { totals: { created: 3 } },
    });
    expect(Date.parse(record.time as string)).not.toBeNaN();
    expect(record).not.toHaveProperty('taskToken');
    expect(record).not.toHaveProperty('workflowRunId');
  });

  it('logs Temporal and connector failures by class and type, never by message', () => {
    const quoted = "name 'Jane Doe & Sons' is longer than 60";
    const failure = ApplicationFailure.nonRetryable(quoted, 'InvalidRecord', { value: 'jane@example.com' });
    const wrapped = new ActivityFailure('activity failed', 'syncWorkUnit', '3', RetryState.NON_RETRYABLE_FAILURE, 'worker', failure);
    const connector = new ConnectorError(`F&O POST answered 400: ${quoted}`, { kind: 'invalid-record', service: 'fno', status: 400, code: 'X1' });
    const record = toLogRecord({ level: 'WARN', message: 'Activity failed', timestampNanos: at, meta: { error: wrapped, other: connector } });
    expect(record.time).toBe('2024-05-01T10:00:00.000Z');
    expect(record.error).toEqual({ name: 'ActivityFailure', cause: { name: 'ApplicationFailure', type: 'InvalidRecord', nonRetryable: true } });
    expect(record.other).toEqual({ name: 'ConnectorError', kind: 'invalid-record', service: 'fno', status: 400, code: 'X1' });
    expect(JSON.stringify(record)).not.toMatch(/Jane|jane@/);
  });

  it('keeps the message of other errors, with credentials redacted, and serialises bigints and deep values', () => {
    const record = toLogRecord({
      level: 'ERROR',
      message: 'connection failed',
      timestampNanos: at,
      meta: { error: new Error('refused: Authorization: Bearer eyJhbGciOi.eyJzdWIiOiJ4In0.c2ln'), size: 12n, deep: { a: { b: { c: { d: { e: 1 } } } } } },
    });
    expect(record.error).toEqual({ name: 'Error', message: 'refused: Authorization: Bearer [redacted]' });
    expect(record.size).toBe('12');
    expect(record.deep).toEqual({ a: { b: { c: { d: '[nested]' } } } });
  });

  it('logs no error message at all on the SDK\'s "Activity failed" and "Workflow failed" lines, whatever the class', () => {
    const quoted = `Unexpected token 'A', "Alpha Corp" is not valid JSON`;
    const activity = toLogRecord({ level: 'WARN', message: 'Activity failed', timestampNanos: at, meta: { error: new SyntaxError(quoted), durationMs: 5 } });
    expect(activity.error).toEqual({ name: 'SyntaxError' });
    // A workflow's ApplicationFailure as the sandbox's log sink delivers it: a plain Error, the class in its stack.
    const copied = Object.assign(new Error("Invalid input: (input): Unrecognized key: \"Alpha Corp\""), {
      stack: 'ApplicationFailure: Invalid input: (input): Unrecognized key: "Alpha Corp"\n    at parseInput (workflow-bundle.js:1:1)',
    });
    const workflow = toLogRecord({ level: 'WARN', message: 'Workflow failed', timestampNanos: at, meta: { error: copied } });
    expect(workflow.error).toEqual({ name: 'ApplicationFailure' });
    const network = Object.assign(new Error('read ECONNRESET 10.0.0.7:443 Alpha Corp'), { code: 'ECONNRESET' });
    const reset = toLogRecord({ level: 'WARN', message: 'Activity failed', timestampNanos: at, meta: { error: new Error('wrapped', { cause: network }) } });
    expect(reset.error).toEqual({ name: 'Error', cause: { name: 'Error', code: 'ECONNRESET' } });
    expect(JSON.stringify([activity, workflow, reset])).not.toContain('Alpha');
    // Elsewhere, such errors keep their (credential-redacted) message.
    expect(toLogRecord({ level: 'WARN', message: 'connection failed', timestampNanos: at, meta: { error: network } }).error).toEqual({
      name: 'Error',
      message: 'read ECONNRESET 10.0.0.7:443 Alpha Corp',
    });
  });
});
