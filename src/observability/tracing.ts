import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ExportResult } from '@opentelemetry/core';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSink } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';

/**
 * OpenTelemetry tracing of a worker: workflow spans (made in the sandbox by the SDK's workflow interceptors, handed
 * out through the `exporter` sink), activity spans (the SDK's activity interceptor) and the connectors' HTTP calls
 * as children of the activity that made them (src/connectors/http-client.ts, through the active context).
 * Installed once per process, as the global tracer provider and context manager.
 */
export interface WorkerTracing {
  /** The worker's `exporter` sink, which the workflow interceptors in the bundle call. */
  readonly workflowExporter: InjectedSink<OpenTelemetryWorkflowExporter>;
  readonly activityInterceptors: ActivityInterceptorsFactory[];
  /** Sends what is buffered and uninstalls the provider. */
  shutdown(): Promise<void>;
}

export function installTracing(options: { exporter: SpanExporter; serviceName?: string; batch?: boolean }): WorkerTracing {
  const resource = new Resource({ 'service.name': options.serviceName ?? 'p2c-worker' });
  const exporter = new RedactingSpanExporter(options.exporter);
  // Batching for a real collector; tests take every span as it ends.
  const processor = options.batch === false ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  provider.register({ contextManager });
  return {
    workflowExporter: workflowExporter(processor, resource),
    activityInterceptors: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx) })],
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}

/** Workflow spans to the processor; not during replay, so a replayed workflow task does not report its spans twice. */
function workflowExporter(processor: SpanProcessor, resource: Resource): InjectedSink<OpenTelemetryWorkflowExporter> {
  const exporter = makeWorkflowExporter(processor, resource);
  return {
    export: {
      // The SDK copies the whole WorkflowInfo into every workflow span's attributes — memo, search attributes and a
      // scheduled run's previous result (failure lists with account values) among them; only ids go on.
      fn: (info, spans) => exporter.export.fn(workflowIds(info), spans),
      callDuringReplay: false,
    },
  };
}

function workflowIds(info: WorkflowInfo): WorkflowInfo {
  const { namespace, taskQueue, workflowId, runId, workflowType, attempt } = info;
  return { namespace, taskQueue, workflowId, runId, workflowType, attempt } as WorkflowInfo;
}

/** Attribute keys whose values may leave the worker: ids, types, HTTP method, host and status — nothing else. */
const ALLOWED_ATTRIBUTE = /^(namespace|taskQueue|workflowId|runId|workflowType|attempt|run_id|temporalWorkflowId|temporalActivityId|temporalUpdateId|http\.request\.method|http\.response\.status_code|server\.address|server\.port|error\.type|p2c\.service|exception\.type)$/;

/**
 * Failure messages may quote a record (the failure converter encrypts them in history for that reason): spans keep
 * the status code and the exception's type, never a message; attributes outside the allowed ids are dropped.
 */
export function redactSpan(span: ReadableSpan): ReadableSpan {
  const allowed = (attributes: ReadableSpan['attributes']) => Object.fromEntries(Object.entries(attributes).filter(([key]) => ALLOWED_ATTRIBUTE.test(key)));
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanId !== undefined ? { parentSpanId: span.parentSpanId } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    status: { code: span.status.code },
    attributes: allowed(span.attributes),
    links: span.links,
    events: span.events.map((event) => ({ ...event, attributes: event.attributes ? allowed(event.attributes) : {} })),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationLibrary: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

class RedactingSpanExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans.map(redactSpan), resultCallback);
  }

  async shutdown(): Promise<void> {
    await this.inner.shutdown();
  }

  async forceFlush(): Promise<void> {
    await this.inner.forceFlush?.();
  }
}
