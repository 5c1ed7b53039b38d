import { ServerError, ClientAuthError } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import {
  ConnectorError,
  classifyHttpFailure,
  classifyNetworkFailure,
  classifyTokenFailure,
  DEFAULT_RETRY_AFTER_MS,
} from '../../../src/connectors/errors';
import { dataverseError, fnoError } from '@p2c-sync/odata-wire';

const ACCOUNT_URL = 'https://org.crm.dynamics.com/api/data/v9.2/accounts(00000000-0000-0000-0000-000000000001)';
const CUSTOMERS_URL = 'https://env.operations.dynamics.com/data/CustomersV2';

function infolog(...entries: string[]): string {
  return JSON.stringify(
    fnoError('An error has occurred.', `Write failed for table row of type 'CustCustomerV2Entity'. Infolog: ${entries.join('; ')}`),
  );
}

describe('classifyHttpFailure: throttling', () => {
  it('429 with Retry-After seconds is throttled for that long', () => {
    const body = JSON.stringify(dataverseError('0x80072322', 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.'));
    const error = classifyHttpFailure('dataverse', 429, { 'retry-after': '12' }, body, 'GET', { url: ACCOUNT_URL });
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: 'throttled', service: 'dataverse', status: 429, code: '0x80072322', retryAfterMs: 12_000 });
    expect(error.message).toContain('Number of requests exceeded');
  });

  it('429 with an HTTP-date waits until then', () => {
    const now = Date.parse('2024-06-10T12:00:00Z');
    const error = classifyHttpFailure('fno', 429, { 'retry-after': 'Mon, 10 Jun 2024 12:00:45 GMT' }, '', 'POST', { now });
    expect(error.retryAfterMs).toBe(45_000);
  });

  it('429 without Retry-After falls back to 30 s for F&O as documented, and a default for Dataverse', () => {
    expect(classifyHttpFailure('fno', 429, {}, '', 'GET').retryAfterMs).toBe(30_000);
    const dataverse = classifyHttpFailure('dataverse', 429, {}, '', 'GET').retryAfterMs;
    expect(dataverse).toBe(DEFAULT_RETRY_AFTER_MS.dataverse);
    expect(dataverse).toBeGreaterThan(0);
  });
});

describe('classifyHttpFailure: F&O write failures (AxODataWriteException)', () => {
  it('an unknown reference value is invalid-record with the property, label and value', () => {
    const body = infolog(
      "Warning: The value 'ZZ' in field 'Customer group' is not found in the related table 'Customer groups'.",
      'Error: Validation failed.',
    );
    const error = classifyHttpFailure('fno', 500, {}, body, 'POST', { url: CUSTOMERS_URL });
    expect(error).toMatchObject({
      kind: 'invalid-record',
      service: 'fno',
      status: 500,
      field: 'CustomerGroupId',
      fieldLabel: 'Customer group',
      value: 'ZZ',
      problem: 'reference-not-found',
      ambiguous: false,
    });
    expect(error.message).toContain("is not found in the related table 'Customer groups'");
  });

  it('a required field is invalid-record naming the field', () => {
    const error = classifyHttpFailure('fno', 500, {}, infolog("Error: Field 'Currency' must be filled in."), 'POST');
    expect(error).toMatchObject({ kind: 'invalid-record', field: 'SalesCurrencyCode', problem: 'required-missing' });
  });

  it('a too long value is invalid-record with field and value', () => {
    const error = classifyHttpFailure('fno', 500, {}, infolog("Error: The value '123456789012' in field 'ZIP/postal code' is too long."), 'PATCH');
    expect(error).toMatchObject({ kind: 'invalid-record', field: 'AddressZipCode', value: '123456789012', problem: 'too-long' });
  });

  it('an invalid value is invalid-record', () => {
    const error = classifyHttpFailure('fno', 500, {}, infolog("Error: The value 'Maybe' is not a valid value for field 'Is externally maintained'."), 'POST');
    expect(error).toMatchObject({ kind: 'invalid-record', field: 'IsExternallyMaintained', value: 'Maybe', problem: 'invalid-value' });
  });

  it('an unknown label is still reported, as the label', () => {
    const error = classifyHttpFailure('fno', 500, {}, infolog("Error: Field 'Sales tax group' must be filled in."), 'POST');
    expect(error).toMatchObject({ kind: 'invalid-record', field: 'Sales tax group', fieldLabel: 'Sales tax group' });
  });

  it('"The record already exists" is a conflict', () => {
    const body = infolog('Error: Cannot create a record in Customers (CustTable). Customer account: ACC-01000-BVRCPS, usmf. The record already exists.');
    expect(classifyHttpFailure('fno', 500, {}, body, 'POST')).toMatchObject({ kind: 'conflict', problem: 'duplicate-key', ambiguous: false });
  });

  it('a write exception without a recognised entry is still a refusal of the record, not a retry', () => {
    const error = classifyHttpFailure('fno', 500, {}, infolog('Error: Posting profile is blocked for this customer.'), 'POST');
    expect(error).toMatchObject({ kind: 'invalid-record', problem: 'rejected' });
    expect(error.message).toContain('Posting profile is blocked');
  });

  it('any other F&O 500 is transient, and ambiguous after a write', () => {
    const body = JSON.stringify(fnoError('An error has occurred.', 'Timeout expired.', 'System.Data.SqlClient.SqlException'));
    expect(classifyHttpFailure('fno', 500, {}, body, 'GET')).toMatchObject({ kind: 'transient', ambiguous: false });
    expect(classifyHttpFailure('fno', 500, {}, body, 'POST')).toMatchObject({ kind: 'transient', ambiguous: true });
  });
});

