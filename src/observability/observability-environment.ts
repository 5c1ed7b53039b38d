import { z } from 'zod';
import { ConfigurationError } from '../domain/errors';
import { describeIssues } from '../domain/describe-issues';
import { logLevelSchema } from './json-logger';

const observabilityEnvironmentSchema = z.object({
  /** Lowest level written (JSON lines on stdout). */
  P2C_LOG_LEVEL: logLevelSchema.default('INFO'),
  /** Port of the worker's /metrics (the sync's metrics and the SDK's runtime metrics); no metrics when unset. */
  P2C_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Interface /metrics listens on; a container sets 0.0.0.0 so Prometheus can reach it. */
  P2C_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * OTLP/HTTP collector (e.g. http://jaeger:4318): traces are exported when this or the traces-only variable is set,
   * and not at all otherwise. The exporter reads these and OTEL_EXPORTER_OTLP_HEADERS (credentials) itself.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('p2c-worker'),
});

export type ObservabilityEnvironment = z.output<typeof observabilityEnvironmentSchema>;

export function loadObservabilityEnvironment(env: NodeJS.ProcessEnv = process.env): ObservabilityEnvironment {
  const parsed = observabilityEnvironmentSchema.safeParse(env);
  if (!parsed.success) throw new ConfigurationError('Invalid observability settings', describeIssues(parsed.error, '(environment)'));
  return parsed.data;
}
