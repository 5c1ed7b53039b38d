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

describe('watermarks', () => {
  it('round-trips versions and normalises times', () => {
    expect(parseWatermark('version:42')).toEqual({ kind: 'version', value: '42' });
    expect(formatWatermark(parseWatermark('version:42'))).toBe('version:42');
    expect(parseWatermark('2026-11-25T10:00:00+01:00')).toEqual({ kind: 'time', value: '2026-11-25T09:00:00.000Z' });
  });
});
