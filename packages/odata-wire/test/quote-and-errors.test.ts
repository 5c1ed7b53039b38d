import { describe, expect, it } from 'vitest';
import {
  FNO_WRITE_EXCEPTION_TYPE,
  dataverseError,
  dataverseErrorBodySchema,
  fnoError,
  fnoErrorBodySchema,
} from '../src';
import { quoteLiteral } from '../src';

describe('quoteLiteral', () => {
  it.each([
    ['plain', "'plain'"],
    ["O'Brien", "'O''Brien'"],
    ["''", "''''''"],
    ['', "''"],
  ])('%s → %s', (value, expected) => {
    expect(quoteLiteral(value)).toBe(expected);
  });
});

describe('error bodies', () => {
  it('builds a Dataverse error the schema accepts, and keeps extra fields the service may add', () => {
    const body = dataverseError('0x80044331', 'too long');
    expect(body).toEqual({ error: { code: '0x80044331', message: 'too long' } });
    const parsed = dataverseErrorBodySchema.parse({ error: { ...body.error, '@Microsoft.PowerApps.CDS.HelpLink': 'x' } });
    expect(parsed.error.code).toBe('0x80044331');
  });

  it('builds an F&O error with its innererror and default exception type', () => {
    const body = fnoError('An error has occurred.', 'Write failed for table row');
    expect(body).toEqual({
      error: { code: '', message: 'An error has occurred.', innererror: { message: 'Write failed for table row', type: FNO_WRITE_EXCEPTION_TYPE, stacktrace: '' } },
    });
    expect(fnoErrorBodySchema.parse(body).error.innererror?.type).toBe(FNO_WRITE_EXCEPTION_TYPE);
    expect(fnoErrorBodySchema.parse({ error: { code: '', message: 'x' } }).error.innererror).toBeUndefined();
  });

  it('rejects bodies of other shapes', () => {
    expect(dataverseErrorBodySchema.safeParse({ error: { message: 'no code' } }).success).toBe(false);
    expect(dataverseErrorBodySchema.safeParse({ message: 'x' }).success).toBe(false);
    expect(fnoErrorBodySchema.safeParse({ error: { code: '', message: 'x', innererror: { message: 'y' } } }).success).toBe(false);
  });
});
