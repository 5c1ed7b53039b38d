import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { installTracing, type WorkerTracing } from '../../../src/observability/tracing';
import { connectClient, type ConnectedClient } from '../../../src/temporal/client';
import { readAllAccounts } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';
import { testPayloadCodec } from '../../support/temporal';
import { decodedText, encodingOf, historyBytes, payloadsIn } from './history-payloads';

// Acceptance: the raw history of completed runs, read by a client without the codec, shows no email, phone, name or
// secret — while the same history decoded with the key does carry personal data (the dry run's plan, the failures'
// values), so the search is shown to find what it looks for. With tracing on, so the trace context the OpenTelemetry
// interceptors write into activity headers is in the history too (a worker without tracing writes none).
describe('personal data and secrets in Temporal history', () => {
  let harness: PipelineHarness;
  let raw: ConnectedClient;
  let tracing: WorkerTracing;

  beforeAll(async () => {
    tracing = installTracing({ exporter: new InMemorySpanExporter(), batch: false, serviceName: 'p2c-test-worker' });
    harness = await PipelineHarness.start({ emulators: { generate: { count: 300, seed: 5 } }, tracing });
    raw = await connectClient({ address: inject('temporalAddress'), namespace: 'default', payloadCodec: null });
  }, 60_000);

  afterAll(async () => {
    await raw?.close();
    await harness?.close();
    await tracing?.shutdown();
  });

  const rawHistory = (workflowId: string) => raw.client.workflow.getHandle(workflowId).fetchHistory();

  it('keeps every email, phone, name and the client secret out of the stored history of a dry run and a real run', async () => {
    const accounts = await readAllAccounts(harness.deps.dataverse);
    const secret = harness.emulators.client.clientSecret;
    const personal = [
      ...new Set(accounts.flatMap((a) => [a.emailaddress1, a.telephone1, a.name]).filter((v): v is string => typeof v === 'string' && v.length >= 6)),
    ];
    expect(personal.length).toBeGreaterThan(500);

    const dry = await harness.startSync({ dryRun: true, maxFailuresInResult: 10_000 });
    const dryReport = await dry.result();
    expect(dryReport.plan?.wouldCreate).toBeGreaterThan(100);
    const real = await harness.startSync({ maxFailuresInResult: 10_000 });
    const report = await real.result();
    expect(report.totals.created).toBeGreaterThan(100);
    expect(report.failures.total).toBeGreaterThan(0);

    for (const handle of [dry, real]) {
      const history = await rawHistory(handle.workflowId);
      const bytes = historyBytes(history);
      const decoded = await decodedText(history, testPayloadCodec() ?? { encode: async (p) => p, decode: async (p) => p });

      const readable = personal.filter((value) => decoded.includes(value));
      // Names longer than F&O allows come back as TOO_LONG failures quoting the value.
      expect(readable.length, `personal data decoded from ${handle.workflowId}`).toBeGreaterThan(0);
      const leaked = [...personal, secret].filter((value) => bytes.includes(Buffer.from(value, 'utf8')) || bytes.includes(Buffer.from(JSON.stringify(value).slice(1, -1), 'utf8')));
      expect(leaked, `plaintext in the stored history of ${handle.workflowId}`).toEqual([]);
      expect(decoded).not.toContain(secret);

      // Every payload is sealed, except those the server must read (search attributes and the memo), the patch
      // markers the SDK's core writes itself (`patched()`: the patch id) and the trace context the OpenTelemetry
      // interceptors put in activity headers (a W3C traceparent: ids only).
      const found = payloadsIn(history);
      expect(found.length).toBeGreaterThan(10);
      const plain = found.filter(({ payload }) => encodingOf(payload) !== 'binary/encrypted');
      const json = ({ payload }: (typeof plain)[number]) => JSON.parse(Buffer.from(payload.data ?? []).toString('utf8')) as unknown;
      const markers = plain.filter(({ path }) => /\.markerRecordedEventAttributes\.details\.patch-data\./.test(path));
      expect(markers.length).toBeGreaterThan(0);
      for (const marker of markers) expect(json(marker), marker.path).toMatchObject({ id: expect.stringMatching(/^[a-z-]+$/) });
      expect(markers.map(json)).toContainEqual({ id: 'notify-webhook', deprecated: false });
      const traceHeaders = plain.filter(({ path }) => /\.activityTaskScheduledEventAttributes\.header\.fields\._tracer-data$/.test(path));
      expect(traceHeaders.length).toBeGreaterThan(3);
      for (const header of traceHeaders) expect(json(header)).toEqual({ traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/) });
      const allowed = /\.(searchAttributes|memo)\.indexedFields|\.memo\.fields|\.upsertedMemo\.fields|\.markerRecordedEventAttributes\.details\.patch-data\.|\.header\.fields\._tracer-data$/;
      expect(plain.map(({ path }) => path).filter((path) => !allowed.test(path))).toEqual([]);

      // Large payloads (the unit results listing failures above all) were deflated before they were sealed; they
      // decoded above like the rest.
      const compressed = found.filter(({ payload }) => Buffer.from(payload.metadata?.['encryption-compression'] ?? []).toString('utf8') === 'deflate');
      expect(compressed.some(({ path }) => /\.activityTaskCompletedEventAttributes\.result\./.test(path)), `a compressed unit result in ${handle.workflowId}`).toBe(true);
    }
  });

  it('encrypts failure messages and details, which can quote values', async () => {
    const handle = await harness.startSync({ company: 'zz99' });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const messages: string[] = [];
    for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) messages.push(cause.message);
    // The client with the key reads the real message (and its problems, in the details)...
    expect(messages.join('\n')).toMatch(/companies: 'zz99' is not configured/);

    // ...the stored history holds "Encoded failure (<its type>)" and ciphertext.
    const history = await rawHistory(handle.workflowId);
    // The requested company is also a search attribute (P2cCompanies), plain by design (README: search attributes
    // hold no personal data): the failure's words are looked for everywhere else.
    const withoutSearchAttributes = {
      events: (history.events ?? []).filter((event) => !event.upsertWorkflowSearchAttributesEventAttributes).map((event) =>
        event.workflowExecutionStartedEventAttributes ? { ...event, workflowExecutionStartedEventAttributes: { ...event.workflowExecutionStartedEventAttributes, searchAttributes: null } } : event,
      ),
    };
    const bytes = historyBytes(withoutSearchAttributes);
    for (const text of ['is not configured', 'zz99', 'Invalid configuration']) expect(bytes.includes(Buffer.from(text)), text).toBe(false);
    const failed = history.events?.find((event) => event.workflowExecutionFailedEventAttributes);
    const failure = failed?.workflowExecutionFailedEventAttributes?.failure;
    // Only the kind of failure stays readable for `temporal workflow show` and the UI's list.
    expect(failure?.message).toMatch(/^Encoded failure \((InvalidInput|InvalidConfiguration)\)$/);
    expect(failure?.encodedAttributes && encodingOf(failure.encodedAttributes)).toBe('binary/encrypted');
    const details = failure?.applicationFailureInfo?.details?.payloads ?? [];
    expect(details.length).toBeGreaterThan(0);
    for (const payload of details) expect(encodingOf(payload)).toBe('binary/encrypted');
  });
});
