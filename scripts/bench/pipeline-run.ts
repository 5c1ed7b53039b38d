import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { awaitRun } from './await-run';
import { withAllFailures } from './run-failures';
import { changeAccounts, type ChangedAccounts } from './change-accounts';
import { EmulatorProcess, type EmulatorCounters, type EmulatorProcessOptions } from './emulator-process';
import { connectToEmulatorProcess, writeEmulatorSyncConfig, type SyncLimitsOverride } from './emulator-sync-config';
import { RssSampler } from './process-memory';
import { runChainHistory, waitForPollers, type RunChainHistory } from './run-chain-history';
import { WorkerProcess } from './worker-process';
import type { ConnectedDependencies } from '../../src/activities/dependencies';
import type { LoadedConfig } from '../../src/config/sync-config';
import { checkExactlyOnce, snapshotSource, type ExactlyOnceVerdict } from '../chaos/exactly-once';
import { syncAccounts, type SyncReport } from '../../src/workflows';
import type { SyncInput } from '../../src/workflows/sync-input';

export interface PipelineRunOptions {
  client: Client;
  temporalAddress: string;
  scratch: string;
  accounts: number;
  seed: number;
  emulators: Omit<EmulatorProcessOptions, 'generate' | 'seed'>;
  limits: SyncLimitsOverride;
  input: Pick<SyncInput, 'batchSize' | 'maxConcurrentBatches' | 'pageSize' | 'heartbeatTimeoutSeconds' | 'continueAsNewAfterEvents' | 'numberingOverlap'>;
  /** Share of accounts edited after the full run, then synced by an incremental run (0: none). */
  incrementalShare: number;
  /** Check the exactly-once effect against the expected-state oracle after the full run (reads every record). */
  verify?: boolean;
  /** Longest a run may take before it is terminated and the benchmark fails. */
  timeoutMs: number;
  tuning: ProcessTuning;
  log: (line: string) => void;
}

/** What every scenario gets from the command: the server, a scratch directory, the seed, the clock, the log. */
export interface ScenarioContext {
  client: Client;
  temporalAddress: string;
  scratch: string;
  seed: number;
  timeoutMs: number;
  tuning: ProcessTuning;
  log: (line: string) => void;
}

/** Run settings from the command (throughput and scale). */
export interface RunSettings {
  batchSize: number;
  window: number;
  pageSize: number;
  limits: SyncLimitsOverride;
}

/** Diagnostics and experiments on the processes, from the command line; none of it changes the figures' meaning. */
export interface ProcessTuning {
  /** Extra `node` flags for the worker process (e.g. a heap limit, a memory probe). */
  workerNodeOptions: string[];
  /** Append the worker's output to this file. */
  workerLogFile?: string;
  /** Extra `node` flags for the emulator process (e.g. `--cpu-prof`). */
  emulatorNodeOptions: string[];
  /** A workflow bundle built beforehand, given to `p2c worker` as P2C_WORKFLOW_BUNDLE (as in the Docker image). */
  workflowBundleFile?: string;
}

export interface PipelineRun {
  accounts: number;
  seconds: number;
  accountsPerSecond: number;
  report: SyncReport;
  history: RunChainHistory;
  historyEventsPer1000Accounts: number;
  worker: {
    startupPeakRssMb: number;
    peakRssMb: number;
    maxSampledRssMbDuringSync: number;
    /** bin/p2c.cjs in front of the worker (it starts the worker with a bounded heap); NaN when there is none. */
    launcherPeakRssMb: number;
  };
  emulatorPeakRssMb: number;
  counters: { dataverse: EmulatorCounters; fno: EmulatorCounters };
  verdict?: ExactlyOnceVerdict;
  incremental?: ChangedAccounts & { runSeconds: number; report: SyncReport; historyEvents: number };
}

/**
 * One measured pipeline run: fresh emulators (a process), a fresh `p2c worker` (a process), the full sync through
 * the Temporal server, then optionally an incremental run over a share of edited accounts. The clock runs from the
 * workflow start to its result, with the worker already polling (its bundling is start-up, not sync).
 */
