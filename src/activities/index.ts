import { createApplyCustomerHolds } from './apply-customer-holds';
import { createAssignAccountNumbers } from './assign-account-numbers';
import type { ActivityDependencies } from './dependencies';
import { createDescribePipelineLock, createPipelineLockId } from './describe-pipeline-lock';
import { createNotifyRunEnd } from './notify-run-end';
import { createPlanWorkUnits } from './plan-work-units';
import { createPreflight } from './preflight';
import { createReadAccountChanges } from './read-account-changes';
import { createReadWatermark } from './read-watermark';
import { createSyncWorkUnit } from './sync-work-unit';
import { classified } from './to-application-failure';

export type { ActivityDependencies } from './dependencies';

/** Activities close over the worker's dependencies (configuration, connected clients); workflows import only the type. */
export function createActivities(deps: ActivityDependencies) {
  return {
    preflight: classified(createPreflight(deps), { duringPreflight: true }),
    assignAccountNumbers: classified(createAssignAccountNumbers(deps)),
    readWatermark: classified(createReadWatermark(deps)),
    planWorkUnits: classified(createPlanWorkUnits(deps)),
    syncWorkUnit: classified(createSyncWorkUnit(deps)),
    readAccountChanges: classified(createReadAccountChanges(deps)),
    applyCustomerHolds: classified(createApplyCustomerHolds(deps)),
    pipelineLockId: createPipelineLockId(),
    describePipelineLock: createDescribePipelineLock(),
    notifyRunEnd: createNotifyRunEnd(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
