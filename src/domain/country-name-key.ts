/**
 * The form country texts are compared in: case, accents, punctuation and spacing do not matter, so
 * "U.S.A.", "usa" and " U S A" agree, as do "Österreich" and "osterreich", "Côte d'Ivoire" and "Cote dIvoire".
 * Only Latin/Greek/Cyrillic combining accents are dropped; other scripts keep their marks, which carry meaning.
 */

const COMBINING_ACCENTS = /[\u0300-\u036f]+/g;
// Letters that Unicode does not decompose into a base letter plus an accent.
const UNDECOMPOSED_LETTERS = /[ßøæœłđþı]/g;
const LETTER_SPELLINGS: Readonly<Record<string, string>> = { ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', ł: 'l', đ: 'd', þ: 'th', ı: 'i' };
const DROPPED_PUNCTUATION = /['’‘`´.]+/g;
const AMPERSAND = /&/g;
const SEPARATORS = /[^\p{L}\p{N}\p{M}]+/gu;
const LEADING_ARTICLE = /^the /;

export function countryNameKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(COMBINING_ACCENTS, '')
    .toLowerCase()
    .replace(UNDECOMPOSED_LETTERS, (letter) => LETTER_SPELLINGS[letter] ?? letter)
    .replace(AMPERSAND, ' and ')
    .replace(DROPPED_PUNCTUATION, '')
    .replace(SEPARATORS, ' ')
    .trim()
    .replace(LEADING_ARTICLE, '');
}
