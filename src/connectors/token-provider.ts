import { createHash } from 'node:crypto';
import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import { ConnectorError, classifyTokenFailure } from './errors';
import type { HttpClient } from './http-client';
import { MsalNetworkClient } from './msal-network-client';

export interface TokenProviderOptions {
  /** Authority host root without the tenant, e.g. `https://login.microsoftonline.com`. */
  authority: string;
  tenantId: string;
  clientId: string;
  /** From the worker's environment or secret file; never logged, never in an error. */
  clientSecret: string;
  /** The service the token is for, e.g. `https://org.crm.dynamics.com`; the scope is `<resource>/.default`. */
  resource: string;
  http: HttpClient;
  /** Renew this long before expiry (capped at half the token's lifetime). */
  refreshMarginMs?: number;
  /**
   * The clock renewal is timed by (default `Date.now`). Expiry is kept as the lifetime the authority granted,
   * counted on this clock, so a worker clock set differently from the authority's does not matter.
   */
  now?: () => number;
}

interface HeldToken {
  token: string;
  refreshAt: number;
}

const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Client-credentials access tokens for one resource. MSAL caches per application; on top of that this keeps the
 * current token until shortly before it expires, makes concurrent callers share one acquisition, and after a 401
 * forces exactly one new token however many requests saw the refusal.
 */
export class TokenProvider {
  private readonly application: MsalApplication;
  private readonly scopes: string[];
  private readonly refreshMarginMs: number;
  private readonly now: () => number;
  private current: HeldToken | undefined;
  private pending: Promise<string> | undefined;
  private forceNew = false;
  private acquisitions = 0;

  constructor(private readonly options: TokenProviderOptions) {
    this.application = msalApplicationFor(options);
    this.scopes = [`${options.resource.replace(/\/+$/, '')}/.default`];
    this.refreshMarginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.now = options.now ?? Date.now;
  }

  /** A token valid for a while yet; acquires a new one when the held one is due for renewal. */
  async getToken(): Promise<string> {
    if (this.current && !this.forceNew && this.now() < this.current.refreshAt) return this.current.token;
    this.pending ??= this.acquire().finally(() => {
      this.pending = undefined;
    });
    return await this.pending;
  }

  /**
   * The service refused `rejectedToken` (401): the next `getToken` bypasses every cache. Passing the refused token
   * makes late reports of an already replaced token harmless.
   */
  invalidate(rejectedToken?: string): void {
    if (rejectedToken !== undefined && this.current !== undefined && rejectedToken !== this.current.token) return;
    this.current = undefined;
    this.forceNew = true;
  }

  /** How many times a token was requested from MSAL (cache hits inside MSAL included). */
  get acquisitionCount(): number {
    return this.acquisitions;
  }

  private async acquire(): Promise<string> {
    const skipCache = this.forceNew;
    this.forceNew = false;
    this.acquisitions += 1;
    const { app, network } = this.application;
    network.lastFailure = undefined;
    network.lastErrorStatus = undefined;
    let result;
    try {
      result = await app.acquireTokenByClientCredential({ scopes: this.scopes, skipCache });
    } catch (error) {
      throw classifyTokenFailure(error, {
        authority: this.authorityUrl(),
        clientId: this.options.clientId,
        secrets: [this.options.clientSecret],
        ...(network.lastFailure ? { networkFailure: network.lastFailure } : {}),
        ...(network.lastErrorStatus !== undefined ? { lastErrorStatus: network.lastErrorStatus } : {}),
      });
    }
    if (!result?.accessToken) {
      throw new ConnectorError(`Entra ID gave no access token for client ${this.options.clientId} at ${this.authorityUrl()}`, {
        kind: 'auth',
        service: 'entra',
      });
    }
    // MSAL states expiry by the real clock; the provider keeps it as a lifetime on its own clock.
    const lifetime = Math.max(0, (result.expiresOn?.getTime() ?? Date.now()) - Date.now());
    const margin = Math.min(this.refreshMarginMs, lifetime / 2);
    this.current = { token: result.accessToken, refreshAt: this.now() + lifetime - margin };
    return result.accessToken;
  }

  private authorityUrl(): string {
    return `${this.options.authority.replace(/\/+$/, '')}/${this.options.tenantId}`;
  }
}

interface MsalApplication {
  app: ConfidentialClientApplication;
  network: MsalNetworkClient;
}

// One MSAL application (and token cache) per confidential client and HttpClient, so the Dataverse and F&O
// providers of one app registration share it.
const applications = new WeakMap<HttpClient, Map<string, MsalApplication>>();

function msalApplicationFor(options: TokenProviderOptions): MsalApplication {
  const authority = `${options.authority.replace(/\/+$/, '')}/${options.tenantId}`;
  // The secret takes part in the key only as a hash: a rotated secret must get a new application.
  const secretHash = createHash('sha256').update(options.clientSecret).digest('hex');
  const key = `${authority}|${options.clientId}|${secretHash}`;
  let perHttp = applications.get(options.http);
  if (!perHttp) {
    perHttp = new Map();
    applications.set(options.http, perHttp);
  }
  let entry = perHttp.get(key);
  if (!entry) {
    const network = new MsalNetworkClient(options.http);
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        authority,
        // Lets MSAL trust an authority outside Microsoft's cloud list (sovereign proxies, the emulator) and
        // skip instance discovery against login.microsoftonline.com.
        knownAuthorities: [new URL(authority).host],
      },
      system: {
        networkClient: network,
        loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined },
      },
    });
    entry = { app, network };
    perHttp.set(key, entry);
  }
  return entry;
}
