import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { createDataverseEmulator, type DataverseEmulator, type DataverseEmulatorOptions } from '../../../src/dataverse';
import { processSigningKeys, signJwt } from '../../../src/shared';

export const USD = { transactioncurrencyid: '11111111-1111-4111-8111-111111111111', isocurrencycode: 'USD', currencyname: 'US Dollar' };
export const EUR = { transactioncurrencyid: '22222222-2222-4222-8222-222222222222', isocurrencycode: 'EUR', currencyname: 'Euro' };
export const ROOT_UNIT = { businessunitid: '33333333-3333-4333-8333-333333333333', name: 'Contoso (root)' };
export const GERMANY_UNIT = { businessunitid: '44444444-4444-4444-8444-444444444444', name: 'Contoso Germany' };

export interface Response {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The parsed JSON body (undefined when the body is empty or not JSON). */
  json: unknown;
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent verbatim (for malformed bodies). */
  rawBody?: string;
  /** A token; `null` sends no Authorization header; default: a valid token for this emulator. */
  token?: string | null;
}

/** A Dataverse emulator listening on 127.0.0.1:0, and helpers to call it as a client would. */
export interface DataverseHarness {
  emulator: DataverseEmulator;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `http://127.0.0.1:PORT/api/data/v9.2/` */
  root: string;
  token(overrides?: { aud?: string; exp?: number; appid?: string }): string;
  send(method: string, pathOrUrl: string, options?: SendOptions): Promise<Response>;
  close(): Promise<void>;
}

export async function startDataverse(options: DataverseEmulatorOptions = {}): Promise<DataverseHarness> {
  const emulator = createDataverseEmulator({
    data: { currencies: [USD, EUR], businessUnits: [ROOT_UNIT, GERMANY_UNIT] },
    ...options,
  });
  await emulator.app.listen({ host: '127.0.0.1', port: 0 });
  const address = emulator.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  const origin = `http://127.0.0.1:${address.port}`;
  const root = `${origin}/api/data/v9.2/`;
  const token = (overrides: { aud?: string; exp?: number; appid?: string } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(
      {
        aud: overrides.aud ?? origin,
        iss: 'https://login.example/tenant/',
        iat: now,
        nbf: now,
        exp: overrides.exp ?? now + 3600,
        appid: overrides.appid ?? 'p2c-sync',
        tid: 'tenant',
        oid: randomUUID(),
        sub: 'sub',
        ver: '1.0',
      },
      processSigningKeys(),
    );
  };
  const defaultToken = token();
  const send = async (method: string, pathOrUrl: string, sendOptions: SendOptions = {}): Promise<Response> => {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${root}${pathOrUrl}`;
    const bearer = sendOptions.token === undefined ? defaultToken : sendOptions.token;
    const body = sendOptions.rawBody ?? (sendOptions.body === undefined ? undefined : JSON.stringify(sendOptions.body));
    const response = await request(url, {
      method: method as 'GET',
      headers: {
        accept: 'application/json',
        'odata-version': '4.0',
        'odata-maxversion': '4.0',
        ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...sendOptions.headers,
      },
      body,
    });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      json = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    return { status: response.statusCode, headers, text, json };
  };
  return { emulator, origin, root, token, send, close: () => emulator.app.close() };
}

export interface SampleAccount {
  accountid: string;
  name: string;
  accountnumber: string | null;
  address1_city: string | null;
  creditlimit: number;
  statecode: number;
  _transactioncurrencyid_value: string;
  _owningbusinessunit_value: string;
}

/** A deterministic account for tests, with enough columns to exercise filters. */
export function sampleAccount(index: number, overrides: Partial<SampleAccount> = {}): SampleAccount {
  return {
    accountid: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    name: `Account ${String(index).padStart(4, '0')}`,
    accountnumber: `ACC-${String(index).padStart(5, '0')}-TEST01`,
    address1_city: index % 2 === 0 ? 'Seattle' : 'Berlin',
    creditlimit: index * 100,
    statecode: index % 5 === 0 ? 1 : 0,
    _transactioncurrencyid_value: index % 3 === 0 ? EUR.transactioncurrencyid : USD.transactioncurrencyid,
    _owningbusinessunit_value: ROOT_UNIT.businessunitid,
    ...overrides,
  };
}

export interface AccountPage {
  value: Array<Record<string, unknown>>;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
  '@odata.count'?: number;
  '@odata.context'?: string;
}

export function page(response: Response): AccountPage {
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${response.text}`);
  return response.json as AccountPage;
}

export function errorOf(response: Response): { code: string; message: string } {
  return (response.json as { error: { code: string; message: string } }).error;
}
