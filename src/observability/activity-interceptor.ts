import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { SyncWorkUnitInput, SyncWorkUnitResult } from '../activities/contracts';
import { countsOf } from './result-counts';
import type { SyncMetrics } from './sync-metrics';

/**
 * Watches every activity attempt from outside the activities: one log line when it ends (through the activity
 * context's logger, so workflow id, run id, activity id and type and attempt come along) with its counts and
 * duration, and the attempt in the metrics. Only numbers leave a result — never keys, names or failure values.
 */
export function observeActivities(metrics?: SyncMetrics): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const { activityType, attempt } = ctx.info;
        const started = performance.now();
        ctx.log.debug('activity started');
        try {
          const result = await next(input);
          const seconds = (performance.now() - started) / 1000;
          metrics?.observeActivity(activityType, attempt, seconds);
          if (activityType === 'syncWorkUnit' && !(input.args[0] as SyncWorkUnitInput | undefined)?.dryRun) {
            metrics?.observeUnit((result as SyncWorkUnitResult).companies);
          }
          ctx.log.info('activity completed', { durationMs: Math.round(seconds * 1000), result: countsOf(result) });
          return result;
        } catch (error) {
          // The SDK logs the failure itself (class and type only, see json-logger); this counts it.
          metrics?.observeActivity(activityType, attempt, (performance.now() - started) / 1000, failureType(error));
          throw error;
        }
      },
    },
  });
}

export function failureType(error: unknown): string {
  if (error instanceof ApplicationFailure) return error.type ?? 'ApplicationFailure';
  return error instanceof Error ? error.name : 'Unknown';
}
