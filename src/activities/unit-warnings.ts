import type { RecordWarning } from '../domain/record-failure';
import { countWarnings } from '../domain/warning-counts';
import type { SyncWorkUnitResult } from './contracts';

/**
 * A unit's result is one payload in history (Temporal refuses one over 2 MB): its warnings are listed up to this
 * many bytes of JSON, which leaves room for the unit's failures. A unit of 1,000 accounts with every name truncated
 * lists them all (a warning is well under 1 KB); beyond the bound, warnings are counted but not listed, and
 * `p2c sync failures` says how many it could not list.
 */
export const UNIT_WARNINGS_MAX_BYTES = 512 * 1024;

/** The warnings part of a unit's result: every warning counted per code, listed up to `maxBytes`. */
export function unitWarnings(warnings: readonly RecordWarning[], maxBytes = UNIT_WARNINGS_MAX_BYTES): Pick<SyncWorkUnitResult, 'warnings' | 'warningCounts'> {
  if (warnings.length === 0) return {};
  const listed: RecordWarning[] = [];
  let bytes = 2;
  for (const warning of warnings) {
    const size = Buffer.byteLength(JSON.stringify(warning)) + 1;
    if (bytes + size > maxBytes) break;
    bytes += size;
    listed.push(warning);
  }
  return { warnings: listed, warningCounts: countWarnings(warnings) };
}
