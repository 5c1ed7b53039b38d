import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  condition,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { PipelineLockHolder } from '../activities/contracts';

// One writer per pipeline, whoever starts the run (p2c, a schedule, the Web UI, `temporal workflow start`): a run
// first starts a child workflow under the pipeline's lock id. Temporal allows one open workflow per id, atomically,
// so of two runs started at the same moment exactly one gets the lock; the other is refused and names the holder.
// The child is terminated by Temporal when its run closes, however it closes (parent close policy TERMINATE), so a
// lock never outlives its run. The lock is per task queue: a task queue is one deployment's workers (one Sales, one
// F&O), and tests or deployments on other queues do not share pipelines (the lock id comes from an activity, see
// src/activities/describe-pipeline-lock.ts).

export interface PipelineLockActivities {
  pipelineLockId(input: { pipeline: string }): Promise<string>;
  describePipelineLock(input: { lockWorkflowId: string }): Promise<PipelineLockHolder>;
}

/** The lock itself: does nothing and waits until Temporal terminates it with its run. */
export async function pipelineLock(): Promise<void> {
  await condition(() => false);
}

/** A closed run's lock whose termination is still on its way (e.g. just before this continuation started). */
const MAX_LOCK_ROUNDS = 3;

export async function holdPipelineLock(pipeline: string, activities: PipelineLockActivities): Promise<void> {
  const info = workflowInfo();
  const lockWorkflowId = await activities.pipelineLockId({ pipeline });
  for (let round = 1; ; round += 1) {
    try {
      // Not cancellable: a cancelled run keeps its lock until it has closed.
      await CancellationScope.nonCancellable(() =>
        startChild(pipelineLock, {
          workflowId: lockWorkflowId,
          parentClosePolicy: ParentClosePolicy.TERMINATE,
          cancellationType: ChildWorkflowCancellationType.ABANDON,
          staticSummary: `Lock of pipeline ${pipeline}, held by ${info.workflowId} (run ${info.runId}) while it runs`,
        }),
      );
      return;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    const holder = await activities.describePipelineLock({ lockWorkflowId });
    if (holder.state === 'held') {
      throw ApplicationFailure.nonRetryable(
        `pipeline '${pipeline}' is already running: workflow ${holder.workflowId}, run ${holder.runId} (started ${holder.startTime}) — ` +
          `one run per pipeline at a time; wait for it or cancel it ('p2c sync cancel ${holder.workflowId}')`,
        'PipelineBusy',
        { workflowId: holder.workflowId, runId: holder.runId },
      );
    }
    if (round >= MAX_LOCK_ROUNDS) {
      throw ApplicationFailure.nonRetryable(
        `pipeline '${pipeline}': its lock ${lockWorkflowId} stayed taken after ${MAX_LOCK_ROUNDS} rounds although no run holds it`,
        'PipelineBusy',
      );
    }
  }
}
