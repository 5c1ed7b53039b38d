import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import type * as Demo from './demo';
import { lazyRequire } from './lazy-require';
import { registerCodecServerCommand } from './codec-server-command';
import { bundleWorkflows } from '../temporal/workflow-bundle';
import { runWorker } from '../worker';
import { describeError, CliError } from './cli-error';
import { writeLine, type CliIo } from './cli-io';
import { registerConfigCommands } from './config/validate-command';
import { registerDevServerCommand } from './dev-server-command';
import { registerEmulatorsCommand } from './emulators-command';
import { registerLiveCommands } from './live/live-commands';
import { addGlobalOptions } from './global-options';
import { parseFlags } from './parse-flags';
import { registerScheduleCommands } from './schedule/schedule-commands';
import { registerSyncCommands } from './sync';

const demoFlags = z.object({
  accounts: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(1_000_000).default(20_000),
  seed: z.coerce.number({ error: 'must be a whole number' }).int().default(1),
  keepRunning: z.boolean().default(false),
  uiPort: z.coerce.number({ error: 'must be a port number' }).int().min(1).max(65_535).optional(),
});

/** The `p2c` command tree, writing to `io`; tests run it in-process, `bin/p2c.cjs` with the process's streams. */
export function createProgram(io: CliIo): Command {
  const program = new Command('p2c')
    .description('p2c-sync: keeps Dynamics 365 F&O customers in step with Dynamics 365 Sales accounts, on Temporal.')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  addGlobalOptions(program);

  program
    .command('worker')
    .description('run a worker for the accounts-sync task queue (Temporal settings and secrets from the environment)')
    .option('-c, --config <file>', 'sync configuration (YAML or JSON); default $P2C_CONFIG')
    .action(async (options: { config?: string }, command: Command) => {
      const flags = command.optsWithGlobals<{ address?: string; namespace?: string; profile?: string }>();
      await runWorker(io.env, options.config, { address: flags.address, namespace: flags.namespace, profile: flags.profile });
    });

  program
    .command('bundle-workflows')
    .description('build the workflow bundle ahead of time; a worker with P2C_WORKFLOW_BUNDLE=<file> starts without webpack')
    .requiredOption('-o, --out <file>', 'where to write the bundle')
    .option('--without-tracing', "leave out OpenTelemetry's workflow interceptors: a worker running this bundle exports no workflow spans, even with tracing on (a worker bundling at start does this itself when tracing is off)")
    .action(async (options: { out: string; withoutTracing?: boolean }) => {
      const bytes = await bundleWorkflows(options.out, { tracing: options.withoutTracing !== true });
      io.stdout.write(`wrote ${options.out} (${bytes} bytes)\n`);
    });

  program
    .command('demo')
    .description('all in one: Temporal dev server with Web UI, emulators with generated data, a worker, one sync with live progress')
    .option('--accounts <n>', 'generated Sales accounts (default 20000)')
    .option('--seed <n>', 'seed of the generated data (default 1)')
    .option('--keep-running', 'keep the server, Web UI and emulators up after the run, until Ctrl-C')
    .option('--ui-port <port>', 'Web UI port (default: a free one)')
    .action(async (raw: Record<string, unknown>) => {
      // Loaded when asked for: the demo brings the emulators, which no other command (and no worker) needs.
      const { runDemo } = lazyRequire<typeof Demo>('./demo');
      await runDemo(parseFlags(demoFlags, raw), io);
    });

  registerEmulatorsCommand(program);
  registerCodecServerCommand(program);
  registerDevServerCommand(program, io);
  registerSyncCommands(program, io);
  registerLiveCommands(program, io);
  registerScheduleCommands(program, io);
  registerConfigCommands(program, io);
  return program;
}

/** Runs one command line; resolves to the exit code. Errors end as one line on stderr, never a stack trace. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its own message (unknown option, missing argument) or the help.
    if (error instanceof CommanderError) return error.exitCode;
    writeLine(io.stderr, `p2c: ${describeError(error)}`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