describe('classifyHttpFailure: Dataverse', () => {
  it('412 is a conflict (stale version)', () => {
    const body = JSON.stringify(dataverseError('0x80060882', "The version of the existing record doesn't match the RowVersion property provided."));
    expect(classifyHttpFailure('dataverse', 412, {}, body, 'PATCH')).toMatchObject({ kind: 'conflict', problem: 'stale-version', code: '0x80060882' });
  });

  it('412 for a create-only write (the row exists) is a duplicate-key conflict', () => {
    const body = JSON.stringify(dataverseError('0x80040237', 'A record with matching key values already exists.'));
    expect(classifyHttpFailure('dataverse', 412, {}, body, 'PATCH')).toMatchObject({ kind: 'conflict', problem: 'duplicate-key' });
  });

  it('400 0x80044331 is invalid-record naming the attribute', () => {
    const body = JSON.stringify(
      dataverseError(
        '0x80044331',
        "A validation error occurred.  The length of the 'accountnumber' attribute of the 'account' entity exceeded the maximum allowed length of '20'.",
      ),
    );
    expect(classifyHttpFailure('dataverse', 400, {}, body, 'PATCH')).toMatchObject({
      kind: 'invalid-record',
      field: 'accountnumber',
      problem: 'too-long',
    });
  });

  it('other 400s are configuration: the product built the request wrong', () => {
    const unknownColumn = JSON.stringify(dataverseError('0x80060888', "Could not find a property named 'acountnumber' on type 'Microsoft.Dynamics.CRM.account'."));
    const error = classifyHttpFailure('dataverse', 400, {}, unknownColumn, 'GET', { url: `${ACCOUNT_URL}?$select=acountnumber` });
    expect(error).toMatchObject({ kind: 'configuration', status: 400 });
    expect(error.message).toContain("Could not find a property named 'acountnumber'");
    expect(error.message).not.toContain('$select');
  });

  it('a duplicate key is a conflict', () => {
    const body = JSON.stringify(dataverseError('0x80060892', 'A record with matching key values already exists.'));
    expect(classifyHttpFailure('dataverse', 400, {}, body, 'POST')).toMatchObject({ kind: 'conflict', problem: 'duplicate-key' });
  });

  it('404 is not-found, except an unknown segment which is a wrong URL', () => {
    const missing = JSON.stringify(dataverseError('0x80040217', 'account With Id = 00000000-0000-0000-0000-000000000001 Does Not Exist'));
    expect(classifyHttpFailure('dataverse', 404, {}, missing, 'GET')).toMatchObject({ kind: 'not-found' });
    const segment = JSON.stringify(dataverseError('0x8006088a', "Resource not found for the segment 'acounts'."));
    expect(classifyHttpFailure('dataverse', 404, {}, segment, 'GET')).toMatchObject({ kind: 'configuration' });
  });
});

describe('classifyHttpFailure: 404', () => {
  it('is a missing row only for a request addressed to one row', () => {
    const body = JSON.stringify(fnoError('Resource not found for the segment \'CustomersV2\'.', 'x', 'System.Exception'));
    expect(classifyHttpFailure('fno', 404, {}, body, 'GET', { url: `${CUSTOMERS_URL}(dataAreaId='usmf',CustomerAccount='X')?cross-company=true` }).kind).toBe('not-found');
    expect(classifyHttpFailure('fno', 404, {}, '', 'GET', { url: `${CUSTOMERS_URL}?cross-company=true` }).kind).toBe('configuration');
  });

  it('an unknown route is configuration even when the URL names a key', () => {
    const body = JSON.stringify({ error: { code: '', message: "No HTTP resource was found that matches the request URI 'https://env/data/CustomerV2(dataAreaId='usmf',CustomerAccount='X')'." } });
    expect(classifyHttpFailure('fno', 404, {}, body, 'GET', { url: `https://env.operations.dynamics.com/data/CustomerV2(dataAreaId='usmf',CustomerAccount='X')` }).kind).toBe('configuration');
  });
});

