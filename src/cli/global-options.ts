import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from '../config/worker-environment';
import type { CliIo } from './cli-io';
import { parseFlags } from './parse-flags';

/** Where the CLI finds Temporal: flags first, then the same environment variables the worker reads. */
export interface GlobalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
}

const fallback = (value: string | undefined, otherwise: string) => (input: unknown) => input ?? value ?? otherwise;

function globalOptionsSchema(env: NodeJS.ProcessEnv) {
  return z.object({
    address: z.preprocess(
      fallback(env.TEMPORAL_ADDRESS, '127.0.0.1:7233'),
      z.string().regex(/^[^\s:]+:\d{1,5}$/, { error: 'must be host:port, e.g. 127.0.0.1:7233' }),
    ),
    namespace: z.preprocess(fallback(env.TEMPORAL_NAMESPACE, 'default'), z.string().min(1, { error: 'must not be empty' })),
    taskQueue: z.preprocess(fallback(env.P2C_TASK_QUEUE, DEFAULT_TASK_QUEUE), z.string().min(1, { error: 'must not be empty' })),
  });
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--address <host:port>', 'Temporal frontend (default: $TEMPORAL_ADDRESS or 127.0.0.1:7233)')
    .option('--namespace <name>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE or default)')
    .option('--task-queue <name>', `task queue the workers poll (default: $P2C_TASK_QUEUE or ${DEFAULT_TASK_QUEUE})`);
}

export function globalSettings(command: Command, io: CliIo): GlobalSettings {
  const all = command.optsWithGlobals<Record<string, unknown>>();
  return parseFlags(globalOptionsSchema(io.env), { address: all.address, namespace: all.namespace, taskQueue: all.taskQueue });
}
