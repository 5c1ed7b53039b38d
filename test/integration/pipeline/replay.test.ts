import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workerDataConverter } from '../../../src/temporal/data-converter';
import { PipelineHarness } from '../../support/pipeline';
import { testPayloadCodec } from '../../support/temporal';

// Replaying a recorded history against the current workflow code is how Temporal detects non-determinism: a run
// that was recorded (with pauses, continue-as-new and a failure list) must replay without a single divergence.
describe('determinism', () => {
  let harness: PipelineHarness;
  beforeAll(async () => {
    harness = await PipelineHarness.start({ emulators: { generate: { count: 300, seed: 61 } } });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('replays the histories of a run that paused, resumed and continued as new', async () => {
    const handle = await harness.startSync({ batchSize: 10, maxConcurrentBatches: 3, continueAsNewAfterEvents: 100 });
    await handle.signal('pause');
    await handle.signal('resume');
    const report = await handle.result();
    expect(report.continuedAsNew).toBeGreaterThan(0);

    const histories: { workflowId: string; history: Awaited<ReturnType<typeof handle.fetchHistory>> }[] = [];
    for await (const execution of harness.env.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) {
      const history = await harness.env.client.workflow.getHandle(handle.workflowId, execution.runId).fetchHistory();
      histories.push({ workflowId: handle.workflowId, history });
    }
    expect(histories.length).toBe(report.continuedAsNew + 1);
    for (const { workflowId, history } of histories) {
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: workerDataConverter(testPayloadCodec()) },
        history,
        workflowId,
      );
    }
  });
});
