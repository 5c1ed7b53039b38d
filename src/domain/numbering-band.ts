import { parseAccountNumberSequence } from './account-number';

/**
 * While the upgrade script numbers accounts, the sync already runs over the accounts that had a number (the
 * "numbered" pass); the accounts it numbers are synced after it finishes (the "band" pass). Which pass an account
 * belongs to depends only on its Account Number: in the band when it has the generated form `ACC-<n>-<XXXXXX>` with
 * `n` at or above the first sequence this numbering handed out. So every account is in exactly one pass, and two
 * accounts sharing a number (compared case-insensitively, as keys are) are always in the same one.
 */
export interface NumberingBand {
  firstSequence: number;
  /** Which side of the band a unit keeps. */
  keep: 'numbered' | 'band';
}

export function inNumberingBand(accountNumber: string, firstSequence: number): boolean {
  const sequence = parseAccountNumberSequence(accountNumber);
  return sequence !== undefined && sequence >= firstSequence;
}

/** Whether a unit of `band`'s pass keeps an account with this number (no number: the numbered pass reports it). */
export function keptByBand(band: NumberingBand, accountNumber: string | null | undefined): boolean {
  const inBand = typeof accountNumber === 'string' && inNumberingBand(accountNumber, band.firstSequence);
  return band.keep === 'band' ? inBand : !inBand;
}
