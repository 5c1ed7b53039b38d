import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { ConnectedDependencies } from '../../src/activities/dependencies';
import { EmulatorProcess } from '../bench/emulator-process';
import { connectToEmulatorProcess, writeEmulatorSyncConfig } from '../bench/emulator-sync-config';
import { waitForPollers } from '../bench/run-chain-history';
import { withAllFailures } from '../bench/run-failures';
import { WorkerProcess } from '../bench/worker-process';
import type { FaultSettingsInput } from '@p2c-sync/emulators';
import { progressQuery, syncAccounts, type SyncReport } from '../../src/workflows';
import { checkExactlyOnce, snapshotSource, type ExactlyOnceVerdict } from './exactly-once';
import type { RestartableServer } from './restartable-server';
import { describeAction, type ChaosAction, type Service, type TrialPlan } from './trial-plan';

export interface TrialEnvironment {
  server: RestartableServer;
  client: Client;
  scratch: string;
  timeoutMs: number;
  log: (line: string) => void;
}

export interface TrialOutcome {
  trial: number;
  seed: number;
  accounts: number;
  passed: boolean;
  seconds: number;
  runSeconds: number;
  disruptions: string[];
  problems: string[];
  facts?: ExactlyOnceVerdict['facts'];
  continuedAsNew?: number;
  injected: { dataverse: Record<string, number>; fno: Record<string, number> };
  throttled: { dataverse: number; fno: number };
  /** Worker exits the trial did not cause (the worker was restarted, as a supervisor would). */
  unexpectedExits: string[];
}

/**
 * One chaos trial: fresh emulators and data, a `p2c worker` process, one full run disrupted by the plan's actions
 * at random moments, then the exactly-once check of what the services hold.
 */
export async function runTrial(plan: TrialPlan, env: TrialEnvironment): Promise<TrialOutcome> {
  const started = performance.now();
  const directory = path.join(env.scratch, `trial-${plan.trial}`);
  mkdirSync(directory, { recursive: true });
  // Over IPC: the F&O emulator's HTTP `PUT /_admin/faults` does not parse its JSON body (reported to its owner).
  const emulators = await EmulatorProcess.start({ ...plan.emulators, generate: plan.accounts, seed: plan.seed, via: 'ipc' });
  const workers: WorkerProcess[] = [];
  let deps: ConnectedDependencies | undefined;
  const disruptions: string[] = [];
  const unexpectedExits: string[] = [];
  let stopping = false;
  try {
    const { file, loaded } = writeEmulatorSyncConfig(emulators, directory, plan.limits);
    deps = connectToEmulatorProcess(emulators, loaded);
    const before = await snapshotSource(deps);
    await emulators.resetCounters('dataverse');
    await emulators.resetCounters('fno');

    const taskQueue = `chaos-${plan.trial}-${randomUUID().slice(0, 6)}`;
    const killed = new Set<WorkerProcess>();
    let finished = false;
    // A supervisor's job (a container restart policy): a worker that exits without being killed by the trial is
    // started again, and its exit is reported with its last output.
    const startWorker = (): WorkerProcess => {
      const spawned = WorkerProcess.start({ configFile: file, temporalAddress: env.server.address, taskQueue, clientSecret: emulators.clientSecret });
      workers.push(spawned);
      void spawned.exited.then(({ code, signal }) => {
        if (killed.has(spawned) || finished || stopping) return;
        unexpectedExits.push(`worker exited on its own (${code ?? signal}) at +${((performance.now() - started) / 1000).toFixed(1)}s: ${spawned.log.slice(-1500)}`);
        env.log(`  trial ${plan.trial}: the worker exited on its own (${code ?? signal}); restarting it`);
        setTimeout(() => {
          if (!finished && !stopping && worker === spawned) worker = startWorker();
        }, 1000);
      });
      return spawned;
    };
    let worker = startWorker();
    await waitForPollers(env.client, taskQueue);

    const runStarted = performance.now();
    const workflowId = `chaos-${plan.seed}-${randomUUID().slice(0, 6)}`;
    env.log(`  trial ${plan.trial}: workflow ${workflowId}`);
    const handle = await env.client.workflow.start(syncAccounts, {
      taskQueue,
      workflowId,
      args: [{ ...plan.input, mode: 'full', maxFailuresInResult: 0 }],
    });
    const result = resultAcrossRestarts(handle, Date.now() + env.timeoutMs).finally(() => {
      finished = true;
    });

    const disrupt = async (action: ChaosAction) => {
      switch (action.kind) {
        case 'kill-worker':
          killed.add(worker);
          await worker.kill();
          await sleep(action.downMs);
          worker = startWorker();
          return;
        case 'restart-server':
          await env.server.restart({ kill: action.sigkill, downMs: action.downMs });
          return;
        case 'fault-burst':
          await setFaults(emulators, action.service, { ...plan.baseFaults[action.service], ...action.faults });
          await sleep(action.durationMs);
          await setFaults(emulators, action.service, plan.baseFaults[action.service]);
          return;
        case 'outage':
          await setFaults(emulators, action.service, { ...plan.baseFaults[action.service], outages: [{ startInMs: 0, durationMs: action.durationMs, mode: action.mode }] });
          // A refused listener cannot take admin calls either: the next action waits for it to reopen.
          await sleep(action.durationMs + 250);
          return;
      }
    };
    const chaos = (async () => {
      if (plan.clock === 'after-preflight') await untilPastPreflight(handle, () => finished);
      for (const action of plan.actions) {
        await sleepUntil(action.afterMs, () => finished);
        if (finished) return;
        const at = ((performance.now() - runStarted) / 1000).toFixed(1);
        disruptions.push(`${at}s ${describeAction(action)}`);
        env.log(`  trial ${plan.trial} +${at}s: ${describeAction(action)}`);
        await disrupt(action);
      }
    })();

    let report: SyncReport | undefined;
    let runError: unknown;
    try {
      report = await result;
    } catch (error) {
      runError = error;
    }
    const runSeconds = (performance.now() - runStarted) / 1000;
    await chaos;
    if (!report) await handle.terminate('chaos trial gave up').catch(() => undefined);
    // Faults off before reading the outcome; the check must see the services, not the disruptions.
    await setFaults(emulators, 'dataverse', {});
    await setFaults(emulators, 'fno', {});
    const counters = { dataverse: await emulators.counters('dataverse'), fno: await emulators.counters('fno') };
    const injected = { dataverse: counters.dataverse.faults, fno: counters.fno.faults };
    const throttled = { dataverse: counters.dataverse.throttled, fno: counters.fno.throttled };
    const base = { trial: plan.trial, seed: plan.seed, accounts: plan.accounts, disruptions, injected, throttled, runSeconds, unexpectedExits };
    if (!report) {
      return { ...base, passed: false, seconds: (performance.now() - started) / 1000, problems: [`run did not complete: ${describe(runError)}`, ...lastLines(workers)] };
    }
    const verdict = await checkExactlyOnce({
      clients: deps,
      config: loaded.config,
      before,
      report: await withAllFailures(handle, report),
      dataverseWrites: counters.dataverse.writes,
      fnoWrites: counters.fno.writes,
    });
    return {
      ...base,
      passed: verdict.problems.length === 0,
      seconds: (performance.now() - started) / 1000,
      problems: verdict.problems,
      facts: verdict.facts,
      continuedAsNew: report.continuedAsNew,
    };
  } finally {
    stopping = true;
    for (const each of workers) await each.stop(5_000);
    await deps?.close();
    await emulators.stop();
  }
}

