import { TransportError } from '@temporalio/worker';
import type { TemporalConnectionSettings } from './connection-settings';
import { probeTls } from './tls-probe';

/** Connecting to Temporal failed; the message names the endpoint (never a secret) and the cause in words. */
export class TemporalConnectionError extends Error {
  constructor(
    message: string,
    /** Worth another attempt (the network); false when the settings and the server disagree (TLS, credentials). */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TemporalConnectionError';
  }
}

const AUTH_HINT = 'check TEMPORAL_API_KEY (or the profile\'s api_key), or the client certificate and the namespace';

/**
 * Turns whatever `Connection.connect` or `NativeConnection.connect` threw into one clear sentence, asking the TLS
 * probe when TLS is on. A refused certificate or credential is never worth retrying: the worker then exits at once
 * instead of waiting out its five-minute connection backoff.
 */
export async function explainConnectionFailure(error: unknown, settings: TemporalConnectionSettings): Promise<TemporalConnectionError> {
  const message = firstLine(error);
  const where = `cannot connect to Temporal at ${settings.description}`;
  if (/unauthenticated|permission ?denied|invalid api key/i.test(message)) {
    return new TemporalConnectionError(`${where}: the server refused the credentials (${message}): ${AUTH_HINT}`, false, { cause: error });
  }
  const { tls } = settings.connectionOptions;
  if (tls !== undefined && tls !== false) {
    const probe = await probeTls(settings.address, tls);
    if (probe.kind === 'refused') return new TemporalConnectionError(`${where}: ${probe.reason}`, false, { cause: error });
    if (probe.kind === 'unreachable') return new TemporalConnectionError(`${where}: ${probe.reason}`, true, { cause: error });
  }
  return new TemporalConnectionError(`${where}: ${message}`, error instanceof TransportError || isClientTimeout(message), { cause: error });
}

function isClientTimeout(message: string): boolean {
  return /Failed to connect before the deadline/.test(message);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
