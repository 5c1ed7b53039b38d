import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from './activities';
import { connectDependencies } from './activities/dependencies';
import { loadSyncConfig, resolveClientSecrets } from './config/sync-config';
import { ConfigurationError, loadWorkerEnvironment } from './config/worker-environment';
import { workflowsPath } from './temporal/workflows-path';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  /** A pre-built workflow bundle (tests build one per run); bundled from source when omitted. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.dependencies),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    // On SIGINT/SIGTERM running activities get this long to finish; after that they are cancelled and retried
    // elsewhere, which is safe because every activity is idempotent.
    shutdownGraceTime: '20s',
  });
}

/** `p2c worker` and `npm run worker`: configuration from the environment, graceful shutdown on signals. */
export async function runWorker(env: NodeJS.ProcessEnv = process.env, configPath?: string): Promise<void> {
  const settings = loadWorkerEnvironment(env);
  const path = configPath ?? settings.P2C_CONFIG;
  if (!path) throw new ConfigurationError('No sync configuration', ['set P2C_CONFIG or pass --config <file>']);
  // Checked before connecting to anything: a bad configuration never gets as far as polling for work.
  const loaded = loadSyncConfig(path);
  const dependencies = connectDependencies(loaded, resolveClientSecrets(loaded.config, env));
  const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
  try {
    const worker = await createWorker({
      connection,
      namespace: settings.TEMPORAL_NAMESPACE,
      taskQueue: settings.P2C_TASK_QUEUE,
      dependencies,
    });
    // The SDK's runtime already turns SIGINT/SIGTERM into worker.shutdown(); run() resolves once drained.
    await worker.run();
  } finally {
    await connection.close();
    await dependencies.close();
  }
}

if (require.main === module) {
  runWorker().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
