import { describe, expect, it } from 'vitest';
import { formatNumber, renderFields, renderTable } from '../../../src/cli/text-table';

describe('text tables', () => {
  it('aligns columns, right-aligns numeric columns and groups thousands', () => {
    const table = renderTable(['company', 'read', 'note'], [
      ['usmf', 12_345, 'ok'],
      ['demf', 7, 'longer note'],
    ]);
    expect(table.split('\n')).toEqual([
      'company    read  note',
      '-------  ------  -----------',
      'usmf     12,345  ok',
      'demf          7  longer note',
    ]);
  });

  it('treats a column with any text as text, and prints fractions with one decimal', () => {
    expect(renderTable(['a'], [[1], ['x']]).split('\n')).toEqual(['a', '-', '1', 'x']);
    expect(formatNumber(2758.25)).toBe('2,758.3');
  });

  it('aligns key/value fields', () => {
    expect(renderFields([['Pipeline', 'demo'], ['Continued as new', 2]])).toBe('Pipeline:          demo\nContinued as new:  2');
  });
});
