import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingActivity } from '../../../src/cli/sync/pending-activities';
import { PipelineHarness } from '../../support/pipeline';
import { waitFor } from '../../support/worker-process';
import { p2c, temporalArgs } from './cli-runner';

describe('p2c sync status of a running sync', () => {
  let harness: PipelineHarness;

  beforeAll(async () => {
    // A slow Dataverse keeps the upgrade script and the first units in flight long enough to be seen.
    harness = await PipelineHarness.start({ emulators: { generate: { count: 200, seed: 5 }, dataverse: { faults: { latencyMs: 700 } } } });
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('shows the activities in flight with their attempt and their last heartbeat figures, decoded', async () => {
    const handle = await harness.startSync({ batchSize: 50, maxConcurrentBatches: 2 });
    const args = [...temporalArgs(harness.taskQueue), 'sync', 'status', handle.workflowId];
    const seen = new Set<string>();
    let withFigures: PendingActivity | undefined;
    await waitFor(async () => {
      const status = await p2c([...args, '--json']);
      expect(status.code, status.stderr).toBe(0);
      const { activities = [] } = JSON.parse(status.stdout) as { activities?: PendingActivity[] };
      for (const activity of activities) seen.add(activity.type);
      withFigures ??= activities.find((activity) => activity.progress !== undefined && activity.attempt >= 1);
      return seen.has('assignAccountNumbers') && withFigures !== undefined;
    }, 'the upgrade script and an activity with heartbeat figures in sync status', 60_000);
    expect(Object.values(withFigures?.progress ?? {}).every((value) => Number.isFinite(value))).toBe(true);

    const table = await p2c(args);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/Activities in flight:(\n {2}\w+ {2}(scheduled|started), attempt \d+.*)+|Activities in flight: none/);

    await handle.result();
    const closed = await p2c(args);
    expect(closed.stdout).not.toContain('Activities in flight');
  }, 120_000);
});
