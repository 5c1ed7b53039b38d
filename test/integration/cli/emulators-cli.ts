// A `p2c` with only the emulators command, so the command can be tested as a process before (and regardless of
// how) the main CLI registers it.
import { Command } from 'commander';
import { registerEmulatorsCommand } from '../../../src/cli/emulators-command';

const program = new Command('p2c').exitOverride();
registerEmulatorsCommand(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
