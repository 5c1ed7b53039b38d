import { type Logger, Runtime } from '@temporalio/worker';
import { freePort } from '../util/free-port';
import { createJsonLogger } from './json-logger';
import { startMetricsServer, scrape, type RunningMetricsServer } from './metrics-server';
import { loadObservabilityEnvironment } from './observability-environment';
import { SyncMetrics } from './sync-metrics';
import { installTracing, type WorkerTracing } from './tracing';

export interface WorkerObservability {
  logger: Logger;
  /** Present when `P2C_METRICS_PORT` is set. */
  metrics: SyncMetrics | undefined;
  metricsUrl: string | undefined;
  /** Present when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). */
  tracing: WorkerTracing | undefined;
  close(): Promise<void>;
}

/**
 * Installs the SDK runtime of a worker process: JSON-line logs (the SDK's, the core's warnings, activities' and
 * workflows' through the SDK's logger plumbing) and, with `P2C_METRICS_PORT`, one `/metrics` serving the sync's
 * metrics followed by the SDK's runtime metrics (which the core exports on a loopback port of its own). Must run
 * before the first connection to Temporal: the runtime is installed once per process.
 */
export async function installWorkerObservability(env: NodeJS.ProcessEnv = process.env): Promise<WorkerObservability> {
  const settings = loadObservabilityEnvironment(env);
  const logger = createJsonLogger({ level: settings.P2C_LOG_LEVEL });
  const sdkMetricsPort = settings.P2C_METRICS_PORT === undefined ? undefined : await freePort();
  Runtime.install({
    logger,
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(sdkMetricsPort !== undefined
        ? {
            metrics: {
              prometheus: {
                bindAddress: `127.0.0.1:${sdkMetricsPort}`,
                countersTotalSuffix: true,
                unitSuffix: true,
                useSecondsForDurations: true,
              },
            },
          }
        : {}),
    },
  });
  const otlpEndpoint = settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracing = otlpEndpoint === undefined ? undefined : await installOtlpTracing(settings.OTEL_SERVICE_NAME);
  if (tracing) logger.info('traces exported over OTLP', { endpoint: new URL(otlpEndpoint ?? '').origin });
  const closeTracing = async () => {
    await tracing?.shutdown();
  };
  if (sdkMetricsPort === undefined) {
    return { logger, metrics: undefined, metricsUrl: undefined, tracing, close: closeTracing };
  }
  const metrics = new SyncMetrics();
  let server: RunningMetricsServer;
  try {
    server = await startMetricsServer({
      host: settings.P2C_METRICS_HOST,
      port: settings.P2C_METRICS_PORT,
      sources: [() => metrics.text(), scrape(`http://127.0.0.1:${sdkMetricsPort}/metrics`)],
    });
  } catch (error) {
    metrics.close();
    await closeTracing();
    throw error;
  }
  logger.info('metrics served', { url: server.url });
  return {
    logger,
    metrics,
    metricsUrl: server.url,
    tracing,
    close: async () => {
      await server.close();
      metrics.close();
      await closeTracing();
    },
  };
}

/** The OTLP exporter (with its protobuf code) is loaded only when tracing is on. */
async function installOtlpTracing(serviceName: string): Promise<WorkerTracing> {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return installTracing({ exporter: new OTLPTraceExporter(), serviceName });
}
