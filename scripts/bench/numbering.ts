import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import type { AssignAccountNumbersInput, AssignAccountNumbersResult } from '../../src/activities/contracts';
import { EmulatorProcess, type EmulatorCounters } from './emulator-process';
import { connectToEmulatorProcess, writeEmulatorSyncConfig } from './emulator-sync-config';
import {
  type DataverseLimitsModel,
  dataverseBounds,
  executionRateSeconds,
  largest,
  meanServerTimeMs,
  numberingBound,
  scaleDataverseTime,
  type TheoreticalMinimum,
} from './limits-model';
import type { ScenarioContext } from './pipeline-run';
import { count, fixed, formatTable, type Row } from './table';

export interface NumberingOptions extends ScenarioContext {
  /** Active accounts without an Account Number, all of them numbered by one run of the upgrade script. */
  accounts: number;
  /** The clock runs this many times faster: every duration of the limits and server times divided by it. */
  timeScale: number;
  /** Real Dataverse limits and server time (before scaling). */
  dataverse: DataverseLimitsModel;
  /** Updates per request the bound assumes (the upgrade script's request shape). */
  updatesPerRequest: number;
  /** Whether the client paces itself to the budgets (default, as the product) or only answers 429s. */
  pace?: boolean;
}

export interface NumberingResult {
  accounts: number;
  timeScale: number;
  /** Measured, in real time (the scaled run's wall time × timeScale). */
  seconds: number;
  /** Measured wall time of the scaled run. */
  scaledSeconds: number;
  assigned: number;
  /** The updates alone against the documented limits (real time): the execution-time bound of the brief. */
  updatesBound: TheoreticalMinimum;
  /** Everything the run asked of Dataverse (scan reads included), as the emulator counted it, in real time. */
  runBound: TheoreticalMinimum;
  /** The updates' execution time at the limit's rate (1,200 s per 300 s), real time. */
  executionRateSeconds: number;
  /** updatesBound / measured. */
  efficiency: number;
  throttled: number;
  counters: EmulatorCounters;
  rows: Row[];
}

/**
 * The upgrade script alone over `accounts` unnumbered accounts under one application user, against the documented
 * Dataverse limits on a clock `timeScale` times faster (window, execution budget and server times divided by it;
 * requests per window and concurrency kept), so the run is the real one in miniature time. The activity runs in
 * this process in Temporal's mock activity context (the code the worker runs, without the server).
 */
