import type { Command } from 'commander';
import type { CliIo } from '../cli-io';
import { registerControlCommands } from './control-commands';
import { registerFailuresCommand, registerStatusCommand } from './inspect-commands';
import { registerRetryFailedCommand } from './retry-failed-command';
import { registerPlanCommand, registerStartCommand } from './start-command';

/** `p2c sync …`: start, watch, steer and inspect runs of the syncAccounts workflow. */
export function registerSyncCommands(program: Command, io: CliIo): void {
  const sync = program.command('sync').description('start, watch, pause, resume, cancel and inspect sync runs');
  registerStartCommand(sync, io);
  registerStatusCommand(sync, io);
  registerControlCommands(sync, io);
  registerFailuresCommand(sync, io);
  registerRetryFailedCommand(sync, io);
  registerPlanCommand(sync, io);
}