/**
 * The run's result, riding out server restarts: while the server is down the long poll fails with a connection
 * error and is simply asked again. Only the run's own failure (or the deadline) ends the wait.
 */
async function resultAcrossRestarts(handle: WorkflowHandle<typeof syncAccounts>, deadline: number): Promise<SyncReport> {
  let timer: NodeJS.Timeout | undefined;
  // result() long-polls for as long as the run is open: only a timer can end the wait on a run that stopped moving.
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the run did not finish by the trial's deadline`)), deadline - Date.now());
  });
  const wait = async () => {
    for (;;) {
      try {
        return await handle.result();
      } catch (error) {
        if (error instanceof WorkflowFailedError || Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
  };
  try {
    return await Promise.race([wait(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the run has passed preflight (progress query), or has finished. */
async function untilPastPreflight(handle: WorkflowHandle<typeof syncAccounts>, finished: () => boolean): Promise<void> {
  while (!finished()) {
    const phase = await handle
      .query(progressQuery)
      .then((progress) => progress.phase)
      .catch(() => 'unknown');
    if (phase !== 'starting' && phase !== 'preflight' && phase !== 'unknown') return;
    await sleep(100);
  }
}

/** PUT /_admin/faults, retried while the emulator is briefly unreachable (a refusing outage ending). */
async function setFaults(emulators: EmulatorProcess, service: Service, settings: FaultSettingsInput): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await emulators.setFaults(service, settings);
      return;
    } catch (error) {
      if (attempt >= 40) throw error;
      await sleep(250);
    }
  }
}

async function sleepUntil(ms: number, stop: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !stop()) await sleep(Math.min(100, end - Date.now()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function describe(error: unknown): string {
  if (error instanceof WorkflowFailedError) return `${error.message}: ${error.cause?.message ?? ''}`;
  return error instanceof Error ? error.message : String(error);
}

function lastLines(workers: readonly WorkerProcess[]): string[] {
  const last = workers[workers.length - 1];
  return last ? [`last worker output: ${last.log.slice(-1500)}`] : [];
}
