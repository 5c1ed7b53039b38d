import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { lazyRequire } from './lazy-require';
import type * as Emulators from '@p2c-sync/emulators';
import type { EmulatorOptions, RunningEmulators } from '@p2c-sync/emulators';
import { afterFailedChangeSetModes, faultSettingsSchema, serverTimeSettingsSchema } from '@p2c-sync/emulators/settings';

const count = z.coerce.number().int().min(0);
const port = z.coerce.number().int().min(0).max(65_535);
const positive = z.coerce.number().int().positive();
const jsonText = z.string().transform((text, context) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    context.addIssue({ code: 'custom', message: 'not valid JSON' });
    return z.NEVER;
  }
});
const faultsJson = jsonText.pipe(faultSettingsSchema);
const serverTimeJson = jsonText.pipe(serverTimeSettingsSchema);

/** The flags as commander hands them over (strings), checked and converted in one place. */
const flagsSchema = z.object({
  generate: count.optional(),
  seed: z.coerce.number().int().optional(),
  accounts: z.string().optional(),
  reference: z.string().optional(),
  stateDir: z.string().optional(),
  host: z.string().default('127.0.0.1'),
  dataversePort: port.optional(),
  fnoPort: port.optional(),
  entraPort: port.optional(),
  clientId: z.string().min(1).default('p2c-sync'),
  tenantId: z.string().min(1).optional(),
  tokenLifetime: positive.optional(),
  certName: z.array(z.string().min(1)).optional(),
  defaultCompany: z.string().regex(/^[A-Za-z0-9]{1,4}$/).optional(),
  fnoPageSize: positive.optional(),
  fnoBatchAfterFailure: z.enum(afterFailedChangeSetModes).optional(),
  dataverseMaxRequests: positive.optional(),
  dataverseMaxExecutionMs: positive.optional(),
  dataverseMaxConcurrent: positive.optional(),
  dataverseWindowMs: positive.optional(),
  fnoMaxConcurrent: positive.optional(),
  fnoRequestBudget: positive.optional(),
  fnoBudgetWindowMs: positive.optional(),
  fnoBatchThrottling: z.enum(['request', 'operation']).optional(),
  dataverseFaults: faultsJson.optional(),
  fnoFaults: faultsJson.optional(),
  entraFaults: faultsJson.optional(),
  dataverseServerTime: serverTimeJson.optional(),
  fnoServerTime: serverTimeJson.optional(),
});

type Flags = z.output<typeof flagsSchema>;

/** What `p2c emulators` prints once ready: one JSON line, no secret (only the path of the file holding it). */
export interface EmulatorsReadyLine {
  dataverseUrl: string;
  fnoUrl: string;
  authority: string;
  tenantId: string;
  clientId: string;
  caCertFile: string;
  clientSecretFile: string;
}

/**
 * `p2c emulators`: the Dataverse, F&O and Entra ID emulators in one process until SIGTERM/SIGINT. Prints one JSON
 * line when ready (see EmulatorsReadyLine). The client secret comes from `P2C_EMULATOR_CLIENT_SECRET` or is
 * generated, and is written to a file (mode 600) in the state directory, or in a temporary directory that is
 * removed on exit.
 */
export function registerEmulatorsCommand(program: Command): Command {
  return program
    .command('emulators')
    .description('run the Dataverse, F&O and Entra ID emulators (prints one JSON line with URLs when ready)')
    .option('--generate <count>', 'generate this many seeded Dataverse accounts')
    .option('--seed <number>', 'seed for --generate (default 1)')
    .option('--accounts <file>', 'Dataverse accounts from a JSON file ({ accounts, transactioncurrencies?, businessunits? })')
    .option('--reference <file>', 'F&O reference data overriding the defaults (JSON)')
    .option('--state-dir <dir>', 'keep state (data, CA, client secret) in this directory across restarts')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--dataverse-port <port>', 'Dataverse port (default: a free one)')
    .option('--fno-port <port>', 'F&O port (default: a free one)')
    .option('--entra-port <port>', 'Entra ID port (default: a free one)')
    .option('--client-id <id>', 'the client id the Entra emulator knows', 'p2c-sync')
    .option('--tenant-id <id>', 'tenant id (default: a fixed GUID)')
    .option('--token-lifetime <seconds>', 'access token lifetime (default 3600)')
    .option('--cert-name <name...>', 'extra host names for the Entra TLS certificate')
    .option('--default-company <id>', 'F&O company reads see without cross-company=true (default usmf)')
    .option('--fno-page-size <rows>', 'F&O server-driven page size (default 10000)')
    .addOption(
      new Option('--fno-batch-after-failure <mode>', 'F&O $batch after a failed change set (default as-preferred: OData\'s rule)').choices([
        ...afterFailedChangeSetModes,
      ]),
    )
    .option('--dataverse-max-requests <n>', 'Dataverse service protection: requests per user per window (default 6000)')
    .option('--dataverse-max-execution-ms <ms>', 'Dataverse service protection: execution time per window (default 1200000)')
    .option('--dataverse-max-concurrent <n>', 'Dataverse service protection: concurrent requests per user (default 52)')
    .option('--dataverse-window-ms <ms>', 'Dataverse service protection window (default 300000)')
    .option('--fno-max-concurrent <n>', 'F&O concurrency ceiling (default 256)')
    .option('--fno-request-budget <n>', 'F&O request budget per window (default 1000000)')
    .option('--fno-budget-window-ms <ms>', 'F&O budget window (default 300000)')
    .addOption(
      new Option('--fno-batch-throttling <how>', 'F&O $batch over budget: 429 for the request (default) or per operation inside it').choices([
        'request',
        'operation',
      ]),
    )
    .addOption(new Option('--dataverse-faults <json>', 'Dataverse fault settings (JSON, as PUT /_admin/faults)'))
    .addOption(new Option('--fno-faults <json>', 'F&O fault settings (JSON)'))
    .addOption(new Option('--entra-faults <json>', 'Entra ID fault settings (JSON)'))
    .addOption(
      new Option('--dataverse-server-time <json>', 'Dataverse server time per operation, charged to the execution-time limit (JSON { readMs, writeMs, jitterMs })'),
    )
    .addOption(new Option('--fno-server-time <json>', 'F&O server time per operation, holding the request\'s slot (JSON { readMs, writeMs, jitterMs })'))
    .action(async (raw: Record<string, unknown>) => {
      const parsed = flagsSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`invalid options:\n${z.prettifyError(parsed.error)}`);
      await runEmulators(parsed.data);
    });
}

