import { describe, expect, it } from 'vitest';
import { publishExchange, publishResend, publishThrottled } from '../../../src/connectors/connector-events';
import { countsOf } from '../../../src/observability/result-counts';
import { SyncMetrics } from '../../../src/observability/sync-metrics';

/** The value of one sample line, e.g. `p2c_records_total{company="usmf",outcome="created"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('SyncMetrics', () => {
  it('counts records by company and outcome, skipping zeros', async () => {
    const metrics = new SyncMetrics();
    try {
      const zero = { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0, outOfScope: 0 };
      metrics.observeUnit({ usmf: { ...zero, read: 5, created: 3, failed: 2 }, demf: { ...zero, read: 1, unchanged: 1 } });
      metrics.observeUnit({ usmf: { ...zero, read: 1, created: 1 } });
      const text = await metrics.text();
      expect(sample(text, 'p2c_records_total{company="usmf",outcome="created"}')).toBe(4);
      expect(sample(text, 'p2c_records_total{company="usmf",outcome="failed"}')).toBe(2);
      expect(sample(text, 'p2c_records_total{company="demf",outcome="unchanged"}')).toBe(1);
      expect(sample(text, 'p2c_records_total{company="demf",outcome="created"}')).toBeUndefined();
    } finally {
      metrics.close();
    }
  });

  it('turns connector events into latency, 429 and resend series, and stops listening when closed', async () => {
    const metrics = new SyncMetrics();
    publishExchange({ service: 'dataverse', method: 'GET', status: 200, durationMs: 30 });
    publishExchange({ service: 'dataverse', method: 'GET', status: 429, durationMs: 4 });
    publishExchange({ service: 'fno', method: 'POST', failure: 'transient', durationMs: 2000 });
    publishThrottled({ service: 'dataverse', waitMs: 1000 });
    publishResend({ service: 'dataverse', reason: 'throttled' });
    let text = await metrics.text();
    expect(sample(text, 'p2c_api_request_duration_seconds_count{service="dataverse",method="GET",status="200"}')).toBe(1);
    expect(sample(text, 'p2c_api_request_duration_seconds_bucket{le="0.05",service="dataverse",method="GET",status="200"}')).toBe(1);
    expect(sample(text, 'p2c_api_request_duration_seconds_bucket{le="0.025",service="dataverse",method="GET",status="200"}')).toBe(0);
    expect(sample(text, 'p2c_api_request_duration_seconds_count{service="fno",method="POST",status="none"}')).toBe(1);
    expect(sample(text, 'p2c_api_throttled_total{service="dataverse"}')).toBe(1);
    expect(sample(text, 'p2c_api_throttled_total{service="fno"}')).toBe(0);
    expect(sample(text, 'p2c_api_resends_total{service="dataverse",reason="throttled"}')).toBe(1);

    metrics.close();
    publishThrottled({ service: 'dataverse', waitMs: 1000 });
    text = await metrics.text();
    expect(sample(text, 'p2c_api_throttled_total{service="dataverse"}')).toBe(1);
  });

  it('counts activity retries, failures by type and durations', async () => {
    const metrics = new SyncMetrics();
    try {
      metrics.observeActivity('syncWorkUnit', 1, 0.2);
      metrics.observeActivity('syncWorkUnit', 2, 0.3, 'Throttled');
      metrics.observeActivity('syncWorkUnit', 3, 0.1);
      const text = await metrics.text();
      expect(sample(text, 'p2c_activity_retries_total{activity_type="syncWorkUnit"}')).toBe(2);
      expect(sample(text, 'p2c_activity_failures_total{activity_type="syncWorkUnit",failure_type="Throttled"}')).toBe(1);
      expect(sample(text, 'p2c_activity_duration_seconds_count{activity_type="syncWorkUnit",outcome="completed"}')).toBe(2);
    } finally {
      metrics.close();
    }
  });
});

describe('SyncMetrics run ends', () => {
  it('counts every end, keeps the last end time per status, the failed records of the last finished run and the last scheduled success', async () => {
    const metrics = new SyncMetrics();
    try {
      metrics.observeRunEnd({ pipeline: 'nightly', status: 'completed', dryRun: false, failedRecords: 7, scheduled: true }, 1000);
      metrics.observeRunEnd({ pipeline: 'nightly', status: 'failed', dryRun: false, failedRecords: 0, scheduled: true }, 2000);
      metrics.observeRunEnd({ pipeline: 'nightly', status: 'cancelled', dryRun: false, failedRecords: 2, scheduled: false }, 3000);
      // Dry runs are counted, and change nothing the alerts read.
      metrics.observeRunEnd({ pipeline: 'nightly', status: 'completed', dryRun: true, failedRecords: 900, scheduled: true }, 4000);
      metrics.observeRunEnd({ pipeline: 'adhoc', status: 'completed', dryRun: false, failedRecords: 0, scheduled: false }, 5000);
      const text = await metrics.text();
      expect(sample(text, 'p2c_runs_total{pipeline="nightly",status="completed",dry_run="false"}')).toBe(1);
      expect(sample(text, 'p2c_runs_total{pipeline="nightly",status="completed",dry_run="true"}')).toBe(1);
      expect(sample(text, 'p2c_runs_total{pipeline="nightly",status="failed",dry_run="false"}')).toBe(1);
      expect(sample(text, 'p2c_run_last_end_timestamp_seconds{pipeline="nightly",status="completed"}')).toBe(1000);
      expect(sample(text, 'p2c_run_last_end_timestamp_seconds{pipeline="nightly",status="failed"}')).toBe(2000);
      expect(sample(text, 'p2c_run_last_end_timestamp_seconds{pipeline="nightly",status="cancelled"}')).toBe(3000);
      expect(sample(text, 'p2c_run_last_failed_records{pipeline="nightly"}')).toBe(2);
      expect(sample(text, 'p2c_scheduled_run_last_success_timestamp_seconds{pipeline="nightly"}')).toBe(1000);
      expect(sample(text, 'p2c_scheduled_run_last_success_timestamp_seconds{pipeline="adhoc"}')).toBeUndefined();
      expect(sample(text, 'p2c_run_last_failed_records{pipeline="adhoc"}')).toBe(0);
    } finally {
      metrics.close();
    }
  });
});

describe('countsOf', () => {
  it('keeps numbers, list lengths, counters and status words, and drops keys and values', () => {
    expect(
      countsOf({
        status: 'completed',
        mode: 'full',
        pipeline: 'jane.doe@example.com',
        watermark: { next: 'version:12' },
        totals: { read: 5, created: 3, note: 'x' },
        failures: [{ value: 'Jane' }],
        done: true,
        scanned: 12,
        cursor: 'ACC-0042',
      }),
    ).toEqual({ status: 'completed', mode: 'full', totals: { read: 5, created: 3 }, failures: 1, done: true, scanned: 12 });
    expect(countsOf({ status: 'Jane Doe' })).toEqual({});
    expect(countsOf(undefined)).toEqual({});
  });
});
