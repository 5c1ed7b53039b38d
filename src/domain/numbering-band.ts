import { ACCOUNT_NUMBER_PREFIX, formatAccountNumber, parseAccountNumberSequence } from './account-number';
import type { RangeUnit } from './work-unit';

/**
 * While the upgrade script numbers accounts, the sync already runs over the accounts that had a number (the
 * "numbered" pass). Which pass an account belongs to depends only on its Account Number: in the band when it has the
 * generated form `ACC-<n>-<XXXXXX>` with `n` at or above the first sequence this numbering handed out. So every
 * account is on exactly one side, and two accounts sharing a number (compared case-insensitively, as keys are) are
 * always on the same one.
 *
 * The band is synced in two parts, again decided by the number alone:
 * - `sequences`: numbers in the canonical form the script writes (`ACC-` + the sequence zero-padded to at least five
 *   digits + `-` + six letters or digits, any case) with a sequence in [from, to). A chunk of the upgrade script
 *   returns only once every number below its `nextSequence` is written, so the workflow queues these units as soon
 *   as a chunk returns (numbered accounts join as they are numbered). Each is a range of Account Numbers that holds
 *   every canonical number of its sequences (sequenceUnits), read and filtered by the activity.
 * - `rest`: the band's other numbers — typed in the generated form during the run with a sequence the script has
 *   not reached (`coveredTo` and above), or padded differently (`ACC-0012345-…`) — found once numbering is done by a
 *   read of the accounts changed since numbering started (every number in the band was written after it started:
 *   the script's first sequence is above every number it saw), never a scan of the table.
 * Two accounts sharing a number are in the same part too: canonical form and sequence are the same for both.
 *
 * `band` (everything in the band, planned by a second scan of every key once numbering was done) is how runs of
 * before `numbering-overlap-join` synced it; their histories replay with it.
 */
export type NumberingBand =
  | { firstSequence: number; keep: 'numbered' | 'band' }
  | { firstSequence: number; keep: 'sequences'; from: number; to: number }
  | { firstSequence: number; keep: 'rest'; coveredTo: number };

export function inNumberingBand(accountNumber: string, firstSequence: number): boolean {
  const sequence = parseAccountNumberSequence(accountNumber);
  return sequence !== undefined && sequence >= firstSequence;
}

const CANONICAL = new RegExp(`^${ACCOUNT_NUMBER_PREFIX}-(\\d{5,})-[A-Z0-9]{6}$`, 'i');

/**
 * The sequence of a number in exactly the form the upgrade script writes (any letter case, no padding beyond the
 * script's, no surrounding space); undefined for any other number.
 */
export function canonicalSequence(accountNumber: string): number | undefined {
  const digits = CANONICAL.exec(accountNumber)?.[1];
  if (digits === undefined) return undefined;
  const sequence = Number(digits);
  return String(sequence).padStart(5, '0') === digits ? sequence : undefined;
}

/** Whether a unit of `band`'s part keeps an account with this number (no number: the numbered pass reports it). */
export function keptByBand(band: NumberingBand, accountNumber: string | null | undefined): boolean {
  const inBand = typeof accountNumber === 'string' && inNumberingBand(accountNumber, band.firstSequence);
  switch (band.keep) {
    case 'numbered':
      return !inBand;
    case 'band':
      return inBand;
    case 'sequences': {
      const sequence = inBand ? canonicalSequence(accountNumber) : undefined;
      return sequence !== undefined && sequence >= band.from && sequence < band.to;
    }
    case 'rest': {
      if (!inBand) return false;
      const sequence = canonicalSequence(accountNumber);
      return sequence === undefined || sequence >= band.coveredTo;
    }
  }
}

/** A unit of the band's `sequences` part: the range to read and the filter its activity applies. */
export interface SequenceUnit {
  unit: RangeUnit;
  band: Extract<NumberingBand, { keep: 'sequences' }>;
}

/**
 * Units for the numbers the upgrade script handed out in [from, to), at most `unitSize` sequences each. A unit's
 * range holds every canonical number of its sequences: they all have the same width (a unit never spans a power of
 * ten at six digits or more), so they sort between `ACC-<from>` and `ACC-<to - 1>-ZZZZZZ` — as text, case-
 * insensitively, and with hyphens ignored (SQL Server's word sort) alike. Other numbers in the range belong to other
 * parts and are dropped by the filter.
 */
export function sequenceUnits(firstSequence: number, from: number, to: number, unitSize: number): SequenceUnit[] {
  const units: SequenceUnit[] = [];
  let start = from;
  while (start < to) {
    const width = Math.max(5, String(start).length);
    const end = Math.min(to, start + unitSize, 10 ** width);
    units.push({
      unit: { kind: 'range', after: sequencePrefix(start), upTo: formatAccountNumber(end - 1, 'ZZZZZZ'), expected: end - start },
      band: { firstSequence, keep: 'sequences', from: start, to: end },
    });
    start = end;
  }
  return units;
}

function sequencePrefix(sequence: number): string {
  return formatAccountNumber(sequence, 'AAAAAA').slice(0, -'-AAAAAA'.length);
}
