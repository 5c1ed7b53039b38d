import { describe, expect, it } from 'vitest';
import { syncInputSchema } from '../../../src/workflows/sync-input';

const sinceAccepted = (since: string) => syncInputSchema.safeParse({ since }).success;

describe('since: strict ISO-8601 date-times and int64 versions only', () => {
  it.each([
    '2024-05-01T00:00:00Z',
    '2024-05-01T00:00Z',
    '2024-02-29T23:59:59.123Z',
    '2024-05-01T08:30:00+02:00',
    '2024-05-01T08:30:00.123456789-05:30',
    '1900-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    'version:0',
    'version:123456',
    'version:9223372036854775807',
    'delta:https://org.crm.dynamics.com/api/data/v9.2/accounts?$select=accountid,accountnumber,statecode&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44',
    'delta:http://127.0.0.1:4000/api/data/v9.2/accounts?%24deltatoken=12',
  ])('accepts %s', (since) => {
    expect(sinceAccepted(since)).toBe(true);
  });

  it.each([
    '-271821-04-20',
    'x 1',
    '2024-02-30',
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-05-01',
    '2024-05-01T00:00:00',
    '2024-05-01 00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T00:60:00Z',
    '2024-05-01T00:00:60Z',
    '2024-05-01T00:00:00+15:00',
    '1899-12-31T23:59:59Z',
    '+012024-05-01T00:00:00Z',
    'Wed, 01 May 2024 00:00:00 GMT',
    'version:9223372036854775808',
    'version:9999999999999999999',
    'version:-1',
    'version:',
    'version:12a',
    'delta:https://org.crm.dynamics.com/api/data/v9.2/accounts?$select=accountid',
    'delta:ftp://org/accounts?$deltatoken=1',
    'delta:https://org/accounts?$deltatoken=1 and more',
    `delta:https://org/accounts?$deltatoken=${'1'.repeat(5000)}`,
    '',
  ])('refuses %j', (since) => {
    expect(sinceAccepted(since)).toBe(false);
  });

  it('names the accepted forms in the refusal', () => {
    const parsed = syncInputSchema.safeParse({ since: '2024-02-30' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(
      'must be an ISO-8601 date-time with its zone (years 1900-9999), such as "2024-05-01T00:00:00Z", a watermark "version:<n>" with n at most 9223372036854775807, or a delta link "delta:<url>" from an earlier result',
    );
  });
});
