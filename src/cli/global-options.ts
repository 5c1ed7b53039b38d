import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from '../config/worker-environment';
import { loadTemporalConnection, type TemporalConnectionSettings } from '../temporal/connection-settings';
import type { CliIo } from './cli-io';
import { parseFlags } from './parse-flags';

/**
 * Where the CLI finds Temporal and how it connects: the flags first, then the environment and the Temporal profile,
 * exactly as the worker resolves them (`loadTemporalConnection`).
 */
export interface GlobalSettings extends TemporalConnectionSettings {
  taskQueue: string;
}

function globalOptionsSchema(env: NodeJS.ProcessEnv) {
  return z.object({
    address: z.string().regex(/^[^\s:]+:\d{1,5}$/, { error: 'must be host:port, e.g. 127.0.0.1:7233' }).optional(),
    namespace: z.string().min(1, { error: 'must not be empty' }).optional(),
    profile: z.string().min(1, { error: 'must not be empty' }).optional(),
    taskQueue: z.preprocess((input) => input ?? env.P2C_TASK_QUEUE ?? DEFAULT_TASK_QUEUE, z.string().min(1, { error: 'must not be empty' })),
  });
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--address <host:port>', 'Temporal frontend (default: $TEMPORAL_ADDRESS, the profile\'s address, or 127.0.0.1:7233)')
    .option('--namespace <name>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE, the profile\'s namespace, or default)')
    .option(
      '--profile <name>',
      'Temporal environment configuration profile in $TEMPORAL_CONFIG_FILE or ~/.config/temporalio/temporal.toml (default: $TEMPORAL_PROFILE or default); TLS, mTLS and API key settings come from it or TEMPORAL_TLS_*/TEMPORAL_API_KEY',
    )
    .option('--task-queue <name>', `task queue the workers poll (default: $P2C_TASK_QUEUE or ${DEFAULT_TASK_QUEUE})`);
}

export function globalSettings(command: Command, io: CliIo): GlobalSettings {
  const all = command.optsWithGlobals<Record<string, unknown>>();
  const flags = parseFlags(globalOptionsSchema(io.env), { address: all.address, namespace: all.namespace, profile: all.profile, taskQueue: all.taskQueue });
  const connection = loadTemporalConnection(io.env, { profile: flags.profile, address: flags.address, namespace: flags.namespace });
  return { ...connection, taskQueue: flags.taskQueue };
}
