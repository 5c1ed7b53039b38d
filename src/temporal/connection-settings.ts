import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { z } from 'zod';
import { ConfigurationError } from '../domain/errors';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** Command-line flags, which win over the environment and the profile, as with the `temporal` CLI. */
export interface TemporalConnectionOverrides {
  profile?: string | undefined;
  address?: string | undefined;
  namespace?: string | undefined;
}

/** What both the client (`Connection.connect`) and the worker (`NativeConnection.connect`) take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  connectionOptions: TemporalConnectionOptions;
  /** For logs and error messages: address, namespace, profile, TLS mode and whether an API key is used — never a secret. */
  description: string;
}

const addressSchema = z.string().regex(/^[^\s:]+:\d{1,5}$/, { error: 'must be host:port, e.g. 127.0.0.1:7233' });
const namespaceSchema = z.string().min(1, { error: 'must not be empty' });

/**
 * Where Temporal is and how to reach it, resolved the way the `temporal` CLI and every SDK do
 * (`@temporalio/envconfig`): the profile (`--profile`, else `$TEMPORAL_PROFILE`, else `default`) from
 * `$TEMPORAL_CONFIG_FILE` or `~/.config/temporalio/temporal.toml`, then `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, `TEMPORAL_TLS*` and `TEMPORAL_GRPC_META_*` over it, then the command-line flags. So one profile
 * serves the `temporal` CLI, its users and p2c alike. Certificates and keys come from files (`*_path`) or the
 * environment; the API key from the profile file or the environment: never from a command line.
 */
export function loadTemporalConnection(env: NodeJS.ProcessEnv, overrides: TemporalConnectionOverrides = {}): TemporalConnectionSettings {
  const environment = definedOnly(env);
  const configFile = environment.TEMPORAL_CONFIG_FILE;
  // The library treats a missing file as "no profiles"; a file named on purpose that cannot be read is a mistake.
  if (configFile !== undefined) assertReadable(configFile);
  let connect: ReturnType<typeof loadClientConnectConfig>;
  try {
    connect = loadClientConnectConfig({
      ...(overrides.profile !== undefined ? { profile: overrides.profile } : {}),
      overrideEnvVars: environment,
    });
  } catch (error) {
    throw new ConfigurationError('Invalid Temporal connection settings', [explainLoadError(error, environment, overrides.profile)]);
  }
  const { connectionOptions } = connect;
  const address = addressSchema.safeParse(overrides.address ?? connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS);
  const namespace = namespaceSchema.safeParse(overrides.namespace ?? connect.namespace ?? DEFAULT_TEMPORAL_NAMESPACE);
  const problems = [
    ...(address.success ? [] : [`address: ${address.error.issues[0]?.message ?? 'invalid'}`]),
    ...(namespace.success ? [] : [`namespace: ${namespace.error.issues[0]?.message ?? 'invalid'}`]),
  ];
  if (!address.success || !namespace.success) throw new ConfigurationError('Invalid Temporal connection settings', problems);
  const tls = connectionOptions.tls ?? undefined;
  // envconfig fills it from the profile's grpc_meta and TEMPORAL_GRPC_META_*: text values only.
  const metadata = Object.fromEntries(
    Object.entries(connectionOptions.metadata ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const options: TemporalConnectionOptions = {
    address: address.data,
    ...(tls !== undefined ? { tls } : {}),
    ...(typeof connectionOptions.apiKey === 'string' ? { apiKey: connectionOptions.apiKey } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
  const profile = overrides.profile ?? environment.TEMPORAL_PROFILE;
  return {
    address: address.data,
    namespace: namespace.data,
    connectionOptions: options,
    description: describeConnection(options, namespace.data, profile),
  };
}

/** `ns.acct.tmprl.cloud:7233 (namespace ns.acct, profile prod, mutual TLS)`: safe to log, no secret in it. */
export function describeConnection(options: TemporalConnectionOptions, namespace: string, profile?: string): string {
  const facts = [`namespace ${namespace}`];
  if (profile) facts.push(`profile ${profile}`);
  facts.push(tlsMode(options.tls));
  if (options.apiKey) facts.push('API key');
  return `${options.address} (${facts.join(', ')})`;
}

export function tlsMode(tls: TLSConfig | boolean | undefined): 'plain' | 'TLS' | 'mutual TLS' {
  if (tls === undefined || tls === false) return 'plain';
  if (tls !== true && tls.clientCertPair) return 'mutual TLS';
  return 'TLS';
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function assertReadable(file: string): void {
  try {
    readFileSync(file);
  } catch (error) {
    throw new ConfigurationError('Invalid Temporal connection settings', [
      `TEMPORAL_CONFIG_FILE: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    ]);
  }
}

/** One line naming the setting at fault; never the content of a key or certificate. */
function explainLoadError(error: unknown, env: Record<string, string>, profile: string | undefined): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const file = (error as { path?: unknown } | undefined)?.path;
  if (typeof code === 'string' && typeof file === 'string') return `cannot read ${file} (named by the Temporal profile or TEMPORAL_TLS_*): ${code}`;
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
  const source = env.TEMPORAL_CONFIG_FILE ?? 'the default temporal.toml';
  if (/^Profile '.*' not found/.test(message)) {
    return `profile '${profile ?? env.TEMPORAL_PROFILE}' is not in ${source} (--profile or TEMPORAL_PROFILE)`;
  }
  return `${source}: ${message}`;
}
