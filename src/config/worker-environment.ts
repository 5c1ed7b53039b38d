import { z } from 'zod';
import { describeIssues } from '../domain/describe-issues';
import { ConfigurationError } from '../domain/errors';

export const DEFAULT_TASK_QUEUE = 'accounts-sync';

const workerEnvironmentSchema = z.object({
  // TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_PROFILE, TEMPORAL_TLS_* and TEMPORAL_API_KEY are read with the
  // Temporal profile, as the `temporal` CLI reads them (src/temporal/connection-settings.ts).
  P2C_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  P2C_CONFIG: z.string().min(1).optional(),
  /**
   * How many worker processes run with this configuration (overrides the configuration's `limits.workers`): each
   * takes its share of the Dynamics concurrency limits, which count per application user, not per worker.
   */
  P2C_WORKER_COUNT: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .regex(/^\d+$/, { error: 'must be a whole number of worker processes' })
      .transform(Number)
      .pipe(z.number().int().min(1).max(52))
      .optional(),
  ),
  /**
   * A workflow bundle built ahead of time (`p2c bundle-workflows`, done in the Docker image): the worker starts
   * without running webpack, which saves its start-up time and a few hundred MB of peak memory.
   */
  P2C_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /**
   * The V8 heap limit (`--max-old-space-size`) `p2c worker` runs with; bin/p2c.cjs applies it (V8 takes it only at
   * start) unless NODE_OPTIONS or the node command line already sets one, and checks the same bounds. Without a limit
   * V8 lets the heap grow to several times what the worker keeps alive; below 128 MB the worker runs out of memory.
   */
  P2C_WORKER_MAX_HEAP_MB: z.preprocess(
    // Empty means unset, as bin/p2c.cjs reads it (a compose file's `${VAR:-}`).
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .regex(/^\d+$/, { error: 'must be a whole number of MB' })
      .transform(Number)
      .pipe(z.number().int().min(128).max(65_536))
      .optional(),
  ),
});

export type WorkerEnvironment = z.output<typeof workerEnvironmentSchema>;

/** Reads the worker's settings from the environment; refuses to start with a list of every problem. */
export function loadWorkerEnvironment(env: NodeJS.ProcessEnv = process.env): WorkerEnvironment {
  const parsed = workerEnvironmentSchema.safeParse(env);
  if (!parsed.success) throw new ConfigurationError('Invalid worker environment', describeIssues(parsed.error, '(environment)'));
  return parsed.data;
}
