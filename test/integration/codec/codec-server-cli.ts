// A `p2c` with only the codec-server command, so the command is tested as a process regardless of how (and
// whether yet) the main CLI registers it.
import { Command } from 'commander';
import { registerCodecServerCommand } from '../../../src/cli/codec-server-command';

const program = new Command('p2c').exitOverride();
registerCodecServerCommand(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
