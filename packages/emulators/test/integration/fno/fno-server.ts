import { request } from 'undici';
import { defaultFnoReferenceData } from '../../../src/data';
import { createFnoEmulator, type FnoEmulator, type FnoEmulatorOptions } from '../../../src/fno';
import { listenOn, processSigningKeys, signJwt } from '../../../src/shared';

export interface FnoServer {
  emulator: FnoEmulator;
  url: string;
  token(overrides?: { aud?: string; exp?: number }): string;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  token?: string | null;
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** The rows of a collection answer. */
export function rowsOf(result: CallResult): Array<Record<string, unknown>> {
  return (result.json as { value: Array<Record<string, unknown>> }).value;
}

/** The Infolog (inner message) of an F&O error answer. */
export function innerMessage(result: CallResult): string {
  return (result.json as { error: { innererror?: { message: string }; message: string } }).error.innererror?.message ?? '';
}

export function field(result: CallResult, name: string): unknown {
  return (result.json as Record<string, unknown>)[name];
}

/** An F&O emulator on a free port with a token for it (signed with the process key, as the Entra emulator does). */
export async function startFno(options: Partial<FnoEmulatorOptions> = {}): Promise<FnoServer> {
  const emulator = createFnoEmulator({ reference: defaultFnoReferenceData(), ...options });
  const port = await listenOn(emulator.app, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const token = (overrides: { aud?: string; exp?: number } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(
      {
        aud: overrides.aud ?? url,
        iss: 'https://127.0.0.1/tenant/',
        iat: now,
        nbf: now,
        exp: overrides.exp ?? now + 3600,
        appid: 'p2c-sync',
        tid: 'tenant',
        oid: 'o',
        sub: 'o',
        ver: '1.0',
      },
      processSigningKeys(),
    );
  };
  const bearer = token();
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<CallResult> => {
    const auth = options.token === undefined ? bearer : options.token;
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await request(`${url}${path}`, {
      method: method as 'GET',
      headers: {
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body,
    });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, text, json };
  };
  return { emulator, url, token, call, close: () => emulator.app.close() };
}

export function customer(account: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dataAreaId: 'usmf',
    CustomerAccount: account,
    OrganizationName: `Org ${account}`,
    CustomerGroupId: '10',
    SalesCurrencyCode: 'USD',
    ...extra,
  };
}

export function keyPath(company: string, account: string): string {
  const literal = (value: string) => encodeURIComponent(`'${value.replaceAll("'", "''")}'`);
  return `/data/CustomersV2(dataAreaId=${literal(company)},CustomerAccount=${literal(account)})`;
}