async function runEmulators(flags: Flags): Promise<void> {
  const scratch = flags.stateDir ? undefined : mkdtempSync(path.join(tmpdir(), 'p2c-emulators-'));
  const fileDir = flags.stateDir ?? (scratch as string);
  let running: RunningEmulators;
  try {
    // Loaded here, not with the command line: every other `p2c` command, the worker too, runs without the servers
    // (lazy-require.ts).
    const { startEmulators } = lazyRequire<typeof Emulators>('@p2c-sync/emulators');
    running = await startEmulators(toOptions(flags, fileDir));
  } catch (error) {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  const clientSecretFile = path.join(fileDir, 'client-secret');
  writeFileSync(clientSecretFile, running.client.clientSecret, { mode: 0o600 });
  const ready: EmulatorsReadyLine = {
    dataverseUrl: running.dataverse.url,
    fnoUrl: running.fno.url,
    authority: running.entra.authority,
    tenantId: running.entra.tenantId,
    clientId: running.client.clientId,
    caCertFile: running.entra.caCertFile ?? path.join(fileDir, 'entra-ca.pem'),
    clientSecretFile,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void running
        .close()
        .catch((error: unknown) => console.error(error instanceof Error ? error.message : error))
        .finally(() => {
          if (scratch) rmSync(scratch, { recursive: true, force: true });
          resolve();
        });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

function toOptions(flags: Flags, fileDir: string): EmulatorOptions {
  const ports = {
    ...(flags.dataversePort !== undefined ? { dataverse: flags.dataversePort } : {}),
    ...(flags.fnoPort !== undefined ? { fno: flags.fnoPort } : {}),
    ...(flags.entraPort !== undefined ? { entra: flags.entraPort } : {}),
  };
  const dataverseLimits = {
    ...(flags.dataverseMaxRequests ? { maxRequests: flags.dataverseMaxRequests } : {}),
    ...(flags.dataverseMaxExecutionMs ? { maxExecutionMs: flags.dataverseMaxExecutionMs } : {}),
    ...(flags.dataverseMaxConcurrent ? { maxConcurrent: flags.dataverseMaxConcurrent } : {}),
    ...(flags.dataverseWindowMs ? { windowMs: flags.dataverseWindowMs } : {}),
  };
  const fnoLimits = {
    ...(flags.fnoMaxConcurrent ? { maxConcurrentRequests: flags.fnoMaxConcurrent } : {}),
    ...(flags.fnoBatchThrottling ? { batchThrottling: flags.fnoBatchThrottling } : {}),
    ...(flags.fnoRequestBudget ? { requestBudget: flags.fnoRequestBudget } : {}),
    ...(flags.fnoBudgetWindowMs ? { budgetWindowMs: flags.fnoBudgetWindowMs } : {}),
  };
  return {
    host: flags.host,
    ports,
    ...(flags.generate !== undefined ? { generate: { count: flags.generate, ...(flags.seed !== undefined ? { seed: flags.seed } : {}) } } : {}),
    ...(flags.accounts ? { accountsFile: flags.accounts } : {}),
    ...(flags.reference ? { referenceFile: flags.reference } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
    caCertFile: path.join(fileDir, 'entra-ca.pem'),
    clientId: flags.clientId,
    ...(flags.tenantId ? { tenantId: flags.tenantId } : {}),
    ...(flags.tokenLifetime ? { tokenLifetimeSeconds: flags.tokenLifetime } : {}),
    ...(flags.certName ? { certificateNames: flags.certName } : {}),
    dataverse: {
      limits: dataverseLimits,
      ...(flags.dataverseFaults ? { faults: flags.dataverseFaults } : {}),
      ...(flags.dataverseServerTime ? { serverTime: flags.dataverseServerTime } : {}),
    },
    fno: {
      limits: fnoLimits,
      ...(flags.fnoFaults ? { faults: flags.fnoFaults } : {}),
      ...(flags.fnoServerTime ? { serverTime: flags.fnoServerTime } : {}),
      ...(flags.defaultCompany ? { defaultCompany: flags.defaultCompany } : {}),
      ...(flags.fnoPageSize ? { maxPageSize: flags.fnoPageSize } : {}),
      ...(flags.fnoBatchAfterFailure ? { afterFailedChangeSet: flags.fnoBatchAfterFailure } : {}),
    },
    ...(flags.entraFaults ? { entra: { faults: flags.entraFaults } } : {}),
  };
}
