import { ApplicationFailure, type LogLevel, type LogMetadata, TemporalFailure } from '@temporalio/common';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { z } from 'zod';
import { ConnectorError } from '../connectors/errors';
import { redactSecrets } from '../connectors/redact';

export const logLevelSchema = z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']);

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Receives one complete JSON line (with its newline); stdout when omitted. */
  write?: (line: string) => void;
}

// Attributes the SDK adds that identify nothing an operator needs and should not be copied around: the task token
// lets its holder complete the activity.
const DROPPED = new Set(['taskToken']);
/**
 * The SDK's lines for a failed activity attempt and a failed run. A workflow's error reaches the worker through the
 * sandbox's log sink as a copy that lost its class (an ApplicationFailure arrives as a plain Error), so the class
 * test below cannot keep its message out: on these lines no error message is logged at all.
 */
const FAILURE_LINES = new Set(['Activity failed', 'Workflow failed']);
// The SDK names the run id differently for activities and workflows; one name makes log queries simple.
const RENAMED: Readonly<Record<string, string>> = { workflowRunId: 'runId' };

/**
 * The SDK's logger writing one JSON object per line: `time`, `level`, `message`, then the attributes the SDK
 * attaches (namespace, taskQueue, workflowId, runId, workflowType, activityId, activityType, attempt, …) and our
 * own. Failures are logged by class and type only: the messages of Temporal failures and of the services' answers
 * can quote account values, and those stay in (encrypted) history. So are all errors of the SDK's "Activity failed"
 * and "Workflow failed" lines, whatever their class: an unexpected error of an activity or of workflow code may
 * quote a record as well. Other errors (the SDK's own, the network's) keep their message with credentials redacted.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): DefaultLogger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  return new DefaultLogger(options.level ?? 'INFO', (entry) => write(`${JSON.stringify(toLogRecord(entry))}\n`));
}

export function toLogRecord(entry: LogEntry): Record<string, unknown> {
  const record: Record<string, unknown> = {
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level.toLowerCase(),
    message: entry.message,
  };
  const classOnly = FAILURE_LINES.has(entry.message);
  for (const [key, value] of Object.entries(entry.meta ?? ({} as LogMetadata))) {
    if (DROPPED.has(key) || value === undefined) continue;
    record[RENAMED[key] ?? key] = safeValue(value, 0, classOnly);
  }
  return record;
}

function safeValue(value: unknown, depth: number, classOnly: boolean): unknown {
  if (value instanceof Error) return describeError(value, depth, classOnly);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= 4) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => safeValue(item, depth + 1, classOnly));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, safeValue(item, depth + 1, classOnly)]));
}

function describeError(error: Error, depth: number, classOnly: boolean): Record<string, unknown> {
  const described: Record<string, unknown> = { name: classOnly ? className(error) : error.name };
  if (error instanceof ApplicationFailure) {
    if (error.type) described.type = error.type;
    described.nonRetryable = error.nonRetryable;
  } else if (error instanceof ConnectorError) {
    // The service's own words may quote the record it refused.
    Object.assign(described, { kind: error.kind, service: error.service, status: error.status, code: error.code });
  } else if (!(error instanceof TemporalFailure) && !classOnly) {
    described.message = redactSecrets(error.message);
  }
  const code = (error as NodeJS.ErrnoException).code;
  // A system error's code (ECONNRESET, ENOENT) says what happened and quotes nothing.
  if (classOnly && typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code)) described.code = code;
  if (error.cause instanceof Error && depth < 4) described.cause = describeError(error.cause, depth + 1, classOnly);
  return described;
}

/**
 * The class of an error, also for a copy that crossed the workflow sandbox's boundary as a plain Error: its stack
 * still begins with the original class name (`ApplicationFailure: …`).
 */
function className(error: Error): string {
  if (error.name !== 'Error') return error.name;
  const first = /^([A-Za-z_$][\w$]*)(?::|$)/m.exec(error.stack ?? '');
  return first?.[1] ?? error.name;
}
