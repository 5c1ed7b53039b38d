import type { Command } from 'commander';
import type { CliIo } from './cli-io';
import { globalSettings, type GlobalSettings } from './global-options';

/** What every command's action works with: the process's streams and environment, and the Temporal settings. */
export interface CommandContext {
  io: CliIo;
  settings: GlobalSettings;
}

/** Wraps an action so it receives its context; commander hands the command object last. */
export function contextOf(command: Command, io: CliIo): CommandContext {
  return { io, settings: globalSettings(command, io) };
}
