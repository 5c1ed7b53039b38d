import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { progressQuery } from '../../src/workflows';
import { PipelineHarness } from '../support/pipeline';
import { uniqueName } from '../support/temporal';
import { historyFixturesTarget, recordHistoryChain } from './history-fixtures';

/**
 * Records full runs whose sync overlaps the upgrade script (numbering in chunks beside the sync), as fixtures next to
 * record-histories.record.ts's: Dataverse takes 200 ms of server time per numbering write and numbers 10 accounts per
 * batch, so numbering outlasts its opening chunk and the run syncs beside it.
 */
const target = historyFixturesTarget();

let harness: PipelineHarness;
beforeAll(async () => {
  harness = await PipelineHarness.start({
    emulators: { generate: { count: 300, seed: 61 }, dataverse: { serverTime: { readMs: 0, writeMs: 200, jitterMs: 0 } } },
    config: { limits: { numberingBatchSize: 10, numberingConcurrency: 1 } },
  });
  mkdirSync(target, { recursive: true });
}, 60_000);
afterAll(async () => {
  await harness?.close();
});

const record = (scenario: string, workflowId: string): Promise<number> =>
  recordHistoryChain(harness.env.client, inject('temporalAddress'), target, scenario, workflowId);

it('records a full run whose sync overlaps numbering', async () => {
  const overlapId = uniqueName('overlap');
  const handle = await harness.startSync({ unitSize: 20, maxConcurrentUnits: 2, numberingChunkSeconds: 1, numberingOverlap: true }, overlapId);
  let overlapped = false;
  for (;;) {
    const progress = await handle.query(progressQuery);
    if (progress.numbering && !progress.numbering.done && progress.totals.read > 0) overlapped = true;
    if (progress.numbering?.done) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const report = await handle.result();
  expect(overlapped).toBe(true);
  expect(report.status).toBe('completed');
  expect(await record('numbering-overlap', overlapId)).toBe(1);
}, 300_000);
