import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { ensureTemporalCli } from '../../src/temporal/ensure-temporal.cjs';
import { progressQuery } from '../../src/workflows';
import { PipelineHarness } from '../support/pipeline';
import { uniqueName } from '../support/temporal';

/**
 * Records full runs whose sync overlaps the upgrade script (numbering in chunks beside the sync), as fixtures next to
 * record-histories.record.ts's: Dataverse takes 200 ms of server time per numbering write and numbers 10 accounts per
 * batch, so numbering outlasts its opening chunk and the run syncs beside it.
 */
const fixtures = path.resolve(__dirname, '../fixtures/histories');
process.env.P2C_PAYLOAD_KEYS = readFileSync(path.join(fixtures, 'payload-keys.txt'), 'utf8').trim();
const release = process.env.P2C_RECORD_RELEASE ?? 'unreleased';
const target = path.join(fixtures, release);

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

async function record(scenario: string, workflowId: string): Promise<number> {
  const runIds: string[] = [];
  for await (const execution of harness.env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runIds.push(execution.runId);
  runIds.reverse();
  for (const [index, runId] of runIds.entries()) {
    const json = execFileSync(ensureTemporalCli(), ['workflow', 'show', '--address', inject('temporalAddress'), '--workflow-id', workflowId, '--run-id', runId, '--output', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    writeFileSync(path.join(target, `${scenario}-${index + 1}.json`), json);
  }
  return runIds.length;
}

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
