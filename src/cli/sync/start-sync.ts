import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { pipelineWorkflowId } from '../../temporal/client';
import type { syncAccounts } from '../../workflows';
import type { SyncInput, SyncOptions } from '../../workflows/sync-input';
import { CliError } from '../cli-error';
import { findRunningLive, findRunningSync, previousWatermark, type RunRef } from './pipeline-runs';
import { runMemo, runSearchAttributes, runSummary, type RunKind } from './run-labels';

export interface StartRequest {
  input: SyncInput;
  options: SyncOptions;
  taskQueue: string;
  /** Who started it, for the memo: `p2c sync start`, `p2c sync retry-failed`, `p2c demo`. */
  startedBy: string;
  /** Tells the operator what was decided on their behalf (e.g. the watermark an incremental run starts from). */
  note(line: string): void;
}

export interface StartedRun {
  handle: WorkflowHandleWithFirstExecutionRunId<typeof syncAccounts>;
  workflowId: string;
  runId: string;
  kind: RunKind;
  input: SyncInput;
}

/**
 * Starts a pipeline's run under its deterministic workflow id. Temporal itself refuses a second run while one is
 * open (conflict policy FAIL) and allows a new one once it closed (reuse policy ALLOW_DUPLICATE); scheduled runs of
 * the same pipeline have other ids, so they are looked up first.
 */
export async function startSync(client: Client, request: StartRequest): Promise<StartedRun> {
  const { options } = request;
  const running = await findRunningSync(client, options.pipeline);
  if (running) throw alreadyRunning(options.pipeline, running);
  const live = await findRunningLive(client, options.pipeline);
  if (live) {
    throw new CliError(
      `pipeline '${options.pipeline}' runs live: workflow ${live.workflowId}, run ${live.runId} — one writer per pipeline; ` +
        `it keeps F&O up to date already, or stop it first ('p2c live stop ${options.pipeline}')`,
    );
  }

  const { input, kind } = await decideStart(client, request);
  const workflowId = pipelineWorkflowId(options.pipeline);
  try {
    const handle = await client.workflow.start<typeof syncAccounts>('syncAccounts', {
      taskQueue: request.taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: runSearchAttributes(options, kind),
      memo: runMemo(options, kind, request.startedBy),
      staticSummary: runSummary(options, kind),
    });
    return { handle, workflowId, runId: handle.firstExecutionRunId, kind, input };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      // Lost a race with another start: name the run that won.
      const winner = await findRunningSync(client, options.pipeline);
      throw alreadyRunning(options.pipeline, winner ?? { workflowId, runId: '(unknown)', status: 'RUNNING', startTime: new Date() });
    }
    throw error;
  }
}

/** Full, incremental from an explicit `since`, or incremental from the pipeline's last completed run. */
async function decideStart(client: Client, request: StartRequest): Promise<{ input: SyncInput; kind: RunKind }> {
  const { options, input } = request;
  if (options.accountIds) return { input, kind: 'retry' };
  if (options.mode === 'full') return { input, kind: 'full' };
  if (options.since) return { input, kind: 'incremental' };
  const previous = await previousWatermark(client, options.pipeline);
  if (previous) {
    const finished = previous.run.closeTime?.toISOString() ?? 'earlier';
    request.note(`Incremental from ${previous.next}: the watermark of run ${previous.run.workflowId} (${previous.run.runId}), completed ${finished}.`);
    return { input: { ...input, since: previous.next }, kind: 'incremental' };
  }
  request.note(
    options.mode === 'incremental'
      ? 'No completed run of this pipeline has a watermark: the workflow falls back to a full sync and says why in its result.'
      : 'No completed run of this pipeline yet: full sync.',
  );
  return { input, kind: 'full' };
}

function alreadyRunning(pipeline: string, run: RunRef): CliError {
  return new CliError(
    `pipeline '${pipeline}' is already running: workflow ${run.workflowId}, run ${run.runId} — ` +
      `watch it with 'p2c sync status ${pipeline}' or stop it with 'p2c sync cancel ${pipeline}'`,
  );
}
