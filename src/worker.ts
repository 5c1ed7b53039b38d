import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PayloadCodec } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type Logger, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from './activities';
import { connectDependencies } from './activities/dependencies';
import { EncryptionCodec } from './codec/encryption-codec';
import { loadSyncConfig, resolveClientSecrets } from './config/sync-config';
import { ConfigurationError, loadWorkerEnvironment } from './config/worker-environment';
import { observeActivities } from './observability/activity-interceptor';
import type { SyncMetrics } from './observability/sync-metrics';
import { installWorkerObservability } from './observability/worker-observability';
import { failureConverterPath, payloadCodecFromEnvironment, workerDataConverter } from './temporal/data-converter';
import { connectWithBackoff } from './temporal/connect-with-backoff';
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
  // Until the SDK's worker exists (it drains on SIGINT/SIGTERM itself), a signal stops the start-up: the bundling
  // child and the waits between connection attempts. The SDK's runtime listens to these signals too, but with no
  // worker yet it has nothing to stop.
  const stopping = new AbortController();
  const stop = (signal: NodeJS.Signals) => stopping.abort(new StartupInterrupted(signal));
  for (const signal of STARTUP_SIGNALS) process.once(signal, stop);
  const stopListening = () => STARTUP_SIGNALS.forEach((signal) => process.off(signal, stop));
  const dependencies = connectDependencies(loaded, secrets);
  let bundle: { codePath: string; remove(): Promise<void> } | undefined;
  try {
    bundle = settings.P2C_WORKFLOW_BUNDLE
      ? { codePath: settings.P2C_WORKFLOW_BUNDLE, remove: async () => undefined }
      : await bundleWorkflowsInChildProcess(env, logger, stopping.signal);
    const connection = await connectWithBackoff({
      connect: () => NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS }),
      logger,
      target: settings.TEMPORAL_ADDRESS,
      signal: stopping.signal,
    });
    try {
      const worker = await createWorker({
        connection,
        namespace: settings.TEMPORAL_NAMESPACE,
        taskQueue: settings.P2C_TASK_QUEUE,
        dependencies,
        payloadCodec,
        ...(observability.metrics ? { metrics: observability.metrics } : {}),
        workflowBundle: { codePath: bundle.codePath },
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

/**
 * Builds the workflow bundle in a short-lived child process (`p2c bundle-workflows`) when no pre-built bundle is
 * configured. Webpack in the worker's own process peaks at ~410 MB and leaves that much resident for the worker's
 * whole life; in a child, the memory goes back to the system when it exits, and the worker loads only the result.
 * The child runs with node's default heap limit (not the worker's bounded one: webpack needs more than the worker).
 * The file lives in a private temporary directory and is removed as soon as the worker has read it.
 */
async function bundleWorkflowsInChildProcess(env: NodeJS.ProcessEnv, logger: Logger, signal: AbortSignal): Promise<{ codePath: string; remove(): Promise<void> }> {
  const directory = await mkdtemp(path.join(tmpdir(), 'p2c-workflow-bundle-'));
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    await rm(directory, { recursive: true, force: true });
  };
  const codePath = path.join(directory, 'workflow-bundle.js');
  const started = performance.now();
  try {
    const { stderr } = await execFileAsync(process.execPath, [p2cBin, 'bundle-workflows', '--out', codePath], {
      // Without the worker's `--max-old-space-size`: NODE_OPTIONS, if the operator set it, still applies.
      env,
      signal,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: unknown) => {
      if (signal.aborted) throw signal.reason;
      const output = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : '';
      throw new Error(`building the workflow bundle failed${output ? `: ${output}` : ''}`, { cause: error });
    });
    if (stderr.trim()) logger.warn('workflow bundling reported problems', { output: stderr.trim() });
    const { size } = await stat(codePath);
    logger.info('workflow bundle built', { codePath, bytes: size, ms: Math.round(performance.now() - started) });
    return { codePath, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

const p2cBin = path.join(__dirname, '..', 'bin', 'p2c.cjs');
const execFileAsync = promisify(execFile);

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
