import type { Command } from 'commander';
import { z } from 'zod';
import { CliError } from '../cli-error';
import { writeLine, type CliIo } from '../cli-io';
import { contextOf } from '../command-context';
import { parseFlags } from '../parse-flags';
import { withTemporal } from '../temporal-session';
import { validateSyncInput } from './input-options';
import { resolveFailedRun } from './pipeline-runs';
import { readRunChain } from './run-history';
import { startAndReport } from './start-command';

const flagsSchema = z.object({
  wait: z.boolean().default(false),
  json: z.boolean().default(false),
  runId: z.string().min(1).optional(),
  includeRetries: z.boolean().default(false),
});
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ACCOUNTS = 5000;

/** Settings of the original run that a retry keeps; what to sync (mode, since, accounts) is the retry's own. */
const KEPT_FIELDS = [
  'pipeline',
  'company',
  'companies',
  'pageSize',
  'unitSize',
  'maxConcurrentUnits',
  // Old names of unitSize and maxConcurrentUnits, in inputs of runs started before they were renamed.
  'batchSize',
  'maxConcurrentBatches',
  'duplicatePolicy',
  'continueAsNewAfterEvents',
  'heartbeatTimeoutSeconds',
  'maxFailuresInResult',
  'unreachableTimeoutSeconds',
] as const;

export function registerRetryFailedCommand(sync: Command, io: CliIo): void {
  sync
    .command('retry-failed')
    .argument('<pipeline|workflow-id>', 'a pipeline name (its newest real run with failures), or the workflow id of a closed run')
    .description('after fixing the data: sync again only the accounts that failed in a run (same pipeline and companies)')
    .option('--run-id <id>', 'this run of the workflow id (default: the newest non-dry, non-retry run of the pipeline with failures)')
    .option('--include-retries', 'a retry run may be the one retried (default: retries are passed over)')
    .option('--wait', 'wait for the end, showing progress, then print the summary')
    .option('--json', 'machine-readable output; with --wait, only the result JSON goes to stdout')
    .action(async (target: string, raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const flags = parseFlags(flagsSchema, raw);
      await withTemporal(context.settings, async (client) => {
        const { run, reason } = await resolveFailedRun(client, target, flags);
        if (run.status === 'RUNNING') {
          throw new CliError(`workflow ${run.workflowId} (run ${run.runId}) is still running: retry its failures once it has finished`);
        }
        const chain = await readRunChain(client, run.workflowId, run.runId);
        const ids = [...new Set(chain.failures.map((failure) => failure.accountId.toLowerCase()))];
        const accountIds = ids.filter((id) => GUID.test(id));
        const notes = flags.json ? io.stderr : io.stdout;
        writeLine(notes, `Using ${run.workflowId} (run ${run.runId}): ${reason}.`);
        if (accountIds.length < ids.length) {
          writeLine(notes, `${ids.length - accountIds.length} failed record(s) have no readable account id and cannot be retried; see 'p2c sync failures ${target}'.`);
        }
        if (accountIds.length === 0) {
          writeLine(notes, `No failed accounts in ${run.workflowId} (run ${run.runId}): nothing to retry.`);
          return;
        }
        if (accountIds.length > MAX_ACCOUNTS) {
          throw new CliError(`${accountIds.length} accounts failed, more than one retry takes (${MAX_ACCOUNTS}): fix the data and run a full sync instead`);
        }
        const original = z.record(z.string(), z.unknown()).catch({}).parse(chain.input);
        const kept = Object.fromEntries(KEPT_FIELDS.filter((field) => field in original).map((field) => [field, original[field]]));
        const validated = validateSyncInput({ ...kept, accountIds });
        writeLine(notes, `Retrying ${accountIds.length} failed account(s) of ${run.workflowId} (run ${run.runId}).`);
        await startAndReport(client, context, validated, { wait: flags.wait, json: flags.json, startedBy: 'p2c sync retry-failed' });
      });
    });
}
