import { readFileSync } from 'node:fs';
import { DataverseClient } from '../connectors/dataverse-client';
import { FnoClient } from '../connectors/fno-client';
import { FnoMetadataReader } from '../connectors/fno-metadata';
import { HttpClient } from '../connectors/http-client';
import { readCurrencyCodes } from '../connectors/reference-reads';
import { ServiceRequester } from '../connectors/service-requester';
import { ExecutionPacer } from '../connectors/execution-pacer';
import { ThrottleGate } from '../connectors/throttle-gate';
import { TokenProvider } from '../connectors/token-provider';
import { resolveWebhook, type ResolvedWebhook } from '../config/notifications-config';
import type { ClientSecrets, LoadedConfig, SyncConfig } from '../config/sync-config';
import { workerShare, type WorkerShare } from '../config/worker-share';

/** What activities need from the worker: configuration and connected clients. Built once per worker process. */
export interface ActivityDependencies {
  config: SyncConfig;
  configVersion: string;
  dataverse: DataverseClient;
  fno: FnoClient;
  /** Which entity sets the F&O environment publishes (its `$metadata`), for checks of optional reference data. */
  fnoMetadata: FnoMetadataReader;
  /** Transaction currency id → ISO code, cached for a few minutes (a small, rarely changing table). */
  currencies: () => Promise<ReadonlyMap<string, string>>;
  /** Source of the random suffix of new Account Numbers; tests seed it. */
  random?: () => number;
  /** Where the end of each run is posted (notifications.webhook), its URL resolved; none when not configured. */
  webhook?: ResolvedWebhook;
}

export interface ConnectedDependencies extends ActivityDependencies {
  close(): Promise<void>;
}

const CURRENCY_CACHE_MS = 5 * 60_000;

/**
 * Wires the production connectors from a configuration and the client secrets: one keep-alive HTTP client for
 * both services, one token provider and one throttle gate per service identity, shared by every activity of the
 * worker so that a Retry-After holds back all of them. Their concurrency is this worker's share of the limits.
 */
export function connectDependencies(
  loaded: LoadedConfig,
  secrets: ClientSecrets,
  options: { caPem?: string; random?: () => number; share?: WorkerShare; webhook?: ResolvedWebhook } = {},
): ConnectedDependencies {
  const { config } = loaded;
  // This worker's part of the deployment-wide limits (the whole of them for a single worker).
  const share = options.share ?? workerShare(config.limits);
  const caPem = options.caPem ?? (config.connections.caFile ? readFileSync(config.connections.caFile, 'utf8') : undefined);
  const http = new HttpClient({
    connectionsPerOrigin: Math.max(share.dataverseConcurrency, share.fnoConcurrency),
    requestTimeoutMs: config.limits.requestTimeoutSeconds * 1000,
    ...(caPem ? { caPem } : {}),
  });
  const maxWaitMs = config.limits.maxThrottleWaitSeconds * 1000;
  const dataverseConnection = { ...config.connections.dataverse, clientSecret: secrets.dataverse };
  const fnoConnection = { ...config.connections.fno, clientSecret: secrets.fno };
  const dataverse = new DataverseClient({
    connection: dataverseConnection,
    http,
    tokens: new TokenProvider({ ...dataverseConnection, resource: dataverseConnection.url, http }),
    gate: new ThrottleGate({ service: 'dataverse', maxConcurrency: share.dataverseConcurrency, ...dataversePacer(config.connections.dataverse.serviceProtection, share) }),
    maxWaitMs,
  });
  const fnoTokens = new TokenProvider({ ...fnoConnection, resource: fnoConnection.url, http });
  const fno = new FnoClient({
    connection: fnoConnection,
    http,
    tokens: fnoTokens,
    gate: new ThrottleGate({ service: 'fno', maxConcurrency: share.fnoConcurrency, adaptive: { min: 1 } }),
    maxWaitMs,
    maxBatchOperations: config.limits.fnoWriteBatchSize,
  });
  // Same identity, token and throttle gate as the client: one Retry-After holds back both.
  const fnoMetadata = new FnoMetadataReader(new ServiceRequester({ service: 'fno', http, tokens: fnoTokens, gate: fno.gate, maxWaitMs }), fno.serviceRoot);

  // Resolved by the worker (a URL from the environment or a file); one written in the configuration is used as is.
  const webhook = options.webhook ?? resolveInlineWebhook(config);

  let cached: { at: number; value: Promise<ReadonlyMap<string, string>> } | undefined;
  const currencies = () => {
    if (!cached || Date.now() - cached.at > CURRENCY_CACHE_MS) {
      const value = readCurrencyCodes(dataverse);
      cached = { at: Date.now(), value };
      value.catch(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };

  return {
    config,
    configVersion: loaded.configVersion,
    dataverse,
    fno,
    fnoMetadata,
    currencies,
    ...(options.random ? { random: options.random } : {}),
    ...(webhook ? { webhook } : {}),
    close: () => http.close(),
  };
}

function resolveInlineWebhook(config: SyncConfig): ResolvedWebhook | undefined {
  const webhook = config.notifications?.webhook;
  return webhook?.url !== undefined ? resolveWebhook(webhook) : undefined;
}

/**
 * This worker's share of the Dataverse user's window budgets (every worker signs in as the same user), as a pacer
 * for its Dataverse gate; none when pacing is off.
 */
function dataversePacer(protection: SyncConfig['connections']['dataverse']['serviceProtection'], share: WorkerShare): { pacer?: ExecutionPacer } {
  if (!protection.pace) return {};
  return {
    pacer: new ExecutionPacer({
      windowMs: protection.windowSeconds * 1000,
      maxRequests: Math.max(1, Math.floor(protection.maxRequests / share.workers)),
      maxExecutionMs: (protection.maxExecutionSeconds * 1000) / share.workers,
    }),
  };
}
