import { describe, expect, it } from 'vitest';
import {
  accountNumberKey,
  accountNumberProblem,
  isValidAccountNumber,
  formatAccountNumber,
  MAX_ACCOUNT_NUMBER_SEQUENCE,
  parseAccountNumberSequence,
  randomSuffix,
} from '../../../src/domain/account-number';

/** A deterministic stand-in for Math.random: cycles through the given draws. */
function draws(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length]!;
}

describe('formatAccountNumber', () => {
  it('formats the template example', () => {
    expect(formatAccountNumber(1000, 'BVRCPS')).toBe('ACC-01000-BVRCPS');
  });

  it('pads the sequence to five digits and grows beyond them', () => {
    expect(formatAccountNumber(0, 'AAAAAA')).toBe('ACC-00000-AAAAAA');
    expect(formatAccountNumber(7, 'Z9Z9Z9')).toBe('ACC-00007-Z9Z9Z9');
    expect(formatAccountNumber(99_999, 'ABC123')).toBe('ACC-99999-ABC123');
    expect(formatAccountNumber(100_000, 'ABC123')).toBe('ACC-100000-ABC123');
  });

  it('allows the longest sequence that fits 20 characters and refuses the next one', () => {
    const longest = formatAccountNumber(MAX_ACCOUNT_NUMBER_SEQUENCE, 'ABC123');
    expect(longest).toBe('ACC-999999999-ABC123');
    expect(longest).toHaveLength(20);
    expect(() => formatAccountNumber(MAX_ACCOUNT_NUMBER_SEQUENCE + 1, 'ABC123')).toThrow(/exceed 20 characters/);
  });

  it('refuses negative, fractional and unsafe sequences', () => {
    expect(() => formatAccountNumber(-1, 'ABC123')).toThrow(RangeError);
    expect(() => formatAccountNumber(1.5, 'ABC123')).toThrow(RangeError);
    expect(() => formatAccountNumber(Number.NaN, 'ABC123')).toThrow(RangeError);
  });

  it('refuses suffixes that are not six of A-Z0-9', () => {
    for (const suffix of ['ABC12', 'ABC1234', 'abc123', 'ABC-12', 'ÄBC123', '']) {
      expect(() => formatAccountNumber(1, suffix), suffix).toThrow(/suffix/);
    }
  });
});

describe('parseAccountNumberSequence', () => {
  it.each([
    ['ACC-01000-BVRCPS', 1000],
    ['ACC-00000-AAAAAA', 0],
    ['ACC-100000-ABC123', 100_000],
    ['acc-01000-bvrcps', 1000],
    ['  ACC-00042-X1Y2Z3 ', 42],
    ['ACC-1-ABCDEF', 1],
    ['ACC-999999999-ABC123', 999_999_999],
  ])('%s → %d', (number, sequence) => {
    expect(parseAccountNumberSequence(number)).toBe(sequence);
  });

  it.each([
    'CUST-0001',
    'ACC-01000',
    'ACC-01000-BVRCP',
    'ACC-01000-BVRCPSX',
    'ACC--BVRCPS',
    'ACC-0100A-BVRCPS',
    'ACC-01000-BVR-PS',
    'XACC-01000-BVRCPS',
    'ACC-1000000000-ABC123',
    '',
  ])('%j is not a generated number', (number) => {
    expect(parseAccountNumberSequence(number)).toBeUndefined();
  });

  it('round-trips formatted numbers', () => {
    for (const sequence of [0, 1, 99_999, 100_000, 123_456_789]) {
      expect(parseAccountNumberSequence(formatAccountNumber(sequence, 'QWERTY'))).toBe(sequence);
    }
  });
});

