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

/** Keys already computed: a run maps every account's country and state, and there are few distinct texts. */
const keys = new Map<string, string>();
/** Texts kept at most; past it the cache starts again (any text's key is the same computed anew). */
export const COUNTRY_NAME_KEY_CACHE_LIMIT = 10_000;

export function countryNameKey(text: string): string {
  let key = keys.get(text);
  if (key === undefined) {
    if (keys.size >= COUNTRY_NAME_KEY_CACHE_LIMIT) keys.clear();
    key = computeKey(text);
    keys.set(text, key);
  }
  return key;
}

function computeKey(text: string): string {
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
