import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../../src/workflows';
import { progressQuery } from '../../../src/workflows';
import { PipelineHarness } from '../../support/pipeline';
import { waitFor } from '../../support/worker-process';
import { p2c, temporalArgs } from './cli-runner';

describe('numbering progress, live', () => {
  let harness: PipelineHarness;
  let unnumbered: number;

  beforeAll(async () => {
    // Each numbering write costs 40 ms of server time, one batch of 10 at a time: the upgrade script runs for several
    // seconds, in chunks of one second.
    harness = await PipelineHarness.start({
      emulators: { generate: { count: 600, seed: 9 }, dataverse: { serverTime: { readMs: 0, writeMs: 40, jitterMs: 0 } } },
      config: { limits: { numberingBatchSize: 10, numberingConcurrency: 1 } },
    });
    unnumbered = harness.emulators.dataverse.store.listAccounts().filter((a) => a.statecode === 0 && !a.accountnumber).length;
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('the progress query and p2c sync status show the numbers assigned so far, the rate and the time left while it runs', async () => {
    expect(unnumbered).toBeGreaterThan(40);
    const handle = await harness.startSync({ numberingChunkSeconds: 1 });
    const seen: NonNullable<SyncProgress['numbering']>[] = [];
    await waitFor(async () => {
      const progress = await handle.query(progressQuery);
      // With the overlap, syncing starts after the first chunk while numbering goes on: numbering progress shows in
      // either phase (waiting for the 'numbering' phase alone missed it on a loaded machine).
      if ((progress.phase === 'numbering' || progress.phase === 'syncing') && progress.numbering) seen.push(progress.numbering);
      return seen.some((n) => n.assigned > 0 && !n.done);
    }, 'the progress query to show numbering under way', 60_000);
    const midway = seen.find((n) => n.assigned > 0 && !n.done);
    expect(midway?.toNumber).toBe(unnumbered);
    expect(midway?.assigned).toBeLessThan(unnumbered);
    expect(midway?.perSecond).toBeGreaterThan(0);
    expect(midway?.etaSeconds).toBeGreaterThan(0);

    const status = await p2c([...temporalArgs(harness.taskQueue), 'sync', 'status', handle.workflowId]);
    expect(status.code, status.stderr).toBe(0);
    const line = /Account Numbers:\s+numbered ([\d,]+) of ([\d,]+)\s+[\d.,]+\/s(\s+ETA \d+ (s|min))?/.exec(status.stdout);
    expect(line, status.stdout).not.toBeNull();
    expect(Number(line?.[2]?.replace(/,/g, ''))).toBe(unnumbered);

    const report = await handle.result();
    expect(report.accountNumbers.assigned).toBe(unnumbered);
    const after = await handle.query(progressQuery).catch(() => undefined);
    if (after) expect(after.numbering).toMatchObject({ assigned: unnumbered, toNumber: unnumbered, done: true });
    // Numbers grew from one chunk to the next, never back.
    const assigned = seen.map((n) => n.assigned);
    expect(assigned).toEqual([...assigned].sort((a, b) => a - b));
    expect(harness.emulators.dataverse.store.listAccounts().filter((a) => a.statecode === 0 && !a.accountnumber)).toEqual([]);
  }, 120_000);
});
