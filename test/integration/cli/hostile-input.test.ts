import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTemporalCli } from '../../../src/temporal/ensure-temporal.cjs';
import { startCodecServer, type RunningCodecServer } from '../../../src/codec/codec-server';
import { EncryptionCodec } from '../../../src/codec/encryption-codec';
import { generatePayloadKey, loadPayloadProtection } from '../../../src/codec/payload-keys';
import { PipelineHarness } from '../../support/pipeline';
import { testPayloadCodec, uniqueName } from '../../support/temporal';

const run = promisify(execFile);

// Workflow input as an outsider can send it with the `temporal` CLI alone: every hostile form must end the run at
// once with a failure naming the cause, before anything is read or written — never a run that retries its first
// workflow task for ever, never an argument silently ignored, never internal state taken from outside.
describe('hostile workflow input through the temporal CLI', () => {
  let harness: PipelineHarness;
  let codec: RunningCodecServer;
  let foreignCodec: RunningCodecServer;
  let cli: string;

  beforeAll(async () => {
    cli = ensureTemporalCli();
    const payloadCodec = testPayloadCodec();
    if (!payloadCodec) throw new Error('the test run always encrypts payloads (global-setup.ts sets a key)');
    const foreign = loadPayloadProtection({ P2C_PAYLOAD_KEYS: generatePayloadKey('elsewhere') });
    if (foreign.kind !== 'encrypted') throw new Error('a key was given');
    [harness, codec, foreignCodec] = await Promise.all([
      PipelineHarness.start({ emulators: { generate: { count: 20, seed: 71 } } }),
      startCodecServer({ codec: payloadCodec }),
      startCodecServer({ codec: new EncryptionCodec(foreign.keyring) }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([codec?.close(), foreignCodec?.close()]);
    await harness?.close();
  });

  /** Starts syncAccounts with the CLI (through the codec at `codecUrl`, or none: `null`) and returns how the run failed. */
  async function startAndFail(args: string[], codecUrl: string | null = codec.url): Promise<ApplicationFailure> {
    const workflowId = uniqueName('p2c-sync-hostile');
    await run(
      cli,
      ['workflow', 'start', '--type', 'syncAccounts', '--task-queue', harness.taskQueue, '--workflow-id', workflowId, ...args,
        '--address', inject('temporalAddress'), ...(codecUrl ? ['--codec-endpoint', codecUrl] : [])],
      { timeout: 30_000 },
    );
    const handle = harness.env.client.workflow.getHandle(workflowId);
    // Before the fix these runs never ended: the first workflow task failed and was retried for ever.
    const outcome = await Promise.race([
      handle.result().then(() => new Error('the run completed'), (error: unknown) => error),
      new Promise<Error>((resolve) => setTimeout(() => resolve(new Error('the run was still running after 20 s')), 20_000)),
    ]);
    expect(outcome).toBeInstanceOf(WorkflowFailedError);
    const cause = (outcome as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    const failure = cause as ApplicationFailure;
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    const { status } = await handle.describe();
    expect(status.name).toBe('FAILED');
    return failure;
  }

  const noWrites = () => {
    expect(harness.emulators.dataverse.admin.counters.snapshot().writes).toBe(0);
    expect(harness.emulators.fno.admin.counters.snapshot().writes).toBe(0);
  };

  it('an input encrypted with a key the worker does not hold fails the run, naming the key', async () => {
    const failure = await startAndFail(['--input', '{"batchSize": 10}'], foreignCodec.url);
    expect(failure.message).toBe('Invalid input: argument 1 could not be decoded: payload was encrypted with key "elsewhere", which is not configured (configured: test-run)');
    noWrites();
  });

  it('garbage ciphertext under the right key id fails the run: altered, or a different key', async () => {
    const failure = await startAndFail(
      ['--input', randomBytes(64).toString('base64'), '--input-base64',
        '--input-meta', 'encoding=binary/encrypted', '--input-meta', 'encryption-key-id=test-run', '--input-meta', 'encryption-cipher=AES256GCM'],
      null,
    );
    expect(failure.message).toBe(
      'Invalid input: argument 1 could not be decoded: encrypted payload failed authentication with key "test-run": altered, or a different key under that id',
    );
    noWrites();
  });

  it('an encoding no converter reads fails the run instead of every workflow task', async () => {
    const failure = await startAndFail(['--input', '{"pipeline": "x"}', '--input-meta', 'encoding=binary/zipped\u0007'], null);
    expect(failure.message).toBe('Invalid input: argument 1 could not be decoded: the payload has encoding "binary/zipped?", which no converter reads (encrypted with no key configured?)');
    noWrites();
  });

  it('a second --input is refused, not ignored', async () => {
    const failure = await startAndFail(['--input', '{"batchSize": 10}', '--input', '{"dryRun": true}']);
    expect(failure.message).toBe('Invalid input: syncAccounts takes one JSON object, got 2 arguments (one --input, not several)');
    noWrites();
  });

  it('a checkpoint from outside is refused: only the run\'s own continue-as-new may carry one', async () => {
    const forged = {
      mode: 'full',
      nextWatermark: 'version:999999999',
      cursor: null,
      unitsDone: 0,
      totals: { read: 0, created: 123456, updated: 0, unchanged: 0, failed: 0, outOfScope: 0 },
      companies: {},
      numbering: { assigned: 0, wouldAssign: 0, renumbered: 0, duplicateGroups: 0 },
      failures: [],
      failuresTotal: 0,
      configVersion: 'forged',
      startedAt: '2024-01-01T00:00:00Z',
      firstRunId: 'forged-run',
      previousRunIds: ['forged-run'],
      numberingSeconds: 0,
    };
    const failure = await startAndFail(['--input', JSON.stringify({ checkpoint: forged })]);
    expect(failure.message).toBe(
      'Invalid input: checkpoint is internal state a run hands to its own continuation; a run started from outside cannot carry one',
    );
    noWrites();
  });

  it.each([
    ['-271821-04-20'],
    ['x 1'],
    ['2024-02-30'],
    ['version:9999999999999999999'],
  ])('since %j is refused', async (since) => {
    const failure = await startAndFail(['--input', JSON.stringify({ since })]);
    expect(failure.message).toBe(
      'Invalid input: since: must be an ISO-8601 date-time with its zone (years 1900-9999), such as "2024-05-01T00:00:00Z", a watermark "version:<n>" with n at most 9223372036854775807, or a delta link "delta:<url>" from an earlier result',
    );
    noWrites();
  });
});
