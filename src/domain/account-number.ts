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
 * What an Account Number may be, and how two are compared — one rule for duplicate detection, unit cutting, the
 * numbering scan, the F&O read-back and the diff.
 *
 * Account Number is the F&O customer key. F&O compares keys in SQL Server under SQL_Latin1_General_CP1_CI_AS (the
 * only collation F&O supports); Dataverse under its language's collation, `_CI_AI` for most languages
 * (accent-insensitive!). Both are case-insensitive, and both treat characters beyond plain ASCII in ways JavaScript
 * cannot reproduce: accents equal or not depending on the side, compatibility forms (Kelvin sign U+212A vs K),
 * ligatures, zero-width and control characters ignored, trailing spaces ignored, language-specific case mappings
 * (`ı`, `ß`). A wrong guess writes one account's data onto another customer. So the rule is strict and the same on
 * both sides: an Account Number is 1 to 20 printable ASCII characters (U+0020 to U+007E) other than `*` (F&O's filter
 * wildcard) that neither starts nor ends with a space. On that set every case-insensitive collation agrees with ASCII case folding, so two valid
 * numbers are the same key exactly when they are equal ignoring ASCII letter case (`case-1` = `CASE-1`). Numbers
 * outside the rule are refused (INVALID_ACCOUNT_NUMBER) with the reason, never trimmed or folded into another.
 * Length above 20 is reported separately (TOO_LONG) by the mapping.
 */

/** Why `accountNumber` is not a valid Account Number (length aside), or undefined when it is. */
export function accountNumberProblem(accountNumber: string): string | undefined {
  if (accountNumber === '') return 'it is empty';
  if (accountNumber.startsWith(' ') || accountNumber.endsWith(' ')) {
    return 'it starts or ends with a space (F&O and Dataverse ignore trailing spaces when comparing keys; the sync never trims a key)';
  }
  if (accountNumber.includes('*')) {
    return "it contains '*', which F&O reads as a wildcard in a filter: reading the customer back by this number could match other customers";
  }
  for (const char of accountNumber) {
    const code = char.codePointAt(0) as number;
    if (code >= 0x20 && code <= 0x7e) continue;
    return `it contains ${describeCharacter(char, code)}; an Account Number may hold only printable ASCII characters (letters A-Z in any case, digits, space inside, punctuation)`;
  }
  return undefined;
}

export function isValidAccountNumber(accountNumber: string): boolean {
  return accountNumberProblem(accountNumber) === undefined;
}

function describeCharacter(char: string, code: number): string {
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code >= 0xd800 && code <= 0xdfff) return `a lone surrogate (${hex}), which is not a character`;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `a control character (${hex})`;
  if (/\p{Cf}/u.test(char)) return `an invisible formatting character (${hex}, e.g. a zero-width or bidirectional mark)`;
  if (/\s/u.test(char)) return `a non-ASCII space (${hex})`;
  return `the non-ASCII character '${char}' (${hex}), which F&O and Dataverse may compare equal to another character`;
}

/**
 * The key two valid Account Numbers are compared by: ASCII letters folded to upper case, nothing else changed (no
 * trimming — a padded number is invalid, not equal to the unpadded one). Only meaningful for valid numbers.
 */
export function accountNumberKey(accountNumber: string): string {
  return accountNumber.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}
