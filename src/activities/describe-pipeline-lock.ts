import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { DescribePipelineLockInput, PipelineLockHolder, PipelineLockIdInput } from './contracts';

/**
 * The workflow id of a pipeline's lock. The lock is per task queue (one deployment's workers: one Sales, one F&O):
 * deployments and tests on other queues of the namespace do not share pipelines. Read here, from the activity's
 * real task queue, because a workflow replayed elsewhere (a replay test) sees a made-up one; the activity's result
 * is recorded in history, so a replay starts the same child.
 */
export function createPipelineLockId() {
  return async function pipelineLockId({ pipeline }: PipelineLockIdInput): Promise<string> {
    return `p2c-pipeline-lock-${pipeline}@${Context.current().info.taskQueue}`;
  };
}

/**
 * Names the run that holds a pipeline's lock (src/workflows/pipeline-lock.ts), through the worker's Temporal client.
 * A lock whose run has already closed is one Temporal is about to terminate (parent close policy); it is terminated
 * here so that the run asking can take it at once.
 */
export function createDescribePipelineLock() {
  return async function describePipelineLock({ lockWorkflowId }: DescribePipelineLockInput): Promise<PipelineLockHolder> {
    const { client } = Context.current();
    const lock = client.workflow.getHandle(lockWorkflowId);
    let description;
    try {
      description = await lock.describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { state: 'released' };
      throw error;
    }
    if (description.status.name !== 'RUNNING') return { state: 'released' };
    const parent = description.parentExecution;
    // A lock started by hand, without a run: it is the holder.
    if (!parent) return { state: 'held', workflowId: lockWorkflowId, runId: description.runId, startTime: description.startTime.toISOString() };
    const run = await client.workflow.getHandle(parent.workflowId ?? '', parent.runId ?? undefined, { followRuns: false }).describe();
    if (run.status.name === 'RUNNING') {
      return { state: 'held', workflowId: run.workflowId, runId: run.runId, startTime: run.startTime.toISOString() };
    }
    await lock.terminate(`lock left by run ${parent.runId} of ${parent.workflowId}, which is ${run.status.name.toLowerCase()}`).catch((error: unknown) => {
      // Terminated meanwhile by Temporal itself: released either way.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    });
    return { state: 'released' };
  };
}
