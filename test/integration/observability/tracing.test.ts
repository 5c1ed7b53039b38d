import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTracing, type WorkerTracing } from '../../../src/observability/tracing';
import type { SyncReport } from '../../../src/workflows';
import { readAllAccounts } from '../../support/expected-state';
import { PipelineHarness } from '../../support/pipeline';

// A real sync on the dev server with tracing on, spans kept in memory: the run, each activity it scheduled and ran,
// and every HTTP call to Dataverse, F&O and Entra ID, linked parent to child — and no account data anywhere.
describe('OpenTelemetry traces of a run', () => {
  let exporter: InMemorySpanExporter;
  let tracing: WorkerTracing;
  let harness: PipelineHarness;
  let report: SyncReport;
  let workflowId: string;
  let spans: ReadableSpan[];

  beforeAll(async () => {
    exporter = new InMemorySpanExporter();
    tracing = installTracing({ exporter, batch: false, serviceName: 'p2c-test-worker' });
    harness = await PipelineHarness.start({ emulators: { generate: { count: 150, seed: 31 } }, tracing });
    const handle = await harness.startSync({ batchSize: 50, maxFailuresInResult: 10_000 });
    workflowId = handle.workflowId;
    report = await handle.result();
    spans = exporter.getFinishedSpans();
  }, 90_000);

  afterAll(async () => {
    await harness?.close();
    await tracing?.shutdown();
  });

  const id = (span: ReadableSpan) => span.spanContext().spanId;

  it('has the run as the root, the activities under it and the HTTP calls under the activity that made them', () => {
    const runs = spans.filter((span) => span.name === 'RunWorkflow:syncAccounts' && span.attributes.workflowId === workflowId);
    expect(runs).toHaveLength(1);
    const run = runs[0] as ReadableSpan;
    const traceId = run.spanContext().traceId;
    const inTrace = spans.filter((span) => span.spanContext().traceId === traceId);
    const byId = new Map(inTrace.map((span) => [id(span), span]));
    const parentOf = (span: ReadableSpan) => (span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId));

    // Scheduled by the workflow (StartActivity, child of the run), executed by the worker (RunActivity, child of that).
    const started = inTrace.filter((span) => span.name.startsWith('StartActivity:'));
    const ran = inTrace.filter((span) => span.name.startsWith('RunActivity:'));
    expect(new Set(started.map((span) => span.name))).toEqual(
      new Set(['pipelineLockId', 'preflight', 'assignAccountNumbers', 'readAccountChanges', 'planWorkUnits', 'syncWorkUnit', 'notifyRunEnd'].map((name) => `StartActivity:${name}`)),
    );
    for (const span of started) expect(parentOf(span), span.name).toBe(run);
    expect(ran.filter((span) => span.name === 'RunActivity:syncWorkUnit')).toHaveLength(3);
    for (const span of ran) {
      const parent = parentOf(span);
      expect(parent?.name, span.name).toBe(span.name.replace('RunActivity:', 'StartActivity:'));
      expect(span.attributes.temporalWorkflowId).toBe(workflowId);
    }

    // Every HTTP call of the run is a client span under a RunActivity span, with method, host, port and status.
    const calls = inTrace.filter((span) => span.kind === SpanKind.CLIENT);
    expect(new Set(calls.map((span) => span.attributes['p2c.service']))).toEqual(new Set(['dataverse', 'fno', 'entra']));
    for (const call of calls) {
      expect(parentOf(call)?.name, call.name).toMatch(/^RunActivity:/);
      expect(call.name).toBe(`${String(call.attributes['http.request.method'])} ${String(call.attributes['p2c.service'])}`);
      expect(call.attributes['server.address']).toBe('127.0.0.1');
      expect(call.attributes['server.port']).toEqual(expect.any(Number));
      expect(call.attributes['http.response.status_code']).toEqual(expect.any(Number));
    }
    const writes = calls.filter((call) => call.attributes['p2c.service'] === 'fno' && call.attributes['http.request.method'] === 'POST');
    expect(writes.length).toBeGreaterThan(0);
    const underSync = writes.filter((call) => parentOf(call)?.name === 'RunActivity:syncWorkUnit');
    expect(underSync.length).toBeGreaterThan(0);
    expect(report.totals.created).toBeGreaterThan(50);
  });

  it('puts no account data, URL path, query or secret in any span', async () => {
    const accounts = await readAllAccounts(harness.deps.dataverse);
    const personal = [
      ...new Set(
        accounts.flatMap((a) => [a.name, a.emailaddress1, a.telephone1, a.accountnumber, a.accountid]).filter((v): v is string => typeof v === 'string' && v.length >= 5),
      ),
    ];
    expect(personal.length).toBeGreaterThan(300);
    const text = JSON.stringify(
      spans.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status, resource: span.resource.attributes })),
    );
    expect(report.failures.total).toBeGreaterThan(0);
    const forbidden = [...personal, harness.emulators.client.clientSecret, '$filter', '$select', 'accounts(', 'CustomersV2', '/api/data', 'client_secret', 'configVersion'];
    expect(forbidden.filter((value) => text.includes(value))).toEqual([]);
    // Only ids, types, method, host, port and status are attributes.
    const keys = new Set(spans.flatMap((span) => Object.keys(span.attributes)));
    expect([...keys].filter((key) => !/^(namespace|taskQueue|workflowId|runId|workflowType|attempt|run_id|temporalWorkflowId|temporalActivityId|http\.request\.method|http\.response\.status_code|server\.address|server\.port|error\.type|p2c\.service)$/.test(key))).toEqual([]);
  });
});
