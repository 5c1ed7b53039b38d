import { describe, expect, it } from 'vitest';
import { accountNumberKey } from '../../../src/domain/account-number';
import { formatWatermark, KeyListCutter, parseWatermark, RangeCutter } from '../../../src/domain/work-unit';

function ranges(numbers: string[], unitSize: number, start: string | null = null) {
  const cutter = new RangeCutter(start, unitSize, accountNumberKey);
  for (const number of numbers) cutter.push(number);
  cutter.finish();
  return { units: cutter.take(), cursor: cutter.cursor };
}

describe('RangeCutter', () => {
  it('cuts an ordered stream into consecutive ranges that cover every number once', () => {
    const numbers = Array.from({ length: 10 }, (_, i) => `ACC-0000${i}-AAAAAA`);
    const { units, cursor } = ranges(numbers, 3);
    expect(units.map((u) => [u.after, u.upTo, u.expected])).toEqual([
      [null, 'ACC-00002-AAAAAA', 3],
      ['ACC-00002-AAAAAA', 'ACC-00005-AAAAAA', 3],
      ['ACC-00005-AAAAAA', 'ACC-00008-AAAAAA', 3],
      ['ACC-00008-AAAAAA', 'ACC-00009-AAAAAA', 1],
    ]);
    expect(cursor).toBe('ACC-00009-AAAAAA');
  });

  it('never splits accounts sharing a number (compared case-insensitively) across two units', () => {
    const { units } = ranges(['A1', 'A2', 'a2', 'A2', 'A3', 'A4'], 2);
    expect(units.map((u) => [u.after, u.upTo, u.expected])).toEqual([
      [null, 'A2', 4],
      ['A2', 'A4', 2],
    ]);
  });

  it('continues after a cursor and reports closed units as they appear', () => {
    const cutter = new RangeCutter('A0', 2, accountNumberKey);
    expect(cutter.push('A1')).toBe(false);
    expect(cutter.push('A2')).toBe(false);
    expect(cutter.push('A3')).toBe(true);
    expect(cutter.closedCount).toBe(1);
    expect(cutter.take()).toEqual([{ kind: 'range', after: 'A0', upTo: 'A2', expected: 2 }]);
    expect(cutter.cursor).toBe('A2');
    expect(cutter.closedCount).toBe(0);
  });

  it('yields nothing for an empty stream', () => {
    expect(ranges([], 5)).toEqual({ units: [], cursor: null });
  });

  it('never ends a range at an invalid number; the invalid numbers after the bound go to the next unit', () => {
    // SQL Server sorts 'A2 ' among the 'A2's (trailing spaces ignored); a lone surrogate cannot be put in a URL.
    const { units, cursor } = ranges(['A1', 'A2', 'A2 ', '\ud800-LONE', 'A3', 'A4'], 2);
    expect(units).toEqual([
      { kind: 'range', after: null, upTo: 'A2', expected: 2 },
      { kind: 'range', after: 'A2', upTo: 'A3', expected: 3 },
      { kind: 'range', after: 'A3', upTo: 'A4', expected: 1 },
    ]);
    expect(cursor).toBe('A4');
  });

  it('leaves the last range open at the end when invalid numbers sort after the last valid one', () => {
    const { units, cursor } = ranges(['A1', 'A2', 'A3', '\ud800-LONE', 'Z\u200b'], 2);
    expect(units).toEqual([
      { kind: 'range', after: null, upTo: 'A2', expected: 2 },
      { kind: 'range', after: 'A2', upTo: null, expected: 3 },
    ]);
    expect(cursor).toBe('A2');
  });

  it('makes one open range of a stream of invalid numbers only', () => {
    expect(ranges([' X', '\u212a'], 1).units).toEqual([{ kind: 'range', after: null, upTo: null, expected: 2 }]);
  });
});

