import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
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
 *
 * The lock's parent is the run that started it. While that run is open, it holds the lock. A lock whose parent run
 * continued as new belongs to the newest run of the same chain while that one is open (a live workflow keeps its
 * lock across continue-as-new, src/workflows/live-sync.ts) — except for the asking run itself unless it asked with
 * `handOver`: a sync run's own lock from before its continuation is one Temporal is about to terminate (parent
 * close policy TERMINATE). Any other lock whose run has closed is left over; it is terminated here so that the run
 * asking can take it at once.
 */
export function createDescribePipelineLock() {
  return async function describePipelineLock({ lockWorkflowId, handOver }: DescribePipelineLockInput): Promise<PipelineLockHolder> {
    const { client, info } = Context.current();
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
    if (run.status.name === 'RUNNING') return heldBy(run);
    if (run.status.name === 'CONTINUED_AS_NEW') {
      const newest = await newestOfChain(client, run);
      const asking = info.workflowExecution;
      const isAsking = newest !== undefined && newest.workflowId === asking?.workflowId && newest.runId === asking.runId;
      if (newest && (!isAsking || handOver === true)) return heldBy(newest);
    }
    await lock.terminate(`lock left by run ${parent.runId} of ${parent.workflowId}, which is ${run.status.name.toLowerCase()}`).catch((error: unknown) => {
      // Terminated meanwhile by Temporal itself: released either way.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    });
    return { state: 'released' };
  };
}

function heldBy(run: WorkflowExecutionDescription): PipelineLockHolder {
  return { state: 'held', workflowId: run.workflowId, runId: run.runId, startTime: run.startTime.toISOString(), workflowType: run.type };
}

/**
 * The open run that continues `run`'s chain (same workflow id, same first run), if any. A workflow id started again
 * after its chain closed is another chain, which does not inherit the lock.
 */
async function newestOfChain(client: Client, run: WorkflowExecutionDescription): Promise<WorkflowExecutionDescription | undefined> {
  let newest: WorkflowExecutionDescription;
  try {
    newest = await client.workflow.getHandle(run.workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  const chainOf = (description: WorkflowExecutionDescription) => description.raw.workflowExecutionInfo?.firstRunId || undefined;
  const chain = chainOf(run);
  if (newest.status.name !== 'RUNNING' || chain === undefined || chainOf(newest) !== chain) return undefined;
  return newest;
}
