/**
 * Account Numbers as the Prospect to cash solution generates them (contract §4): `ACC-01000-BVRCPS` — prefix,
 * sequence zero-padded to at least five digits, six random characters. Account Number is the customer key in F&O
 * (CustomerAccount, at most 20 characters), so a number that would not fit is refused rather than cut.
 */

export const ACCOUNT_NUMBER_PREFIX = 'ACC';
export const ACCOUNT_NUMBER_MAX_LENGTH = 20;
export const ACCOUNT_NUMBER_SUFFIX_LENGTH = 6;
const MIN_SEQUENCE_DIGITS = 5;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

// `ACC-` + digits + `-` + suffix must fit in 20 characters.
const MAX_SEQUENCE_DIGITS =
  ACCOUNT_NUMBER_MAX_LENGTH - ACCOUNT_NUMBER_PREFIX.length - 2 - ACCOUNT_NUMBER_SUFFIX_LENGTH;

/** The highest sequence whose number still fits the 20-character key (999,999,999). */
export const MAX_ACCOUNT_NUMBER_SEQUENCE = 10 ** MAX_SEQUENCE_DIGITS - 1;

const SUFFIX_PATTERN = /^[A-Z0-9]{6}$/;
const ACCOUNT_NUMBER_PATTERN = new RegExp(
  `^${ACCOUNT_NUMBER_PREFIX}-(\\d{1,${MAX_SEQUENCE_DIGITS}})-[A-Z0-9]{${ACCOUNT_NUMBER_SUFFIX_LENGTH}}$`,
  'i',
);

export function formatAccountNumber(sequence: number, suffix: string): string {
  if (!Number.isSafeInteger(sequence) || sequence < 0) {
    throw new RangeError(`Account Number sequence must be a whole number of at least 0, got ${sequence}`);
  }
  if (sequence > MAX_ACCOUNT_NUMBER_SEQUENCE) {
    throw new RangeError(
      `Account Number sequence ${sequence} is above ${MAX_ACCOUNT_NUMBER_SEQUENCE}: the number would exceed ` +
        `${ACCOUNT_NUMBER_MAX_LENGTH} characters, the length of the F&O customer key`,
    );
  }
  if (!SUFFIX_PATTERN.test(suffix)) {
    throw new RangeError(`Account Number suffix must be six characters of A-Z and 0-9, got '${suffix}'`);
  }
  return `${ACCOUNT_NUMBER_PREFIX}-${String(sequence).padStart(MIN_SEQUENCE_DIGITS, '0')}-${suffix}`;
}

/** The sequence of a generated-style number (`ACC-<digits>-<6 of A-Z0-9>`, any case); undefined for other numbers. */
export function parseAccountNumberSequence(accountNumber: string): number | undefined {
  const match = ACCOUNT_NUMBER_PATTERN.exec(accountNumber.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Six characters of A-Z0-9 drawn from `random` (values in [0, 1), like Math.random or a seeded generator). */
export function randomSuffix(random: () => number): string {
  let suffix = '';
  for (let i = 0; i < ACCOUNT_NUMBER_SUFFIX_LENGTH; i++) {
    const draw = random();
    if (!(draw >= 0 && draw < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${draw}`);
    suffix += SUFFIX_ALPHABET[Math.floor(draw * SUFFIX_ALPHABET.length)];
  }
  return suffix;
}

/**
 * The key two Account Numbers are compared by. Dataverse and F&O compare keys case-insensitively and the sync
 * writes numbers trimmed, so ` acc-01000-bvrcps ` and `ACC-01000-BVRCPS` end up as the same customer.
 */
export function accountNumberKey(accountNumber: string): string {
  return accountNumber.trim().toUpperCase();
}
