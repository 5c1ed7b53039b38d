import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../src/connectors/redact';

describe('redactSecrets', () => {
  it('removes bearer tokens, token form fields, token JSON fields and bare JWTs', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL29yZyJ9.c2lnbmF0dXJlLXZhbHVl';
    const text = [
      'Authorization: Bearer abc.def-ghi_jkl=',
      'grant_type=client_credentials&client_secret=hunter2&scope=x',
      '{"access_token":"tok-123","token_type":"Bearer"}',
      `token ${jwt} here`,
    ].join('\n');
    const clean = redactSecrets(text);
    for (const secret of ['abc.def-ghi_jkl', 'hunter2', 'tok-123', jwt]) expect(clean).not.toContain(secret);
    expect(clean).toContain('grant_type=client_credentials');
    expect(clean).toContain('scope=x');
  });

  it('removes known secret values wherever they appear, but not short strings that would blank ordinary words', () => {
    expect(redactSecrets('the secret is Zx9-very-long-secret!', ['Zx9-very-long-secret!'])).toBe('the secret is [redacted]');
    expect(redactSecrets('a short word', ['short'])).toBe('a short word');
  });
});
