import type { Command } from 'commander';
import { z } from 'zod';
import { startDevServer } from '../temporal/dev-server';
import { customSearchAttributes } from '../temporal/search-attributes';
import { writeLine, type CliIo } from './cli-io';
import { parseFlags } from './parse-flags';

const port = z.coerce.number({ error: 'must be a port number' }).int({ error: 'must be a port number' }).min(1).max(65_535);
const flagsSchema = z.object({
  port: port.default(7233),
  uiPort: port.default(8233),
  dbFilename: z.string().min(1).optional(),
  uiCodecEndpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://localhost:8888' }).optional(),
});

/**
 * `p2c dev-server`: Temporal's `temporal server start-dev` (the pinned CLI, see src/temporal/ensure-temporal.cjs) with the
 * project's search attributes registered — what the README's commands need, without `temporal` on PATH. A plain
 * start-dev lacks the attributes, and the workflow, which sets them itself, could not run there.
 */
export function registerDevServerCommand(program: Command, io: CliIo): Command {
  return program
    .command('dev-server')
    .description("a local Temporal dev server and Web UI with p2c's search attributes (until Ctrl-C)")
    .option('--port <port>', 'gRPC port (default 7233)')
    .option('--ui-port <port>', 'Web UI port (default 8233)')
    .option('--db-filename <file>', 'keep state in this SQLite file (default: in memory)')
    .option('--ui-codec-endpoint <url>', "the codec server the UI decodes through, e.g. http://localhost:8888 (start it with --cors-origin http://localhost:8233)")
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(flagsSchema, raw);
      const server = await startDevServer({
        port: flags.port,
        uiPort: flags.uiPort,
        ...(flags.dbFilename ? { dbFilename: flags.dbFilename } : {}),
        ...(flags.uiCodecEndpoint ? { uiCodecEndpoint: flags.uiCodecEndpoint } : {}),
      });
      writeLine(io.stdout, `Temporal dev server at ${server.address}, Web UI at ${server.uiUrl ?? '(none)'}`);
      writeLine(io.stdout, `Search attributes: ${Object.entries(customSearchAttributes).map(([name, type]) => `${name} (${type})`).join(', ')}`);
      writeLine(io.stdout, 'Ctrl-C stops it.');
      await new Promise<void>((resolve) => {
        const stop = io.onInterrupt(() => {
          stop();
          resolve();
        });
      });
      await server.stop();
    });
}
