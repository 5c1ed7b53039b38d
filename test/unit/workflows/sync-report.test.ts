import { describe, expect, it } from 'vitest';
import type { RecordFailure } from '../../../src/domain/record-failure';
import { failuresForResult, RESULT_FAILURES_MAX_BYTES, utf8Length } from '../../../src/workflows/sync-report';

function failure(index: number, reason = `F&O refused the customer: the value of field ${index} is not valid.`): RecordFailure {
  return {
    accountId: `00000000-0000-0000-0000-${String(index).padStart(12, '0')}`,
    accountNumber: `ACC-${index}`,
    company: 'usmf',
    field: 'name',
    value: 'x'.repeat(200),
    code: 'FNO_REJECTED',
    reason,
  };
}

describe('failuresForResult', () => {
  it('lists every failure when they fit', () => {
    const failures = Array.from({ length: 5 }, (_, i) => failure(i));
    expect(failuresForResult(failures, 5, 100)).toEqual({ total: 5, shown: failures, truncated: false });
  });

  it('stops at the count asked for and says the list is truncated', () => {
    const failures = Array.from({ length: 5 }, (_, i) => failure(i));
    expect(failuresForResult(failures, 5, 2)).toEqual({ total: 5, shown: failures.slice(0, 2), truncated: true });
    expect(failuresForResult(failures, 5, 0)).toEqual({ total: 5, shown: [], truncated: true });
  });

  it('keeps the result of a run with 10,000 failures far below the payload limit', () => {
    // The size that broke a real run: ~4,600 failures made the result pass Temporal's 2 MB payload limit.
    const failures = Array.from({ length: 10_000 }, (_, i) => failure(i));
    const result = failuresForResult(failures, 12_345, 10_000);
    const bytes = Buffer.byteLength(JSON.stringify(result.shown), 'utf8');
    expect(bytes).toBeLessThanOrEqual(RESULT_FAILURES_MAX_BYTES);
    // Nearly the whole budget is used: the next failure would not have fitted.
    expect(bytes + Buffer.byteLength(JSON.stringify(failures[result.shown.length])) + 1).toBeGreaterThan(RESULT_FAILURES_MAX_BYTES);
    expect(result.shown).toEqual(failures.slice(0, result.shown.length));
    expect(result.shown.length).toBeGreaterThan(100);
    expect(result).toMatchObject({ total: 12_345, truncated: true });
  });

  it('measures bytes, not characters, so names in any script stay within the budget', () => {
    const failures = Array.from({ length: 3_000 }, (_, i) => failure(i, `Der Wert „${'Ä'.repeat(40)}“ ist zu lang 😀 — 名前が長すぎます`));
    const result = failuresForResult(failures, failures.length, 10_000, 64 * 1024);
    expect(Buffer.byteLength(JSON.stringify(result.shown), 'utf8')).toBeLessThanOrEqual(64 * 1024);
    expect(result.truncated).toBe(true);
  });

  it('is never truncated with a total no larger than what it shows', () => {
    expect(failuresForResult([], 0, 100)).toEqual({ total: 0, shown: [], truncated: false });
  });
});

describe('utf8Length', () => {
  it('agrees with Buffer.byteLength', () => {
    for (const text of ['', 'abc', 'Ä', '€', '😀', 'a😀b€Ä', '名前', '\ud800x']) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });
});