describe('classifyHttpFailure: common statuses', () => {
  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
    [409, 'conflict'],
    [408, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
    [405, 'configuration'],
    [415, 'configuration'],
    [302, 'configuration'],
  ] as const)('%i is %s', (status, kind) => {
    expect(classifyHttpFailure('fno', status, {}, '<html>gateway</html>', 'GET').kind).toBe(kind);
    expect(classifyHttpFailure('dataverse', status, {}, '', 'GET').kind).toBe(kind);
  });

  it('quotes an unreadable body briefly', () => {
    const error = classifyHttpFailure('fno', 502, {}, `<html>${'x'.repeat(1000)}</html>`, 'GET');
    expect(error.message.length).toBeLessThan(400);
  });

  it('never lets a credential from a body into the message', () => {
    const body = JSON.stringify(dataverseError('0x80040220', 'Principal refused: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'));
    const error = classifyHttpFailure('dataverse', 403, {}, body, 'GET');
    expect(error.message).not.toContain('eyJhbGciOiJSUzI1NiJ9');
    expect(error.message).toContain('[redacted]');
  });
});

describe('classifyNetworkFailure', () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

  it('a reset of a read is transient and never ambiguous', () => {
    expect(classifyNetworkFailure('dataverse', reset, { bodySent: true, method: 'GET' })).toMatchObject({ kind: 'transient', ambiguous: false, code: 'ECONNRESET' });
  });

  it('a reset after a write was sent is ambiguous; before it was sent it is not', () => {
    expect(classifyNetworkFailure('fno', reset, { bodySent: true, method: 'POST' })).toMatchObject({ kind: 'transient', ambiguous: true });
    expect(classifyNetworkFailure('fno', reset, { bodySent: false, method: 'POST' })).toMatchObject({ kind: 'transient', ambiguous: false });
  });

  it('timeouts are transient; undici wraps the system error and the most telling code wins', () => {
    const timeout = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(classifyNetworkFailure('dataverse', timeout, { bodySent: true, method: 'PATCH' })).toMatchObject({ kind: 'transient', ambiguous: true, code: 'UND_ERR_HEADERS_TIMEOUT' });
    const domTimeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyNetworkFailure('dataverse', domTimeout, { bodySent: false, method: 'GET' })).toMatchObject({ kind: 'transient', code: 'ETIMEDOUT' });
  });

  it('an untrusted certificate or unknown host is configuration', () => {
    const tls = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    const wrapped = Object.assign(new Error('connect failed'), { code: 'UND_ERR_SOCKET', cause: tls });
    expect(classifyNetworkFailure('entra', wrapped, { bodySent: false, method: 'GET' })).toMatchObject({ kind: 'configuration', code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND org.crm.dynamics.test'), { code: 'ENOTFOUND' });
    expect(classifyNetworkFailure('dataverse', dns, { bodySent: false, method: 'GET' }).kind).toBe('configuration');
  });

  it('passes a ConnectorError through unchanged', () => {
    const original = new ConnectorError('x', { kind: 'auth', service: 'fno' });
    expect(classifyNetworkFailure('fno', original, { bodySent: true, method: 'POST' })).toBe(original);
  });
});

describe('classifyTokenFailure', () => {
  const context = { authority: 'https://login.example.test/tenant', clientId: 'app-1', secrets: ['s3cret-value-123'] };

  it('a refused client is auth, and the secret never shows', () => {
    const error = classifyTokenFailure(
      new ServerError('invalid_client', "AADSTS7000215: Invalid client secret provided. Ensure the secret 's3cret-value-123' is right.\r\nTrace ID: x", undefined, undefined, 401),
      context,
    );
    expect(error).toMatchObject({ kind: 'auth', service: 'entra', code: 'invalid_client', status: 401 });
    expect(error.message).toContain('AADSTS7000215');
    expect(error.message).not.toContain('s3cret-value-123');
    expect(error.message).not.toContain('Trace ID');
  });

  it('an unknown scope or tenant is configuration', () => {
    expect(classifyTokenFailure(new ServerError('invalid_scope', 'AADSTS70011: The provided value for scope is not valid.', undefined, undefined, 400), context).kind).toBe('configuration');
  });

  it('a 5xx or 429 from the authority is transient or throttled', () => {
    expect(classifyTokenFailure(new ServerError('server_error', 'AADSTS50000: error', undefined, undefined, 503), context).kind).toBe('transient');
    expect(classifyTokenFailure(new ServerError('temporarily_unavailable', 'busy', undefined, undefined, 429), context).kind).toBe('throttled');
  });

  it("MSAL's generic network error reports the classified failure behind it", () => {
    const networkFailure = classifyNetworkFailure('entra', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), { bodySent: false, method: 'POST' });
    const error = classifyTokenFailure(new ClientAuthError('network_error'), { ...context, networkFailure });
    expect(error).toMatchObject({ kind: 'transient', service: 'entra', code: 'ECONNREFUSED' });
  });
});
