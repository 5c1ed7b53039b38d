import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { ConfigurationError } from '../domain/errors';
import { describeIssues } from '../domain/describe-issues';
import { createJsonLogger, logLevelSchema } from '../observability/json-logger';
import { startCodecServer, type RunningCodecServer } from '../codec/codec-server';
import { EncryptionCodec } from '../codec/encryption-codec';
import { loadPayloadProtection } from '../codec/payload-keys';

const flagsSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65_535).default(8888),
  corsOrigin: z.array(z.url({ protocol: /^https?$/, error: 'must be an http(s) origin such as http://localhost:8233' })).default([]),
  tokenFile: z.string().min(1).optional(),
});

const environmentSchema = z.object({
  P2C_CODEC_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  P2C_LOG_LEVEL: logLevelSchema.default('INFO'),
});

/**
 * `p2c codec-server`: the codec endpoint for Temporal's Web UI (`--ui-codec-endpoint`, `TEMPORAL_CODEC_ENDPOINT`)
 * and the `temporal` CLI (`--codec-endpoint`), with the workers' keys from the same environment variables. Logs
 * JSON lines ("codec server listening" with the URL first), never a payload. Stops on SIGINT/SIGTERM.
 */
export function registerCodecServerCommand(program: Command): Command {
  return program
    .command('codec-server')
    .description("decode/encode endpoint for the Temporal Web UI and CLI, with the workers' payload keys (P2C_PAYLOAD_KEYS)")
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: a free one)', '8888')
    .option('--cors-origin <origin...>', 'Web UI origins allowed to call from a browser, e.g. http://localhost:8233')
    .option('--token-file <file>', 'require "Authorization: Bearer <token>" with the token in this file (or $P2C_CODEC_TOKEN)')
    .action(async (raw: Record<string, unknown>) => {
      const running = await startCodecServerFromFlags(raw, process.env);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          void running.close().finally(resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}

export async function startCodecServerFromFlags(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<RunningCodecServer> {
  const flags = flagsSchema.safeParse(raw);
  if (!flags.success) throw new ConfigurationError('Invalid codec-server options', describeIssues(flags.error, '(options)'));
  const settings = environmentSchema.safeParse(env);
  if (!settings.success) throw new ConfigurationError('Invalid codec-server environment', describeIssues(settings.error, '(environment)'));
  const protection = loadPayloadProtection(env);
  if (protection.kind !== 'encrypted') {
    throw new ConfigurationError('No payload encryption key', ["the codec server decodes with the workers' keys: set P2C_PAYLOAD_KEYS or P2C_PAYLOAD_KEY_FILE"]);
  }
  const token = flags.data.tokenFile ? readToken(flags.data.tokenFile) : settings.data.P2C_CODEC_TOKEN;
  const logger = createJsonLogger({ level: settings.data.P2C_LOG_LEVEL });
  const corsOrigins = flags.data.corsOrigin.map((origin) => new URL(origin).origin);
  const running = await startCodecServer({
    codec: new EncryptionCodec(protection.keyring),
    host: flags.data.host,
    port: flags.data.port,
    corsOrigins,
    ...(token ? { bearerToken: token } : {}),
    logger,
  });
  logger.info('codec server listening', {
    url: running.url,
    keyIds: [...protection.keyring.byId.keys()],
    corsOrigins,
    auth: token ? 'bearer' : 'none',
  });
  return running;
}

function readToken(file: string): string {
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigurationError('Invalid codec-server options', [`--token-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`]);
  }
  if (token.length < 16) throw new ConfigurationError('Invalid codec-server options', [`--token-file: the token in ${file} must be at least 16 characters`]);
  return token;
}
