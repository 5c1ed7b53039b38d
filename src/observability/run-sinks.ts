// Shared by the workflow sandbox (types only) and the worker: how a run's end reaches the worker's metrics. A sink
// call is not a workflow command, so adding or removing one never breaks the replay of recorded histories.
import type { Sinks } from '@temporalio/workflow';

export type RunStatus = 'completed' | 'cancelled' | 'failed';

export interface RunEnd {
  pipeline: string;
  status: RunStatus;
  dryRun: boolean;
  /** Failure entries of the whole run (all its continuations); 0 for a failed run, whose count is unknown. */
  failedRecords: number;
}

export interface RunSinks extends Sinks {
  p2cRuns: {
    ended(run: RunEnd): void;
  };
}
