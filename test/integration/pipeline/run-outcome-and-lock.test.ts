import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPANIES_ATTRIBUTE,
  CREATED_ATTRIBUTE,
  DRY_RUN_ATTRIBUTE,
  FAILED_ATTRIBUTE,
  MODE_ATTRIBUTE,
  OUTCOME_ATTRIBUTE,
  PIPELINE_ATTRIBUTE,
  UPDATED_ATTRIBUTE,
} from '../../../src/temporal/search-attributes';
import { pauseSignal, progressQuery } from '../../../src/workflows';
import { PipelineHarness } from '../../support/pipeline';
import { uniqueName } from '../../support/temporal';
import { waitFor } from '../../support/worker-process';

// Runs started the way the Web UI's form or a plain `temporal workflow start` starts them: no search attributes, no
// memo, any workflow id. The workflow labels itself, holds its pipeline's lock, and can be stopped in any phase.
describe('a run labels itself, is the only writer of its pipeline, and is always stoppable', () => {
  let harness: PipelineHarness;

  beforeAll(async () => {
    harness = await PipelineHarness.start({ emulators: { generate: { count: 200, seed: 31 } } });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  const attributesOf = async (workflowId: string) => (await harness.env.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes;
  const fnoDown = () => harness.emulators.fno.admin.faults.configure({ outages: [{ durationMs: 3_600_000, mode: 'refuse' }] });
  const fnoUp = () => harness.emulators.fno.admin.faults.configure({});

  it('sets pipeline, mode, companies and dry run at start, outcome and counts at the end', async () => {
    const dry = await harness.startSync({ pipeline: 'labels', dryRun: true, companies: ['usmf'] });
    const plan = await dry.result();
    expect(plan.failures.total).toBeGreaterThan(0);
    const dryLabels = await attributesOf(dry.workflowId);
    expect(dryLabels.get(PIPELINE_ATTRIBUTE)).toBe('labels');
    expect(dryLabels.get(COMPANIES_ATTRIBUTE)).toEqual(['usmf']);
    expect(dryLabels.get(DRY_RUN_ATTRIBUTE)).toBe(true);
    expect(dryLabels.get(MODE_ATTRIBUTE)).toBe('full');
    expect(dryLabels.get(OUTCOME_ATTRIBUTE)).toBe('dry-run');
    expect(dryLabels.get(CREATED_ATTRIBUTE)).toBe(plan.totals.created);
    expect(dryLabels.get(FAILED_ATTRIBUTE)).toBe(plan.failures.total);

    const real = await harness.startSync({ pipeline: 'labels', companies: ['usmf'] });
    const report = await real.result();
    const labels = await attributesOf(real.workflowId);
    expect(labels.get(DRY_RUN_ATTRIBUTE)).toBe(false);
    expect(labels.get(OUTCOME_ATTRIBUTE)).toBe('with-failures');
    expect(labels.get(CREATED_ATTRIBUTE)).toBe(report.totals.created);
    expect(labels.get(CREATED_ATTRIBUTE)).toBeGreaterThan(20);
    expect(labels.get(UPDATED_ATTRIBUTE)).toBe(0);
    expect(labels.get(FAILED_ATTRIBUTE)).toBe(report.failures.total);

    // Nothing changed since: an incremental run from the real run's watermark has nothing to do.
    const again = await harness.startSync({ pipeline: 'labels', companies: ['usmf'], since: report.watermark.next });
    await again.result();
    const againLabels = await attributesOf(again.workflowId);
    expect(againLabels.get(MODE_ATTRIBUTE)).toBe('incremental');
    expect(againLabels.get(OUTCOME_ATTRIBUTE)).toBe('ok');
    expect(againLabels.get(FAILED_ATTRIBUTE)).toBe(0);

    // The saved view "runs with failures" finds the real run only: not the dry run's predicted failures, not the clean run.
    const withFailures = async () => {
      const ids: string[] = [];
      for await (const run of harness.env.client.workflow.list({ query: `P2cPipeline = 'labels' AND P2cFailed > 0 AND P2cDryRun = false` })) ids.push(run.workflowId);
      return ids;
    };
    await waitFor(async () => (await withFailures()).length > 0, 'visibility to list the run with failures');
    expect(await withFailures()).toEqual([real.workflowId]);
  });

  it('refuses a run started without search attributes beside a running run of its pipeline, naming that run', async () => {
    const first = await harness.startSync({ pipeline: 'lock', batchSize: 10, maxConcurrentBatches: 1, mode: 'full' });
    // Until its first workflow task ran, a run answers no query.
    await waitFor(async () => (await first.query(progressQuery).catch(() => undefined))?.phase === 'syncing', 'the first run to hold its lock and sync');
    await first.signal(pauseSignal);

    // What the Web UI's start form does: a workflow id of its own, the input, nothing else.
    const second = await harness.env.client.workflow.start('syncAccounts', {
      taskQueue: harness.taskQueue,
      workflowId: uniqueName('ui-start'),
      args: [{ pipeline: 'lock' }],
    });
    const refusal = await second.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(WorkflowFailedError);
    const cause = (refusal as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('PipelineBusy');
    expect(cause?.message).toContain(`pipeline 'lock' is already running: workflow ${first.workflowId}, run ${first.firstExecutionRunId}`);
    expect((await attributesOf(second.workflowId)).get(OUTCOME_ATTRIBUTE)).toBe('failed');

    // Cancelled, the first run ends as Temporal's Cancelled at once and lets the next run take the pipeline.
    await first.cancel();
    await expect(first.result()).rejects.toThrow(WorkflowFailedError);
    expect((await first.describe()).status.name).toBe('CANCELLED');
    const next = await harness.startSync({ pipeline: 'lock', accountIds: ['00000000-0000-4000-8000-000000000001'] });
    expect((await next.result()).status).toBe('completed');
  });

  it('starts its preflight beside the lock: scheduled in the first workflow task, before the lock child is started', async () => {
    const handle = await harness.startSync({ pipeline: 'beside', dryRun: true, companies: ['usmf'] });
    await handle.result();
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduledId = (name: string) =>
      Number(events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === name)?.eventId);
    const lockStarted = Number(events.find((event) => event.childWorkflowExecutionStartedEventAttributes)?.eventId);
    const firstTaskCompleted = Number(events.find((event) => event.workflowTaskCompletedEventAttributes)?.eventId);
    const secondTaskScheduled = Number(events.find((event) => event.workflowTaskScheduledEventAttributes && Number(event.eventId) > firstTaskCompleted)?.eventId);
    // Both commands of the first workflow task; before the patch the preflight came only after the lock child started.
    for (const activity of ['pipelineLockId', 'preflight']) {
      expect(scheduledId(activity), activity).toBeGreaterThan(firstTaskCompleted);
      expect(scheduledId(activity), activity).toBeLessThan(secondTaskScheduled);
    }
    expect(lockStarted).toBeGreaterThan(secondTaskScheduled);
  });

  it('two runs started at the same moment: exactly one runs', async () => {
    const [a, b] = await Promise.all([
      harness.startSync({ pipeline: 'race', dryRun: true }),
      harness.startSync({ pipeline: 'race', dryRun: true }),
    ]);
    const outcomes = await Promise.all([a, b].map((handle) => handle.result().then(() => 'ran', (error: unknown) => ((error as WorkflowFailedError).cause as ApplicationFailure).type)));
    expect(outcomes.sort()).toEqual(['PipelineBusy', 'ran']);
  });

  it('cancel stops a run within seconds while its preflight retries against an unreachable F&O', async () => {
    fnoDown();
    try {
      const handle = await harness.startSync({ pipeline: 'cancel-preflight' });
      await waitFor(async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        return pending.some((activity) => activity.activityType?.name === 'preflight' && (activity.attempt ?? 0) >= 2);
      }, 'preflight to be retrying');
      const cancelledAt = Date.now();
      await handle.cancel();
      const error = await handle.result().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(Date.now() - cancelledAt).toBeLessThan(5_000);
      expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      await waitFor(async () => (await attributesOf(handle.workflowId)).get(OUTCOME_ATTRIBUTE) === 'cancelled', 'the cancelled label');
    } finally {
      fnoUp();
    }
  });

  it('fails the run after the unreachable-service limit, with the cause in one line', async () => {
    fnoDown();
    try {
      const started = Date.now();
      const handle = await harness.startSync({ pipeline: 'unreachable', unreachableTimeoutSeconds: 6 });
      const error = await handle.result().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(Date.now() - started).toBeLessThan(20_000);
      const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('ServiceUnreachable');
      expect(cause.message).toMatch(/^gave up after 6 s \(unreachableTimeoutSeconds\): preflight kept failing; last cause: .*F&O/);
      expect(cause.message).not.toContain('\n');
      expect((await attributesOf(handle.workflowId)).get(OUTCOME_ATTRIBUTE)).toBe('failed');
    } finally {
      fnoUp();
    }
  });
});
