import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { PipelineHarness } from '../support/pipeline';
import { uniqueName } from '../support/temporal';
import { historyFixturesTarget, recordHistoryChain } from './history-fixtures';

/**
 * Records the workflow histories of this release as fixtures (`P2C_RECORD_RELEASE=release-<n> npm run record-histories`, see
 * test/fixtures/histories/README.md). Every later change to workflow code must replay them
 * (test/integration/pipeline/replay-recorded.test.ts): runs and schedules in flight survive an upgrade.
 *
 * Payloads are encrypted with the fixtures' own key (test/fixtures/histories/payload-keys.txt, a test key that
 * protects nothing), so the fixtures replay with the production codec.
 */
const target = historyFixturesTarget();

let harness: PipelineHarness;
beforeAll(async () => {
  harness = await PipelineHarness.start({ emulators: { generate: { count: 300, seed: 61 } } });
  mkdirSync(target, { recursive: true });
}, 60_000);
afterAll(async () => {
  await harness?.close();
});

const record = (scenario: string, workflowId: string): Promise<number> =>
  recordHistoryChain(harness.env.client, inject('temporalAddress'), target, scenario, workflowId);

it('records a full run that paused, resumed and continued as new, then incremental, dry, retry, cancelled and refused runs', async () => {
  const fullId = uniqueName('full');
  const full = await harness.startSync({ batchSize: 10, maxConcurrentBatches: 3, continueAsNewAfterEvents: 100 }, fullId);
  await full.signal('pause');
  await full.signal('resume');
  const first = await full.result();
  expect(first.continuedAsNew).toBeGreaterThan(0);
  expect(await record('full-continued', fullId)).toBe(first.continuedAsNew + 1);

  const edited: string[] = [];
  for await (const page of harness.deps.dataverse.queryAll({ entitySet: 'accounts', select: ['accountid'], filter: 'statecode eq 0', pageSize: 5 })) {
    for (const row of page.slice(0, 4)) edited.push((row as { accountid: string }).accountid);
    break;
  }
  for (const [index, id] of edited.entries()) await harness.deps.dataverse.update('accounts', id, { telephone1: `+1 555 0199 ${index}` }, {});

  const incrementalId = uniqueName('incremental');
  const incremental = await (await harness.startSync({ mode: 'incremental', since: first.watermark.next }, incrementalId)).result();
  expect(incremental.totals.updated).toBeGreaterThan(0);
  await record('incremental', incrementalId);

  const dryId = uniqueName('dry');
  await (await harness.startSync({ dryRun: true, batchSize: 50 }, dryId)).result();
  await record('dry-run', dryId);

  const retryId = uniqueName('retry');
  await (await harness.startSync({ accountIds: edited.slice(0, 2) }, retryId)).result();
  await record('account-ids', retryId);

  const cancelId = uniqueName('cancelled');
  const cancelled = await harness.startSync({ batchSize: 5, maxConcurrentBatches: 1, mode: 'full' }, cancelId);
  await cancelled.signal('cancel');
  await cancelled.result();
  await record('cancelled', cancelId);

  const refusedId = uniqueName('refused');
  await expect((await harness.startSync({ company: 'zzzz' }, refusedId)).result()).rejects.toThrow();
  await record('refused', refusedId);
}, 300_000);
