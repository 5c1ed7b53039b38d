import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from './activities';
import { connectDependencies } from './activities/dependencies';
import { EncryptionCodec } from './codec/encryption-codec';
import { resolveWebhook } from './config/notifications-config';
import { loadSyncConfig, resolveClientSecrets } from './config/sync-config';
import { loadWorkerEnvironment } from './config/worker-environment';
import { ConfigurationError } from './domain/errors';
import { workerShare } from './config/worker-share';
import { observeActivities } from './observability/activity-interceptor';
import type { SyncMetrics } from './observability/sync-metrics';
import { installWorkerObservability } from './observability/worker-observability';
import type { WorkerTracing } from './observability/tracing';
import { droppedWorkflowSpans, runSinks } from './observability/worker-sinks';
import { payloadCodecFromEnvironment, workerDataConverter } from './temporal/data-converter';
import { connectWithBackoff } from './temporal/connect-with-backoff';
import { explainConnectionFailure, TemporalConnectionError } from './temporal/connection-failure';
import { loadTemporalConnection, type TemporalConnectionOverrides } from './temporal/connection-settings';
import { bundleWorkflowsInChildProcess, leanWorkflowBundle, workflowBundleOptions } from './temporal/workflow-bundle';
import { workflowsPath } from './temporal/workflows-path';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  /**
   * Encrypts everything the worker writes to history (`payloadCodecFromEnvironment`); `undefined` only when the
   * environment allowed plaintext on purpose.
   */
  payloadCodec: PayloadCodec | undefined;
  /** Where activity attempts and record outcomes are counted; none when the worker serves no metrics. */
  metrics?: SyncMetrics;
  /** Spans of workflows, activities and HTTP calls go here; none when tracing is off. */
  tracing?: WorkerTracing;
  /** A pre-built workflow bundle (tests build one per run, with `workflowBundleOptions`); bundled from source when omitted. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Worker processes of the deployment (`workerShare`); 1 when omitted. */
  workers?: number;
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.dependencies),
    dataConverter: workerDataConverter(options.payloadCodec),
    sinks: { ...runSinks(options.metrics), exporter: options.tracing?.workflowExporter ?? droppedWorkflowSpans },
    interceptors: {
      activity: [...(options.tracing?.activityInterceptors ?? []), observeActivities(options.metrics)],
      ...(options.workflowBundle ? {} : { workflowModules: workflowBundleOptions({ tracing: options.tracing !== undefined }).workflowInterceptorModules }),
    },
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath, bundlerOptions: { webpackConfigHook: leanWorkflowBundle } }),
    // On SIGINT/SIGTERM running activities get this long to finish; after that they are cancelled and retried
    // elsewhere, which is safe because every activity is idempotent.
    shutdownGraceTime: '20s',
    // Eager dispatch hands the activities a workflow task schedules to the worker that ran it: with several workers
    // the run's worker would do nearly all units on its share of the limits while the others idle. Through the task
    // queue instead, every worker's pollers take units.
    ...((options.workers ?? 1) > 1 ? { maxEagerActivityReservationsPerWorkflowTask: 0 } : {}),
  });
}

/**
 * `p2c worker` and `npm run worker`: configuration from the environment, Temporal's connection like the `temporal`
 * CLI's (profile, `TEMPORAL_*`, the global flags), graceful shutdown on signals.
 */
export async function runWorker(env: NodeJS.ProcessEnv = process.env, configPath?: string, temporalFlags: TemporalConnectionOverrides = {}): Promise<void> {
  const settings = loadWorkerEnvironment(env);
  const temporal = loadTemporalConnection(env, temporalFlags);
  const configFile = configPath ?? settings.P2C_CONFIG;
  if (!configFile) throw new ConfigurationError('No sync configuration', ['set P2C_CONFIG or pass --config <file>']);
  // Checked before connecting to anything: a bad configuration or a missing payload key never gets as far as
  // polling for work.
  const loaded = loadSyncConfig(configFile);
  const secrets = resolveClientSecrets(loaded.config, env);
  const share = workerShare(loaded.config.limits, settings.P2C_WORKER_COUNT);
  const webhook = resolveWebhook(loaded.config.notifications?.webhook, env);
  const payloadCodec = payloadCodecFromEnvironment(env);
  const observability = await installWorkerObservability(env);
  const { logger } = observability;
  if (payloadCodec instanceof EncryptionCodec) logger.info('payloads encrypted', { keyId: payloadCodec.currentKeyId });
  else logger.warn('payloads NOT encrypted: P2C_ALLOW_PLAINTEXT_PAYLOADS=true, account data is stored in history as plain text');
  // Until the SDK's worker exists (it drains on SIGINT/SIGTERM itself), a signal stops the start-up: the bundling
  // child and the waits between connection attempts. The SDK's runtime listens to these signals too, but with no
  // worker yet it has nothing to stop.
  const stopping = new AbortController();
  const stop = (signal: NodeJS.Signals) => stopping.abort(new StartupInterrupted(signal));
  for (const signal of STARTUP_SIGNALS) process.once(signal, stop);
  const stopListening = () => STARTUP_SIGNALS.forEach((signal) => process.off(signal, stop));
  logger.info('concurrency share of this worker', { ...share });
  const dependencies = connectDependencies(loaded, secrets, { share, ...(webhook ? { webhook } : {}) });
  let bundle: { codePath: string; remove(): Promise<void> } | undefined;
  try {
    bundle = settings.P2C_WORKFLOW_BUNDLE
      ? { codePath: settings.P2C_WORKFLOW_BUNDLE, remove: async () => undefined }
      : await bundleWorkflowsInChildProcess(env, logger, stopping.signal, { tracing: observability.tracing !== undefined });
    const connection = await connectWithBackoff({
      connect: async () => {
        try {
          return await NativeConnection.connect(temporal.connectionOptions);
        } catch (error) {
          throw await explainConnectionFailure(error, temporal);
        }
      },
      logger,
      target: temporal.address,
      signal: stopping.signal,
      // The network is retried; a refused certificate or credential is not: it would fail the same for 5 minutes.
      retryable: (error) => error instanceof TemporalConnectionError && error.retryable,
    });
    logger.info('connected to Temporal', { target: temporal.description, taskQueue: settings.P2C_TASK_QUEUE });
    try {
      const worker = await createWorker({
        connection,
        namespace: temporal.namespace,
        taskQueue: settings.P2C_TASK_QUEUE,
        dependencies,
        payloadCodec,
        ...(observability.metrics ? { metrics: observability.metrics } : {}),
        ...(observability.tracing ? { tracing: observability.tracing } : {}),
        workflowBundle: { codePath: bundle.codePath },
        workers: share.workers,
      });
      stopListening();
      // The worker has read the bundle (Worker.create loads it once); a bundle of our own need not outlive that.
      await bundle.remove();
      // The SDK's runtime already turns SIGINT/SIGTERM into worker.shutdown(); run() resolves once drained. A signal
      // that came while the worker was being created is not lost: the runtime then shuts the worker down at once.
      await worker.run();
    } finally {
      await connection.close();
    }
  } catch (error) {
    // Stopped on purpose before polling: not a failure.
    if (!(error instanceof StartupInterrupted)) throw error;
    logger.info('worker stopped before it started polling', { signal: error.signal });
  } finally {
    stopListening();
    await bundle?.remove();
    await dependencies.close();
    await observability.close();
  }
}

const STARTUP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

class StartupInterrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal} during start-up`);
    this.name = 'StartupInterrupted';
  }
}

if (require.main === module) {
  runWorker().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
