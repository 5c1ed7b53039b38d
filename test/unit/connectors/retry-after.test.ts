import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../src/connectors/retry-after';

const NOW = Date.parse('2024-06-10T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter('0', NOW)).toBe(0);
  });

  it('reads an IMF-fixdate as the time left until then', () => {
    expect(parseRetryAfter('Mon, 10 Jun 2024 12:00:30 GMT', NOW)).toBe(30_000);
  });

  it('reads the obsolete RFC 850 and asctime forms, asctime as GMT', () => {
    expect(parseRetryAfter('Monday, 10-Jun-24 12:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Mon Jun 10 12:00:05 2024', NOW)).toBe(5000);
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter('Mon, 10 Jun 2024 11:59:00 GMT', NOW)).toBe(0);
  });

  it('returns undefined for absent or unreadable values so the caller applies its default', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined();
    expect(parseRetryAfter('30s', NOW)).toBeUndefined();
    expect(parseRetryAfter('2024-06-10T12:00:30Z', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });
});
