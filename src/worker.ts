import path from 'node:path';
import type { PayloadCodec } from '@temporalio/common';
import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from './activities';
import { connectDependencies } from './activities/dependencies';
import { EncryptionCodec } from './codec/encryption-codec';
import { loadSyncConfig, resolveClientSecrets } from './config/sync-config';
import { ConfigurationError, loadWorkerEnvironment } from './config/worker-environment';
import { observeActivities } from './observability/activity-interceptor';
import type { SyncMetrics } from './observability/sync-metrics';
import { installWorkerObservability } from './observability/worker-observability';
import { failureConverterPath, payloadCodecFromEnvironment, workerDataConverter } from './temporal/data-converter';
import { workflowsPath } from './temporal/workflows-path';

/**
 * What the workflow bundle must contain besides the workflows: the failure converter (so failure messages raised in
 * workflow code are encoded, hence encrypted) and the logging interceptor. A pre-built bundle (`bundleWorkflowCode`)
 * must be built with these; a worker bundling from source uses them itself.
 */
export const workflowBundleOptions = {
  workflowsPath,
  workflowInterceptorModules: [path.join(__dirname, 'observability', 'workflow-interceptors.ts')],
  failureConverterPath,
};

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
  /** A pre-built workflow bundle (tests build one per run, with `workflowBundleOptions`); bundled from source when omitted. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.dependencies),
    dataConverter: workerDataConverter(options.payloadCodec),
    interceptors: {
      activity: [observeActivities(options.metrics)],
      ...(options.workflowBundle ? {} : { workflowModules: workflowBundleOptions.workflowInterceptorModules }),
    },
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    // On SIGINT/SIGTERM running activities get this long to finish; after that they are cancelled and retried
    // elsewhere, which is safe because every activity is idempotent.
    shutdownGraceTime: '20s',
  });
}

/** `p2c worker` and `npm run worker`: configuration from the environment, graceful shutdown on signals. */
export async function runWorker(env: NodeJS.ProcessEnv = process.env, configPath?: string): Promise<void> {
  const settings = loadWorkerEnvironment(env);
  const configFile = configPath ?? settings.P2C_CONFIG;
  if (!configFile) throw new ConfigurationError('No sync configuration', ['set P2C_CONFIG or pass --config <file>']);
  // Checked before connecting to anything: a bad configuration or a missing payload key never gets as far as
  // polling for work.
  const loaded = loadSyncConfig(configFile);
  const secrets = resolveClientSecrets(loaded.config, env);
  const payloadCodec = payloadCodecFromEnvironment(env);
  const observability = await installWorkerObservability(env);
  const { logger } = observability;
  if (payloadCodec instanceof EncryptionCodec) logger.info('payloads encrypted', { keyId: payloadCodec.currentKeyId });
  else logger.warn('payloads NOT encrypted: P2C_ALLOW_PLAINTEXT_PAYLOADS=true, account data is stored in history as plain text');
  const dependencies = connectDependencies(loaded, secrets);
  try {
    const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
    try {
      const worker = await createWorker({
        connection,
        namespace: settings.TEMPORAL_NAMESPACE,
        taskQueue: settings.P2C_TASK_QUEUE,
        dependencies,
        payloadCodec,
        ...(observability.metrics ? { metrics: observability.metrics } : {}),
        ...(settings.P2C_WORKFLOW_BUNDLE ? { workflowBundle: { codePath: settings.P2C_WORKFLOW_BUNDLE } } : {}),
      });
      // The SDK's runtime already turns SIGINT/SIGTERM into worker.shutdown(); run() resolves once drained.
      await worker.run();
    } finally {
      await connection.close();
    }
  } finally {
    await dependencies.close();
    await observability.close();
  }
}

/** Builds the workflow bundle ahead of time, with everything a worker's own bundling would include. */
export async function bundleWorkflows(outFile: string): Promise<number> {
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions, logger: new DefaultLogger('WARN') });
  await writeFile(outFile, code);
  return Buffer.byteLength(code);
}

if (require.main === module) {
  runWorker().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