describe('randomSuffix', () => {
  it('maps draws onto A-Z0-9 deterministically', () => {
    expect(randomSuffix(draws(0))).toBe('AAAAAA');
    expect(randomSuffix(draws(0.999_999))).toBe('999999');
    expect(randomSuffix(draws(1 / 36, 25 / 36, 26 / 36, 35 / 36, 0.5, 0))).toBe('BZ09SA');
  });

  it('always yields six characters a number can use', () => {
    let seed = 12_345;
    // A small LCG: deterministic, spread over [0, 1).
    const lcg = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    for (let i = 0; i < 200; i++) {
      const suffix = randomSuffix(lcg);
      expect(suffix).toMatch(/^[A-Z0-9]{6}$/);
      expect(formatAccountNumber(1, suffix)).toHaveLength(16);
    }
  });

  it('refuses a random source outside [0, 1)', () => {
    expect(() => randomSuffix(draws(1))).toThrow(RangeError);
    expect(() => randomSuffix(draws(-0.1))).toThrow(RangeError);
    expect(() => randomSuffix(draws(Number.NaN))).toThrow(RangeError);
  });
});

describe('accountNumberKey', () => {
  it('ignores ASCII letter case only', () => {
    expect(accountNumberKey('acc-01000-bvrcps')).toBe('ACC-01000-BVRCPS');
    expect(accountNumberKey('Cust-7')).toBe('CUST-7');
    expect(accountNumberKey("o'brien & co #1")).toBe("O'BRIEN & CO #1");
  });

  it('keeps numbers that differ otherwise apart: padding, spacing, look-alikes', () => {
    expect(accountNumberKey('ACC-01000-BVRCPS')).not.toBe(accountNumberKey('ACC-01000-BVRCPT'));
    expect(accountNumberKey('ACC 1')).not.toBe(accountNumberKey('ACC  1'));
    expect(accountNumberKey(' DUP-A')).not.toBe(accountNumberKey('DUP-A'));
    // What trim().toUpperCase() folded together: dotless i, sharp s, Kelvin sign.
    expect(accountNumberKey('\u0131d-foreign')).toBe('\u0131D-FOREIGN');
    expect(accountNumberKey('stra\u00dfe')).toBe('STRA\u00dfE');
    expect(accountNumberKey('\u212a-KELVIN')).toBe('\u212a-KELVIN');
  });
});

describe('accountNumberProblem', () => {
  it.each([
    'ACC-01000-BVRCPS',
    'case-1',
    'CASE-1',
    'A',
    "O'BRIEN",
    'X eq Y',
    '100%',
    '#?/&',
    'A B',
    '~!@$^()_+={}[]|\\:;"<>,.`',
  ])('%j is valid', (number) => {
    expect(accountNumberProblem(number)).toBeUndefined();
    expect(isValidAccountNumber(number)).toBe(true);
  });

  it.each([
    ['', /empty/],
    [' DUP-A', /starts or ends with a space/],
    ['STAR*', /'\*', which F&O reads as a wildcard/],
    ['DUP-A ', /starts or ends with a space/],
    [' ', /starts or ends with a space/],
    ['A\tB', /control character \(U\+0009\)/],
    ['A\u0000', /control character \(U\+0000\)/],
    ['A\u007f', /control character \(U\+007F\)/],
    ['A\u0085', /control character \(U\+0085\)/],
    ['\ud800-LONE', /lone surrogate \(U\+D800\)/],
    ['LONE-\udc00', /lone surrogate \(U\+DC00\)/],
    ['A\u200bB', /invisible formatting character \(U\+200B/],
    ['\u200fRTL', /invisible formatting character \(U\+200F/],
    ['A\u202eB', /invisible formatting character \(U\+202E/],
    ['\ufeffBOM', /invisible formatting character \(U\+FEFF/],
    ['A\u00a0B', /non-ASCII space \(U\+00A0\)/],
    ['\u0131d-foreign', /'\u0131' \(U\+0131\)/],
    ['STRA\u00dfE', /U\+00DF/],
    ['\u212a-KELVIN', /U\+212A/],
    ['\ufb01x', /U\+FB01/],
    ['CAF\u00c9', /U\+00C9/],
    ['A\ud83d\ude00', /U\+1F600/],
    ['\uff21\uff22', /U\+FF21/],
  ])('%j is refused', (number, reason) => {
    expect(accountNumberProblem(number)).toMatch(reason);
    expect(isValidAccountNumber(number)).toBe(false);
  });
});
