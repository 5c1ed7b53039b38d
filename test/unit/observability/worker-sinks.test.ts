import type { WorkflowInfo } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { isScheduled, runSinks } from '../../../src/observability/worker-sinks';
import { SyncMetrics } from '../../../src/observability/sync-metrics';

// The info a sink receives is a structured-clone copy (plain objects): built here the same way.
const infoWith = (searchAttributes: Record<string, unknown>) => structuredClone({ searchAttributes, typedSearchAttributes: { searchAttributes } }) as unknown as WorkflowInfo;

describe('run sinks', () => {
  it('tell a run started by a schedule (TemporalScheduledById) from one started by hand', () => {
    expect(isScheduled(infoWith({ TemporalScheduledById: ['nightly-sync'] }))).toBe(true);
    expect(isScheduled(infoWith({}))).toBe(false);
  });

  it('put a scheduled run that completed into the last-success gauge, and are never called during replay', async () => {
    const metrics = new SyncMetrics();
    try {
      const sinks = runSinks(metrics);
      expect(sinks.p2cRuns.ended.callDuringReplay).toBe(false);
      await sinks.p2cRuns.ended.fn(infoWith({ TemporalScheduledById: ['nightly-sync'] }), { pipeline: 'nightly', status: 'completed', dryRun: false, failedRecords: 0 });
      expect(await metrics.text()).toMatch(/^p2c_scheduled_run_last_success_timestamp_seconds\{pipeline="nightly"\} \d+/m);
    } finally {
      metrics.close();
    }
  });
});
