import { z } from 'zod';
import { describeIssues } from '../domain/describe-issues';

export const DEFAULT_TASK_QUEUE = 'accounts-sync';

const workerEnvironmentSchema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, { error: 'must be host:port, e.g. 127.0.0.1:7233' })
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  P2C_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  P2C_CONFIG: z.string().min(1).optional(),
  /**
   * A workflow bundle built ahead of time (`p2c bundle-workflows`, done in the Docker image): the worker starts
   * without running webpack, which saves its start-up time and a few hundred MB of peak memory.
   */
  P2C_WORKFLOW_BUNDLE: z.string().min(1).optional(),
});

export type WorkerEnvironment = z.output<typeof workerEnvironmentSchema>;

export class ConfigurationError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(`${message}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/** Reads the worker's settings from the environment; refuses to start with a list of every problem. */
export function loadWorkerEnvironment(env: NodeJS.ProcessEnv = process.env): WorkerEnvironment {
  const parsed = workerEnvironmentSchema.safeParse(env);
  if (!parsed.success) throw new ConfigurationError('Invalid worker environment', describeIssues(parsed.error, '(environment)'));
  return parsed.data;
}
