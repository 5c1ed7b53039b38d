import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { connectToEmulators } from '../../src/dev/connect-to-emulators';
import type { ConnectedDependencies } from '../../src/activities/dependencies';
import type { LoadedConfig } from '../../src/config/sync-config';
import type { WorkerTracing } from '../../src/observability/tracing';
import { startEmulators, type EmulatorOptions, type RunningEmulators } from '@p2c-sync/emulators';
import { syncAccounts, type SyncReport } from '../../src/workflows';
import type { SyncInput } from '../../src/workflows/sync-input';
import { connectTestEnvironment, createTestWorker, uniqueName } from './temporal';
import { WorkerProcess } from './worker-process';

export interface PipelineHarnessOptions {
  emulators?: EmulatorOptions;
  /** Laid over the emulator profile's configuration (top-level keys replace). */
  config?: Record<string, unknown>;
  /** Run a worker in the test process (default); off when the test starts worker processes itself. */
  inProcessWorker?: boolean;
  /** Where the in-process worker sends its spans. */
  tracing?: WorkerTracing;
}

/**
 * The whole product on real parts: the run-wide Temporal dev server, in-process emulators over real HTTP, the
 * production connectors and a real worker polling its own task queue.
 */
export class PipelineHarness {
  private workerRun: Promise<void> | undefined;

  private readonly workerProcesses: WorkerProcess[] = [];
  private workerConfigFile: string | undefined;

  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly emulators: RunningEmulators,
    readonly loaded: LoadedConfig,
    readonly deps: ConnectedDependencies,
    readonly worker: Worker | undefined,
    readonly taskQueue: string,
    private readonly scratch: string,
  ) {}

  static async start(options: PipelineHarnessOptions = {}): Promise<PipelineHarness> {
    const scratch = mkdtempSync(path.join(tmpdir(), 'p2c-pipeline-'));
    const emulators = await startEmulators({ ...options.emulators });
    const { loaded, deps } = connectToEmulators(emulators, options.config);
    const env = await connectTestEnvironment();
    const taskQueue = uniqueName('pipeline');
    const worker = options.inProcessWorker === false ? undefined : await createTestWorker(env, taskQueue, deps, options.tracing ? { tracing: options.tracing } : {});
    const harness = new PipelineHarness(env, emulators, loaded, deps, worker, taskQueue, scratch);
    harness.workerRun = worker?.run();
    return harness;
  }

  /** Writes the configuration (and the emulated authority's CA) to files, for worker processes started by a test. */
  writeConfigFile(): string {
    const caFile = path.join(this.scratch, 'entra-ca.pem');
    writeFileSync(caFile, this.emulators.entra.caCertPem);
    const file = path.join(this.scratch, 'sync-config.json');
    const { config } = this.loaded;
    writeFileSync(file, JSON.stringify({ ...config, connections: { ...config.connections, caFile } }));
    return file;
  }

  /**
   * The worker environment a worker process needs: Temporal address, task queue, client secrets, and the run's
   * pre-built workflow bundle (a worker bundling from source is covered by the demo test).
   */
  workerEnvironment(address: string): NodeJS.ProcessEnv {
    return {
      P2C_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      P2C_TASK_QUEUE: this.taskQueue,
      P2C_DATAVERSE_CLIENT_SECRET: this.emulators.client.clientSecret,
      P2C_FNO_CLIENT_SECRET: this.emulators.client.clientSecret,
    };
  }

  /**
   * Starts `p2c worker` as its own process on this harness's configuration (plus `extraEnv`, e.g. P2C_WORKER_COUNT);
   * `close` kills any still running.
   */
  startWorkerProcess(extraEnv: NodeJS.ProcessEnv = {}): WorkerProcess {
    this.workerConfigFile ??= this.writeConfigFile();
    const worker = WorkerProcess.start(this.workerConfigFile, { ...this.workerEnvironment(inject('temporalAddress')), ...extraEnv });
    this.workerProcesses.push(worker);
    return worker;
  }

  async startSync(input: SyncInput, workflowId = uniqueName('sync')): Promise<WorkflowHandleWithFirstExecutionRunId<typeof syncAccounts>> {
    return await this.env.client.workflow.start(syncAccounts, { taskQueue: this.taskQueue, workflowId, args: [input] });
  }

  async sync(input: SyncInput): Promise<SyncReport> {
    return await (await this.startSync(input)).result();
  }

  async close(): Promise<void> {
    for (const worker of this.workerProcesses) await worker.kill();
    if (this.workerRun && this.worker) {
      this.worker.shutdown();
      await this.workerRun.catch(() => undefined);
    }
    await this.env.teardown();
    await this.deps.close();
    await this.emulators.close();
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
