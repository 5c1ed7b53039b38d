import { Command } from 'commander';
import { runDemo } from './demo';
import { runWorker } from '../worker';

const program = new Command('p2c')
  .description('p2c-sync: keeps Dynamics 365 F&O customers in step with Dynamics 365 Sales accounts, on Temporal.')
  .showHelpAfterError();

program
  .command('worker')
  .description('run a worker for the accounts-sync task queue (settings from the environment)')
  .action(async () => {
    await runWorker();
  });

program
  .command('demo')
  .description('all in one: a Temporal dev server with UI, a worker and one sync run')
  .action(async () => {
    await runDemo();
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