describe('RangeCutter.skip (numbers of another pass)', () => {
  /** `+` marks a number of this pass (pushed), `-` one of the other pass (skipped). */
  function cut(stream: string[], unitSize: number) {
    const cutter = new RangeCutter(null, unitSize, accountNumberKey);
    for (const entry of stream) {
      if (entry.startsWith('+')) cutter.push(entry.slice(1));
      else cutter.skip(entry.slice(1));
    }
    cutter.finish();
    return { units: cutter.take(), cursor: cutter.cursor };
  }

  it('closes the open range at a skipped number and starts the next after the last one of the run', () => {
    const { units, cursor } = cut(['+A1', '+A2', '+A3', '-ACC-00001-X1Y2Z3', '-ACC-00002-Q1W2E3', '+CUST-1', '+CUST-2'], 2);
    expect(units).toEqual([
      { kind: 'range', after: null, upTo: 'A2', expected: 2 },
      // A3 and the first skipped number (its reader drops that one).
      { kind: 'range', after: 'A2', upTo: 'ACC-00001-X1Y2Z3', expected: 1 },
      { kind: 'range', after: 'ACC-00002-Q1W2E3', upTo: 'CUST-2', expected: 2 },
    ]);
    expect(cursor).toBe('CUST-2');
  });

  it('keeps pending invalid numbers in the range it closes, and never uses an invalid number as a bound', () => {
    const { units } = cut(['+A1', '+A1 ', '- ACC-00003-ABCDEF', '-ACC-00004-ABCDEF', '+B1'], 5);
    expect(units).toEqual([
      { kind: 'range', after: null, upTo: 'ACC-00004-ABCDEF', expected: 2 },
      { kind: 'range', after: 'ACC-00004-ABCDEF', upTo: 'B1', expected: 1 },
    ]);
  });

  it('makes no unit of skipped numbers alone', () => {
    expect(cut(['-ACC-00001-ABCDEF', '-ACC-00002-ABCDEF'], 2)).toEqual({ units: [], cursor: 'ACC-00002-ABCDEF' });
  });
});

describe('KeyListCutter', () => {
  it('groups distinct numbers (case-insensitively) into key lists of the unit size', () => {
    const cutter = new KeyListCutter(null, 2, accountNumberKey);
    for (const number of ['A1', 'a1', 'A2', 'A3', 'A3', 'A4', 'A5']) cutter.push(number);
    cutter.finish();
    expect(cutter.take()).toEqual([
      { kind: 'keys', keys: ['A1', 'A2'] },
      { kind: 'keys', keys: ['A3', 'A4'] },
      { kind: 'keys', keys: ['A5'] },
    ]);
    expect(cutter.cursor).toBe('A5');
  });

  it('does not start a new unit with a variant of the number that closed the last one', () => {
    const cutter = new KeyListCutter(null, 1, accountNumberKey);
    for (const number of ['A1', 'a1', 'A2']) cutter.push(number);
    cutter.finish();
    expect(cutter.take()).toEqual([
      { kind: 'keys', keys: ['A1'] },
      { kind: 'keys', keys: ['A2'] },
    ]);
  });
});

describe('KeyListCutter and invalid numbers', () => {
  it('lists accounts with invalid numbers by id, in the unit after the last key before them', () => {
    const cutter = new KeyListCutter(null, 2, accountNumberKey);
    cutter.push('A1', 'id-a1');
    cutter.push(' A1', 'id-padded');
    cutter.push('A2', 'id-a2');
    cutter.push('\ud800-LONE', 'id-lone');
    cutter.push('A3', 'id-a3');
    cutter.push('\u212a', 'id-kelvin');
    cutter.finish();
    expect(cutter.take()).toEqual([
      { kind: 'keys', keys: ['A1', 'A2'], accountIds: ['id-padded'] },
      { kind: 'keys', keys: ['A3'], accountIds: ['id-lone', 'id-kelvin'] },
    ]);
    expect(cutter.cursor).toBe('A3');
  });

  it('makes a unit of invalid numbers only when there is nothing else', () => {
    const cutter = new KeyListCutter('A0', 2, accountNumberKey);
    cutter.push(' B', 'id-b');
    cutter.finish();
    expect(cutter.take()).toEqual([{ kind: 'keys', keys: [], accountIds: ['id-b'] }]);
    expect(cutter.cursor).toBe('A0');
  });
});

describe('watermarks', () => {
  it('round-trips versions and normalises times', () => {
    expect(parseWatermark('version:42')).toEqual({ kind: 'version', value: '42' });
    expect(formatWatermark(parseWatermark('version:42'))).toBe('version:42');
    expect(parseWatermark('2026-11-25T10:00:00+01:00')).toEqual({ kind: 'time', value: '2026-11-25T09:00:00.000Z' });
  });
});
