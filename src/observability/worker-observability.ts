import { type Logger, Runtime } from '@temporalio/worker';
import { freePort } from '../temporal/free-port';
import { createJsonLogger } from './json-logger';
import { startMetricsServer, scrape, type RunningMetricsServer } from './metrics-server';
import { loadObservabilityEnvironment } from './observability-environment';
import { SyncMetrics } from './sync-metrics';

export interface WorkerObservability {
  logger: Logger;
  /** Present when `P2C_METRICS_PORT` is set. */
  metrics: SyncMetrics | undefined;
  metricsUrl: string | undefined;
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
  if (sdkMetricsPort === undefined) {
    return { logger, metrics: undefined, metricsUrl: undefined, close: async () => undefined };
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
    throw error;
  }
  logger.info('metrics served', { url: server.url });
  return {
    logger,
    metrics,
    metricsUrl: server.url,
    close: async () => {
      await server.close();
      metrics.close();
    },
  };
}
