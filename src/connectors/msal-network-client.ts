import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { ConnectorError } from './errors';
import type { HttpClient } from './http-client';

/**
 * MSAL's network calls (OpenID metadata, token endpoint) over the connectors' HttpClient, so the same keep-alive
 * pool and trusted CAs (e.g. an emulated authority's) apply. MSAL reads bodies as parsed JSON and judges statuses
 * itself; only failures without an answer throw here.
 */
export class MsalNetworkClient implements INetworkModule {
  /**
   * MSAL replaces a thrown network error with its own generic one; the classified original is kept so the token
   * provider can report what really happened.
   */
  lastFailure: ConnectorError | undefined;
  /** The status of the last answer that was not a success (e.g. OpenID metadata of an unknown tenant). */
  lastErrorStatus: number | undefined;

  constructor(private readonly http: HttpClient) {}

  async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return await this.send<T>('GET', url, options, timeout);
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return await this.send<T>('POST', url, options);
  }

  private async send<T>(method: string, url: string, options?: NetworkRequestOptions, timeoutMs?: number): Promise<NetworkResponse<T>> {
    try {
      const response = await this.http.request({
        service: 'entra',
        method,
        url,
        headers: options?.headers ?? {},
        ...(options?.body !== undefined ? { body: options.body } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
      });
      if (response.status >= 400) this.lastErrorStatus = response.status;
      return { status: response.status, headers: response.headers, body: parseBody<T>(response.status, response.body) };
    } catch (error) {
      this.lastFailure = error as ConnectorError;
      throw error;
    }
  }
}

// MSAL expects an object even for a non-JSON answer (a proxy's HTML page); its own client builds the same shape.
function parseBody<T>(status: number, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    const error = status >= 500 ? 'server_error' : status >= 400 ? 'client_error' : 'unknown_error';
    return { error, error_description: `The authority answered ${status} with a body that is not JSON.` } as T;
  }
}
