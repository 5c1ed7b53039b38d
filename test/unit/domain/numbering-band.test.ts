import { describe, expect, it } from 'vitest';
import { canonicalSequence, keptByBand, sequenceUnits, type NumberingBand } from '../../../src/domain/numbering-band';

// Which part of a run syncing beside numbering an Account Number belongs to (numbering-band.ts). Numbering started
// at sequence 1000 and has written up to 1050 (coveredTo) when the rest of the band is read.
const first = 1000;
const parts: NumberingBand[] = [
  { firstSequence: first, keep: 'numbered' },
  { firstSequence: first, keep: 'sequences', from: 1000, to: 1020 },
  { firstSequence: first, keep: 'sequences', from: 1020, to: 1050 },
  { firstSequence: first, keep: 'rest', coveredTo: 1050 },
];
const partsOf = (accountNumber: string | null) => parts.filter((band) => keptByBand(band, accountNumber)).map((band) => (band.keep === 'sequences' ? `sequences ${band.from}` : band.keep));

describe('numbering band parts', () => {
  it.each([
    // [number, the one part that keeps it]
    ['CUST-1', 'numbered'],
    ['ACC-00999-ABCDEF', 'numbered'],
    ['ACC-01000-ABCDEF', 'sequences 1000'],
    ['acc-01019-abcdef', 'sequences 1000'],
    ['ACC-01020-ZZZZZZ', 'sequences 1020'],
    ['ACC-01049-A1B2C3', 'sequences 1020'],
    // Typed during the run in the generated form, above what numbering reached.
    ['ACC-01050-TYPED1', 'rest'],
    ['ACC-900000-TYPED2', 'rest'],
    // In the band but not in the form the script writes: padded further, or with spaces (invalid numbers).
    ['ACC-001005-ABCDEF', 'rest'],
    [' ACC-01005-ABCDEF', 'rest'],
    ['ACC-01005-ABCDEF ', 'rest'],
    ['ACC-1005-ABCDEF', 'rest'],
  ])('%j is kept by exactly one part: %s', (accountNumber, part) => {
    expect(partsOf(accountNumber)).toEqual([part]);
  });

  it('gives an account without a number to the numbered pass only (it reports it)', () => {
    expect(partsOf(null)).toEqual(['numbered']);
  });

  it('keeps two numbers equal as keys in the same part', () => {
    expect(partsOf('ACC-01010-QWERTY')).toEqual(partsOf('acc-01010-qwerty'));
    expect(partsOf('ACC-01060-QWERTY')).toEqual(partsOf('Acc-01060-QwErTy'));
  });

  it('reads the canonical sequence only from the form the script writes', () => {
    expect(canonicalSequence('ACC-01000-ABCDEF')).toBe(1000);
    expect(canonicalSequence('ACC-123456-ABCDEF')).toBe(123456);
    expect(canonicalSequence('ACC-0123456-ABCDEF')).toBeUndefined();
    expect(canonicalSequence('ACC-01000-ABCDE')).toBeUndefined();
    expect(canonicalSequence('ACC-01000-ABCDEF ')).toBeUndefined();
  });
});

describe('sequenceUnits', () => {
  it('cuts [from, to) into units of at most unitSize sequences, each a range holding their canonical numbers', () => {
    expect(sequenceUnits(1000, 1000, 1250, 100)).toEqual([
      { unit: { kind: 'range', after: 'ACC-01000', upTo: 'ACC-01099-ZZZZZZ', expected: 100 }, band: { firstSequence: 1000, keep: 'sequences', from: 1000, to: 1100 } },
      { unit: { kind: 'range', after: 'ACC-01100', upTo: 'ACC-01199-ZZZZZZ', expected: 100 }, band: { firstSequence: 1000, keep: 'sequences', from: 1100, to: 1200 } },
      { unit: { kind: 'range', after: 'ACC-01200', upTo: 'ACC-01249-ZZZZZZ', expected: 50 }, band: { firstSequence: 1000, keep: 'sequences', from: 1200, to: 1250 } },
    ]);
  });

  it('never spans a change of width (99,999 to 100,000): the numbers of one unit sort together', () => {
    expect(sequenceUnits(99_990, 99_990, 100_010, 1000).map(({ unit }) => [unit.after, unit.upTo])).toEqual([
      ['ACC-99990', 'ACC-99999-ZZZZZZ'],
      ['ACC-100000', 'ACC-100009-ZZZZZZ'],
    ]);
  });

  it('has nothing for an empty interval', () => {
    expect(sequenceUnits(1000, 1200, 1200, 100)).toEqual([]);
  });

  it('covers every sequence of the interval once, in order', () => {
    const units = sequenceUnits(5, 5, 123_457, 997);
    expect(units[0]?.band.from).toBe(5);
    expect(units.at(-1)?.band.to).toBe(123_457);
    for (let i = 1; i < units.length; i++) expect(units[i]?.band.from).toBe(units[i - 1]?.band.to);
    // A canonical number of a unit's sequences lies in its range as text (the read is `gt after and le upTo`).
    for (const { unit, band } of units) {
      for (const sequence of [band.from, band.to - 1]) {
        const number = `ACC-${String(sequence).padStart(5, '0')}-A0Z9QB`;
        expect(number > (unit.after as string) && number <= (unit.upTo as string), `${number} in ${unit.after}..${unit.upTo}`).toBe(true);
      }
    }
  });
});
