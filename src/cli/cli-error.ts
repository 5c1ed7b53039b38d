import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  NamespaceNotFoundError,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ServiceError,
  TemporalFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { ConfigurationError } from '../domain/errors';

/** A refusal the operator can act on; its message is the whole story, printed as is. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * One line for any error that reaches the top of a command: what went wrong and, where it helps, what to do. Never a
 * stack trace: operators read these, and scripts match on them.
 */
export function describeError(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof ConfigurationError) return `${error.message.split(':\n')[0]}: ${error.problems.join('; ')}`;
  if (error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure) {
    return "the run was cancelled; what it did before stays readable ('p2c sync status')";
  }
  if (error instanceof WorkflowFailedError) return `the run failed: ${describeFailure(error.cause)}`;
  if (error instanceof WorkflowNotFoundError) return `no such run: ${error.message}`;
  if (error instanceof NamespaceNotFoundError) return `namespace '${error.namespace}' does not exist on this Temporal server`;
  if (error instanceof ScheduleNotFoundError) return `no schedule '${error.scheduleId}'`;
  if (error instanceof ScheduleAlreadyRunning) return `a schedule '${error.scheduleId}' already exists`;
  if (error instanceof WorkflowExecutionAlreadyStartedError) return `workflow '${error.workflowId}' is already running`;
  if (error instanceof ServiceError) return `Temporal refused the request: ${firstLine(error.cause instanceof Error ? error.cause.message : error.message)}`;
  if (error instanceof TemporalFailure) return describeFailure(error);
  if (error instanceof Error) return firstLine(error.message);
  return String(error);
}

function describeFailure(failure: unknown): string {
  if (failure instanceof ActivityFailure && failure.cause) return describeFailure(failure.cause);
  if (failure instanceof ApplicationFailure) {
    const problems = problemsOf(failure.details);
    // The message repeats the problems as a list under a title; the title and the problems make the line.
    const title = (failure.message.split('\n')[0] ?? '').replace(/:\s*$/, '');
    return problems.length ? `${title}: ${problems.join('; ')}` : firstLine(failure.message);
  }
  if (failure instanceof Error) return firstLine(failure.message);
  return 'unknown failure';
}

/** Invalid-input and invalid-configuration failures carry their problem list as details. */
function problemsOf(details: readonly unknown[] | null | undefined): string[] {
  const first = details?.[0];
  if (first && typeof first === 'object' && Array.isArray((first as { problems?: unknown }).problems)) {
    return (first as { problems: unknown[] }).problems.map(String);
  }
  return [];
}

function firstLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.length > 1 ? lines.join('; ') : (lines[0] ?? text);
}
