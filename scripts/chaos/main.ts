// `npm run chaos`: trials that SIGKILL the worker at random moments, restart the Temporal server (persistent SQLite
// file) mid-run and toggle emulator faults and outages, then check the exactly-once effect of each run. Prints every
// trial and a summary; exits non-zero when any trial fails. See BENCHMARKS.md.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { generatePayloadKey } from '../../src/codec/payload-keys';
import { connectClient } from '../../src/temporal/client';
import { RestartableServer } from './restartable-server';
import { runTrial, type TrialOutcome } from './trial';
import { planTrial } from './trial-plan';
import { parseFlags } from '../../src/cli/parse-flags';

const int = z.coerce.number().int();
const flagsSchema = z.object({
  trials: int.min(1).default(20),
  seed: int.default(1),
  accounts: int.min(100).max(20_000).default(3000),
  trialTimeoutMinutes: int.min(1).default(6),
  keep: z.boolean().default(false),
  only: int.min(1).optional(),
  jsonOut: z.string().optional(),
});

async function main(): Promise<number> {
  const program = new Command('chaos')
    .description('exactly-once under worker kills, server restarts, faults and outages (see BENCHMARKS.md)')
    .option('--trials <n>', 'number of trials', '20')
    .option('--seed <n>', 'seed of the trial plans (same seed, same plans)', '1')
    .option('--accounts <n>', 'largest data set of a trial (each draws between half of it and all of it)', '3000')
    .option('--trial-timeout-minutes <n>', 'a run taking longer fails its trial', '6')
    .option('--only <trial>', 'run only this trial of the plan (to replay one)')
    .option('--keep', 'keep the scratch directory (Temporal database, configurations)')
    .option('--json-out <file>', 'append one JSON line per trial to this file')
    .parse(process.argv);
  const flags = parseFlags(flagsSchema, program.opts());

  const log = (line: string) => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);
  process.env.P2C_PAYLOAD_KEYS ??= generatePayloadKey('chaos');
  const scratch = mkdtempSync(path.join(tmpdir(), 'p2c-chaos-'));
  const server = await RestartableServer.start(path.join(scratch, 'temporal.db'));
  const { client, close } = await connectClient({ address: server.address, namespace: 'default' });
  const outcomes: TrialOutcome[] = [];
  const started = performance.now();
  try {
    for (let trial = flags.only ?? 1; trial <= (flags.only ?? flags.trials); trial += 1) {
      const plan = planTrial(trial, flags.seed, flags.accounts);
      log(`trial ${trial}/${flags.trials}: seed ${plan.seed}, ${plan.accounts} accounts, units of ${plan.input.batchSize} x ${plan.input.maxConcurrentBatches}, continue-as-new after ${plan.input.continueAsNewAfterEvents} events, disruptions from ${plan.clock === 'preflight' ? 'the start (kill during preflight)' : 'the end of preflight'}`);
      let outcome: TrialOutcome;
      try {
        outcome = await runTrial(plan, { server, client, scratch, timeoutMs: flags.trialTimeoutMinutes * 60_000, log });
      } catch (error) {
        outcome = {
          trial,
          seed: plan.seed,
          accounts: plan.accounts,
          passed: false,
          seconds: 0,
          runSeconds: 0,
          disruptions: [],
          problems: [`trial crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`],
          injected: { dataverse: {}, fno: {} },
          throttled: { dataverse: 0, fno: 0 },
          unexpectedExits: [],
        };
      }
      outcomes.push(outcome);
      if (flags.jsonOut) appendFileSync(flags.jsonOut, `${JSON.stringify(outcome)}\n`);
      log(
        `trial ${trial}: ${outcome.passed ? 'PASSED' : 'FAILED'} in ${outcome.seconds.toFixed(1)} s (run ${outcome.runSeconds.toFixed(1)} s, ` +
          `${outcome.disruptions.length} disruptions, faults injected ${injectedTotal(outcome.injected.dataverse)} Dataverse / ${injectedTotal(outcome.injected.fno)} F&O, ` +
          `429s ${outcome.throttled.dataverse} / ${outcome.throttled.fno}, continue-as-new ${outcome.continuedAsNew ?? '-'})` +
          (outcome.facts ? `: ${outcome.facts.customers} customers, ${outcome.facts.numbered} numbered, ${outcome.facts.failures} invalid records reported` : ''),
      );
      for (const problem of outcome.problems) log(`    problem: ${problem}`);
      for (const exit of outcome.unexpectedExits) log(`    note: ${exit}`);
    }
  } finally {
    await close();
    await server.stop();
    if (flags.keep) log(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  const passed = outcomes.filter((o) => o.passed).length;
  const minutes = (performance.now() - started) / 60_000;
  const summary = {
    trials: outcomes.length,
    passed,
    failed: outcomes.length - passed,
    minutes: Math.round(minutes * 10) / 10,
    workerKills: count(outcomes, 'SIGKILL worker'),
    serverRestarts: count(outcomes, 'Temporal server'),
    faultBursts: count(outcomes, 'faults'),
    outages: count(outcomes, 'outage'),
    faultsInjected: {
      dataverse: outcomes.reduce((total, o) => total + injectedTotal(o.injected.dataverse), 0),
      fno: outcomes.reduce((total, o) => total + injectedTotal(o.injected.fno), 0),
    },
    throttled: {
      dataverse: outcomes.reduce((total, o) => total + o.throttled.dataverse, 0),
      fno: outcomes.reduce((total, o) => total + o.throttled.fno, 0),
    },
    continuedAsNew: outcomes.reduce((total, o) => total + (o.continuedAsNew ?? 0), 0),
    unexpectedWorkerExits: outcomes.reduce((total, o) => total + o.unexpectedExits.length, 0),
    seed: flags.seed,
  };
  console.log(
    `\nChaos: ${summary.trials} trials run, ${summary.passed} passed, ${summary.failed} failed in ${summary.minutes} min ` +
      `(${summary.workerKills} worker kills, ${summary.serverRestarts} server restarts, ${summary.faultBursts} fault bursts, ${summary.outages} outages; ` +
      `faults injected ${summary.faultsInjected.dataverse} Dataverse / ${summary.faultsInjected.fno} F&O, 429s ${summary.throttled.dataverse} / ${summary.throttled.fno}, ` +
      `${summary.continuedAsNew} continue-as-new, ${summary.unexpectedWorkerExits} worker exits not caused by the suite)`,
  );
  console.log(`CHAOS_RESULT ${JSON.stringify(summary)}`);
  return summary.failed === 0 ? 0 : 1;
}

/** Requests a fault hit: 5xx answers, resets, writes committed and not answered, requests refused by an outage. */
function injectedTotal(counts: Record<string, number>): number {
  return (counts.errors ?? 0) + (counts.resets ?? 0) + (counts.commitThenTimeouts ?? 0) + (counts.outageRejections ?? 0);
}

function count(outcomes: readonly TrialOutcome[], text: string): number {
  return outcomes.reduce((total, outcome) => total + outcome.disruptions.filter((d) => d.includes(text)).length, 0);
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
