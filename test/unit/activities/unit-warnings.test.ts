import { describe, expect, it } from 'vitest';
import { unitWarnings, UNIT_WARNINGS_MAX_BYTES } from '../../../src/activities/unit-warnings';
import type { RecordWarning } from '../../../src/domain/record-failure';

function warning(index: number): RecordWarning {
  // 469 bytes of JSON each (470 with the comma between array elements).
  return {
    accountId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    company: 'usmf',
    field: 'name',
    value: 'N'.repeat(150),
    written: 'N'.repeat(100),
    code: 'TRUNCATED',
    reason: 'R'.repeat(80),
  };
}

describe('a unit result\'s warnings', () => {
  it('has none when there are none', () => {
    expect(unitWarnings([])).toEqual({});
  });

  it('lists every warning and counts them per code', () => {
    const omitted: RecordWarning = { accountId: 'a', field: 'address1_stateorprovince', value: 'Atlantis', code: 'STATE_OMITTED', reason: 'left out' };
    expect(unitWarnings([warning(1), omitted, warning(2)])).toEqual({
      warnings: [warning(1), omitted, warning(2)],
      warningCounts: { TRUNCATED: 2, STATE_OMITTED: 1 },
    });
  });

  it('lists no more than the byte bound, and still counts them all', () => {
    const size = Buffer.byteLength(JSON.stringify(warning(1))) + 1;
    expect(size).toBe(470);
    // Room for exactly 3 warnings: 2 bytes of brackets plus 3 of them.
    const result = unitWarnings([warning(1), warning(2), warning(3), warning(4)], 2 + 3 * size);
    expect(result.warnings?.map((w) => w.accountId.slice(-1))).toEqual(['1', '2', '3']);
    expect(result.warningCounts).toEqual({ TRUNCATED: 4 });
    expect(UNIT_WARNINGS_MAX_BYTES).toBe(524_288);
  });
});
