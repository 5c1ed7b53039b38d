import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from '../../support/pipeline';
import { waitFor } from '../../support/worker-process';

describe('a worker SIGKILLed during preflight', () => {
  let harness: PipelineHarness;

  beforeAll(async () => {
    harness = await PipelineHarness.start({
      inProcessWorker: false,
      // Slow F&O reads: the reference-data checks take several seconds, long enough to kill the worker in them.
      emulators: { generate: { count: 60, seed: 31 }, fno: { faults: { latencyMs: 400 } } },
    });
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('hands preflight to the next worker after one heartbeat timeout, not its start-to-close timeout', async () => {
    const fnoRequests = () => harness.emulators.fno.admin.counters.snapshot().requests.total;

    const first = harness.startWorkerProcess();
    const handle = await harness.startSync({ heartbeatTimeoutSeconds: 5 });
    // Preflight's reference-data reads are the run's first F&O requests.
    await waitFor(() => fnoRequests() > 0, 'preflight to read F&O reference data', 60_000);
    await first.kill('SIGKILL');
    const killedAt = Date.now();

    harness.startWorkerProcess();
    const report = await handle.result();
    expect(report.status).toBe('completed');
    expect(report.totals.created).toBeGreaterThan(0);
    // 2 minutes (preflight's start-to-close) before the fix; one heartbeat timeout and a retry now.
    expect(Date.now() - killedAt).toBeLessThan(60_000);

    const history = await handle.fetchHistory();
    const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'preflight');
    const started = history.events?.find(
      (e) => e.activityTaskStartedEventAttributes && Number(e.activityTaskStartedEventAttributes.scheduledEventId) === Number(scheduled?.eventId),
    )?.activityTaskStartedEventAttributes;
    expect(started?.attempt).toBeGreaterThanOrEqual(2);
    expect(started?.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
  }, 150_000);
});
