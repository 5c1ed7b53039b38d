/**
 * A configuration (environment, sync configuration file, payload keys, Temporal connection, CLI flags) that cannot
 * be used, with every problem found, so the operator fixes them in one go. Thrown before anything is written; the
 * activities turn it into a non-retryable failure, the CLI into exit code 2. Here, at the bottom of the layers, so
 * every layer that reads a configuration can throw it (the connectors' own failures are `ConnectorError`,
 * src/connectors/errors.ts).
 */
export class ConfigurationError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(`${message}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}