export async function numberingScenario(options: NumberingOptions): Promise<NumberingResult> {
  const { log } = options;
  const scaled = scaleDataverseTime(options.dataverse, options.timeScale);
  const file = path.join(options.scratch, `numbering-${options.accounts}.json`);
  // Minimal active accounts, none with a number: the upgrade script numbers every one of them.
  const accounts = Array.from({ length: options.accounts }, (_, index) => ({ accountid: randomUUID(), name: `Unnumbered account ${index + 1}`, statecode: 0 }));
  writeFileSync(file, JSON.stringify({ accounts }));
  log(`numbering: ${count(options.accounts)} unnumbered accounts, time scaled 1/${options.timeScale}`);
  const emulators = await EmulatorProcess.start({
    accountsFile: file,
    dataverseLimits: { windowMs: scaled.windowMs, maxRequests: scaled.maxRequests, maxExecutionMs: scaled.maxExecutionMs, maxConcurrent: scaled.maxConcurrent },
    dataverseServerTime: scaled.serverTime,
    nodeOptions: ['--max-old-space-size=4096', ...options.tuning.emulatorNodeOptions],
  });
  try {
    const { loaded } = writeEmulatorSyncConfig(emulators, options.scratch, {
      dataverseConcurrency: options.dataverse.maxConcurrent,
      dataverseServiceProtection: { windowSeconds: scaled.windowMs / 1000, maxRequests: scaled.maxRequests, maxExecutionSeconds: scaled.maxExecutionMs / 1000, pace: options.pace ?? true },
    });
    const deps = connectToEmulatorProcess(emulators, loaded);
    try {
      const activities = createActivities(deps);
      await emulators.resetCounters('dataverse');
      const started = performance.now();
      const input: AssignAccountNumbersInput = { dryRun: false, duplicatePolicy: 'report' };
      const result: AssignAccountNumbersResult = await new MockActivityEnvironment().run(activities.assignAccountNumbers, input);
      const scaledSeconds = (performance.now() - started) / 1000;
      const counters = await emulators.counters('dataverse');
      const seconds = scaledSeconds * options.timeScale;
      log(`numbering: ${count(result.assigned)} assigned in ${fixed(scaledSeconds)} s (${fixed(seconds)} s real time)`);
      const updatesBound = numberingBound(options.accounts, options.updatesPerRequest, options.dataverse);
      const answered = counters.requests.total - (counters.requests.byStatus['429'] ?? 0);
      const scaledRunBound = largest(
        dataverseBounds(
          { requests: answered, readOperations: counters.other.readOperations ?? 0, writeOperations: counters.other.writeOperations ?? 0 },
          scaled,
        ),
      );
      const runBound = { ...scaledRunBound, seconds: scaledRunBound.seconds * options.timeScale };
      const efficiency = updatesBound.seconds / seconds;
      const updatesExecutionMs = options.accounts * meanServerTimeMs(options.dataverse.serverTime, 'write');
      const rateSeconds = executionRateSeconds(updatesExecutionMs, options.dataverse.maxExecutionMs, options.dataverse.windowMs);
      const windowsText = `${count(options.accounts)} x ${meanServerTimeMs(options.dataverse.serverTime, 'write')} ms = ${fixed(updatesExecutionMs / 1000, 0)} s at ${options.dataverse.maxExecutionMs / 1000} s per ${options.dataverse.windowMs / 1000} s`;
      const rows: Row[] = [
        { metric: 'accounts numbered', value: count(result.assigned), target: count(options.accounts), met: result.assigned === options.accounts },
        { metric: 'time to number them (real time)', value: `${fixed(seconds)} s = ${fixed(seconds / 60, 1)} min` },
        { metric: 'execution-time bound (the limit as a rate)', value: `${fixed(rateSeconds)} s`, target: windowsText },
        {
          metric: 'measured / execution-time bound',
          value: fixed(seconds / rateSeconds, 3),
          target: 'within 10 %',
          met: Math.abs(seconds / rateSeconds - 1) <= 0.1,
        },
        {
          metric: 'strict minimum (a window\'s budget at once, then the rate)',
          value: `${fixed(updatesBound.seconds)} s`,
          target: updatesBound.bounds.find((bound) => bound.limit === updatesBound.binding)?.basis ?? updatesBound.binding,
        },
        { metric: 'efficiency against the strict minimum', value: `${fixed(efficiency * 100, 1)} %` },
        { metric: 'bound for everything the run sent (scan included)', value: `${fixed(runBound.seconds)} s`, target: runBound.binding },
        {
          metric: 'requests / reads / writes (429s)',
          value: `${count(answered)} / ${count(counters.other.readOperations ?? 0)} / ${count(counters.other.writeOperations ?? 0)} (${count(counters.throttled)})`,
        },
        { metric: 'scaled run wall time', value: `${fixed(scaledSeconds)} s` },
      ];
      return {
        accounts: options.accounts,
        timeScale: options.timeScale,
        seconds,
        scaledSeconds,
        assigned: result.assigned,
        updatesBound,
        runBound,
        executionRateSeconds: rateSeconds,
        efficiency,
        throttled: counters.throttled,
        counters,
        rows,
      };
    } finally {
      await deps.close();
    }
  } finally {
    await emulators.stop();
  }
}

export function numberingTable(result: NumberingResult, describe: string): string {
  return formatTable(describe, result.rows);
}
