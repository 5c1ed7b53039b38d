import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  condition,
  getExternalWorkflowHandle,
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
  describePipelineLock(input: { lockWorkflowId: string; handOver?: boolean }): Promise<PipelineLockHolder>;
}

/** The lock itself: does nothing and waits until Temporal terminates it with its run. */
export async function pipelineLock(): Promise<void> {
  await condition(() => false);
}

/** A closed run's lock whose termination is still on its way (e.g. just before this continuation started). */
const MAX_LOCK_ROUNDS = 3;

export async function holdPipelineLock(pipeline: string, activities: PipelineLockActivities): Promise<void> {
  const info = workflowInfo();
  // Not cancellable: a cancelled run keeps its lock until it has closed.
  await takeLock(pipeline, activities, {
    parentClosePolicy: ParentClosePolicy.TERMINATE,
    staticSummary: `Lock of pipeline ${pipeline}, held by ${info.workflowId} (run ${info.runId}) while it runs`,
  });
}

/**
 * The lock of a run that continues as new many times (the live workflow, src/workflows/live-sync.ts): the lock must
 * not be free between one run and its continuation, or a full run started in that moment would write beside it.
 * So its parent close policy is ABANDON: the lock outlives each run, and the continuation finds it held by its own
 * chain and carries on holding it (`handOver`). When the chain ends through its own code, it releases the lock
 * (`releaseLiveLock`); when it is terminated or times out, no code runs, and the next run asking for the lock finds
 * the chain closed and terminates the lock (src/activities/describe-pipeline-lock.ts). Returns the lock's id.
 */
export async function holdPipelineLockAcrossContinuations(pipeline: string, activities: PipelineLockActivities): Promise<string> {
  const info = workflowInfo();
  return await takeLock(pipeline, activities, {
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: `Lock of pipeline ${pipeline}, held by ${info.workflowId} (started by run ${info.runId}) while it runs, across continue-as-new`,
    handOver: true,
  });
}

/**
 * Starts the lock child (not cancellable); when it is already running, asks who holds it: a holder that is running
 * refuses this run (or, with `handOver`, is this very run's chain), a closed one's lock is taken over in a next round.
 */
async function takeLock(
  pipeline: string,
  activities: PipelineLockActivities,
  lock: { parentClosePolicy: ParentClosePolicy; staticSummary: string; handOver?: true },
): Promise<string> {
  const info = workflowInfo();
  const lockWorkflowId = await activities.pipelineLockId({ pipeline });
  for (let round = 1; ; round += 1) {
    try {
      await CancellationScope.nonCancellable(() =>
        startChild(pipelineLock, {
          workflowId: lockWorkflowId,
          parentClosePolicy: lock.parentClosePolicy,
          cancellationType: ChildWorkflowCancellationType.ABANDON,
          staticSummary: lock.staticSummary,
        }),
      );
      return lockWorkflowId;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    const holder = await activities.describePipelineLock({ lockWorkflowId, ...(lock.handOver ? { handOver: true } : {}) });
    if (holder.state === 'held') {
      if (lock.handOver && holder.workflowId === info.workflowId && holder.runId === info.runId) return lockWorkflowId;
      throw pipelineBusy(pipeline, holder);
    }
    if (round >= MAX_LOCK_ROUNDS) throw lockStuck(pipeline, lockWorkflowId);
  }
}

/** Ends a lock taken with holdPipelineLockAcrossContinuations (not cancellable: the run is ending anyway). */
export async function releaseLiveLock(lockWorkflowId: string): Promise<void> {
  await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(lockWorkflowId).cancel());
}

/** The workflow type of live sync (src/workflows/live-sync.ts): it never ends by itself, so it is stopped, not waited for. */
const LIVE_WORKFLOW_TYPE = 'liveSync';

function pipelineBusy(pipeline: string, holder: Extract<PipelineLockHolder, { state: 'held' }>): ApplicationFailure {
  const next =
    holder.workflowType === LIVE_WORKFLOW_TYPE
      ? `it syncs the pipeline live; stop it first ('p2c live stop ${pipeline}')`
      : `wait for it or cancel it ('p2c sync cancel ${holder.workflowId}')`;
  return ApplicationFailure.nonRetryable(
    `pipeline '${pipeline}' is already running: workflow ${holder.workflowId}, run ${holder.runId} (started ${holder.startTime}) — ` +
      `one run per pipeline at a time; ${next}`,
    'PipelineBusy',
    { workflowId: holder.workflowId, runId: holder.runId },
  );
}

function lockStuck(pipeline: string, lockWorkflowId: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `pipeline '${pipeline}': its lock ${lockWorkflowId} stayed taken after ${MAX_LOCK_ROUNDS} rounds although no run holds it`,
    'PipelineBusy',
  );
}