export async function runPipeline(options: PipelineRunOptions): Promise<PipelineRun> {
  const { client, log } = options;
  log(`pipeline: starting emulators with ${options.accounts.toLocaleString('en-US')} generated accounts`);
  const { tuning } = options;
  const emulators = await EmulatorProcess.start({
    ...options.emulators,
    nodeOptions: [...(options.emulators.nodeOptions ?? []), ...tuning.emulatorNodeOptions],
    generate: options.accounts,
    seed: options.seed,
  });
  const { file, loaded } = writeEmulatorSyncConfig(emulators, options.scratch, options.limits);
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const worker = WorkerProcess.start({
    configFile: file,
    temporalAddress: options.temporalAddress,
    taskQueue,
    clientSecret: emulators.clientSecret,
    nodeOptions: tuning.workerNodeOptions,
    ...(tuning.workerLogFile ? { logFile: tuning.workerLogFile } : {}),
    ...(tuning.workflowBundleFile ? { workflowBundleFile: tuning.workflowBundleFile } : {}),
  });
  const workerGone = worker.exited.then(({ code, signal }) => `the worker exited (${code ?? signal}):\n${worker.log.slice(-3000)}`);
  try {
    await Promise.race([
      waitForPollers(client, taskQueue),
      workerGone.then((reason) => {
        throw new Error(reason);
      }),
    ]);
    const startupPeakRssMb = worker.memory()?.peakRssMb ?? NaN;
    const before = options.verify ? await withClients(emulators, loaded, snapshotSource) : undefined;
    // The run's request mix starts here: nothing before it (the snapshot above) is counted.
    await emulators.resetCounters('dataverse');
    await emulators.resetCounters('fno');
    const sampler = new RssSampler(worker.workerPid);
    sampler.start();

    log('pipeline: full sync');
    const workflowId = `bench-full-${randomUUID().slice(0, 8)}`;
    const started = performance.now();
    const handle = await client.workflow.start(syncAccounts, { taskQueue, workflowId, args: [{ ...options.input, mode: 'full', maxFailuresInResult: 0 }] });
    const report = await awaitRun(handle, { timeoutMs: options.timeoutMs, progressEveryMs: 15_000, log, fatal: workerGone });
    const seconds = (performance.now() - started) / 1000;
    const history = await runChainHistory(client, workflowId, report.continuedAsNew + 1);
    const counters = { dataverse: await emulators.counters('dataverse'), fno: await emulators.counters('fno') };
    log(`pipeline: ${seconds.toFixed(1)} s, ${report.continuedAsNew} continue-as-new, ${history.totalEvents} history events`);
    const verdict = before
      ? await withClients(emulators, loaded, async (clients) =>
          checkExactlyOnce({
            clients,
            config: loaded.config,
            before,
            report: await withAllFailures(handle, report),
            dataverseWrites: counters.dataverse.writes,
            fnoWrites: counters.fno.writes,
          }),
        )
      : undefined;
    if (verdict) log(`pipeline: exactly-once check ${verdict.problems.length === 0 ? 'passed' : `FAILED: ${verdict.problems.join('; ')}`}`);

    let incremental: PipelineRun['incremental'];
    if (options.incrementalShare > 0 && report.watermark.next) {
      const next = report.watermark.next;
      incremental = await withClients(emulators, loaded, async (deps) => {
        const changed = await changeAccounts(deps.dataverse, options.incrementalShare, options.seed + 1);
        log(`pipeline: ${changed.changed} accounts edited; incremental sync`);
        const incrementalId = `bench-incremental-${randomUUID().slice(0, 8)}`;
        const incrementalStarted = performance.now();
        const incrementalHandle = await client.workflow.start(syncAccounts, {
          taskQueue,
          workflowId: incrementalId,
          args: [{ ...options.input, mode: 'incremental', since: next, maxFailuresInResult: 0 }],
        });
        const incrementalReport = await awaitRun(incrementalHandle, { timeoutMs: options.timeoutMs, progressEveryMs: 15_000, fatal: workerGone });
        const runSeconds = (performance.now() - incrementalStarted) / 1000;
        const incrementalHistory = await runChainHistory(client, incrementalId, incrementalReport.continuedAsNew + 1);
        return { ...changed, runSeconds, report: incrementalReport, historyEvents: incrementalHistory.totalEvents };
      });
    }

    const memory = sampler.stop();
    return {
      accounts: options.accounts,
      seconds,
      accountsPerSecond: options.accounts / seconds,
      report,
      history,
      historyEventsPer1000Accounts: (history.totalEvents / options.accounts) * 1000,
      worker: {
        startupPeakRssMb,
        peakRssMb: memory.peakRssMb ?? NaN,
        maxSampledRssMbDuringSync: memory.maxSampledRssMb,
        launcherPeakRssMb: worker.launcherMemory()?.peakRssMb ?? NaN,
      },
      emulatorPeakRssMb: emulators.memory()?.peakRssMb ?? NaN,
      counters,
      ...(verdict ? { verdict } : {}),
      ...(incremental ? { incremental } : {}),
    };
  } finally {
    await worker.stop();
    await emulators.stop();
  }
}

/** The production connectors against the emulators for one task outside the worker, closed afterwards. */
async function withClients<T>(emulators: EmulatorProcess, loaded: LoadedConfig, task: (deps: ConnectedDependencies) => Promise<T>): Promise<T> {
  const deps = connectToEmulatorProcess(emulators, loaded);
  try {
    return await task(deps);
  } finally {
    await deps.close();
  }
}
