import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { Agent, request } from 'undici';

/**
 * MSAL's `system.networkClient` on undici, trusting the emulator's CA. What MSAL needs from a network module:
 * GET (discovery) and POST (token) returning `{ status, headers, body }` with the body already parsed as JSON.
 */
export class UndiciNetworkModule implements INetworkModule {
  readonly requests: string[] = [];
  private readonly dispatcher: Agent;

  constructor(caCertPem: string) {
    this.dispatcher = new Agent({ connect: { ca: caCertPem } });
  }

  async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return await this.send<T>('GET', url, options, timeout);
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return await this.send<T>('POST', url, options);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    this.requests.push(`${method} ${new URL(url).pathname}`);
    const response = await request(url, {
      method,
      dispatcher: this.dispatcher,
      headers: options?.headers,
      body: options?.body,
      ...(timeout ? { headersTimeout: timeout, bodyTimeout: timeout } : {}),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: response.statusCode, headers, body: (await response.body.json()) as T };
  }
}
