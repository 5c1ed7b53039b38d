import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from './activities';
import { loadWorkerEnvironment } from './config/worker-environment';

/** Workflow source the worker bundles (webpack + swc) at start-up. */
export const workflowsPath = path.join(__dirname, 'workflows', 'index.ts');

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
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = loadWorkerEnvironment(env);
  const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
  try {
    const worker = await createWorker({
      connection,
      namespace: settings.TEMPORAL_NAMESPACE,
      taskQueue: settings.P2C_TASK_QUEUE,
      dependencies: { configuredCompanies: ['usmf'] },
    });
    // The SDK's runtime already turns SIGINT/SIGTERM into worker.shutdown(); run() resolves once drained.
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  runWorker().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
