import { Command } from 'commander';
import { runDemo } from './demo';
import { registerEmulatorsCommand } from './emulators-command';
import { runWorker } from '../worker';

const program = new Command('p2c')
  .description('p2c-sync: keeps Dynamics 365 F&O customers in step with Dynamics 365 Sales accounts, on Temporal.')
  .showHelpAfterError();

program
  .command('worker')
  .description('run a worker for the accounts-sync task queue (Temporal settings and secrets from the environment)')
  .option('-c, --config <file>', 'sync configuration (YAML or JSON); default $P2C_CONFIG')
  .action(async (options: { config?: string }) => {
    await runWorker(process.env, options.config);
  });

program
  .command('demo')
  .description('all in one: a Temporal dev server with UI, the emulators, a worker and one sync run')
  .action(async () => {
    await runDemo();
  });

registerEmulatorsCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
