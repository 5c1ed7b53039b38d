import { describe, expect, it } from 'vitest';
import { countryCodesOf } from '../../../src/domain/country-codes';
import { COUNTRY_NAME_KEY_CACHE_LIMIT, countryNameKey } from '../../../src/domain/country-name-key';
import { resolveCountry } from '../../../src/domain/country';

const NO_OVERRIDES: Readonly<Record<string, string>> = {};

describe('resolveCountry', () => {
  it.each([
    ['United States', 'USA', 'US'],
    ['United States of America', 'USA', 'US'],
    ['USA', 'USA', 'US'],
    ['US', 'USA', 'US'],
    ['U.S.A.', 'USA', 'US'],
    ['u.s.', 'USA', 'US'],
    ['  usa  ', 'USA', 'US'],
    ['840', 'USA', 'US'],
    ['Vereinigte Staaten', 'USA', 'US'],
    ['Deutschland', 'DEU', 'DE'],
    ['Germany', 'DEU', 'DE'],
    ['DE', 'DEU', 'DE'],
    ['de', 'DEU', 'DE'],
    ['DEU', 'DEU', 'DE'],
    ['Allemagne', 'DEU', 'DE'],
    ['Great Britain', 'GBR', 'GB'],
    ['United Kingdom', 'GBR', 'GB'],
    ['U.K.', 'GBR', 'GB'],
    ['UK', 'GBR', 'GB'],
    ['GB', 'GBR', 'GB'],
    ['England', 'GBR', 'GB'],
    ['Royaume-Uni', 'GBR', 'GB'],
    ['Österreich', 'AUT', 'AT'],
    ['Oesterreich', 'AUT', 'AT'],
    ['osterreich', 'AUT', 'AT'],
    ['Austria', 'AUT', 'AT'],
    ['The Netherlands', 'NLD', 'NL'],
    ['Nederland', 'NLD', 'NL'],
    ['Holland', 'NLD', 'NL'],
    ['Bundesrepublik Deutschland', 'DEU', 'DE'],
    ['République française', 'FRA', 'FR'],
    ['Schweizerische Eidgenossenschaft', 'CHE', 'CH'],
    ['Schweiz', 'CHE', 'CH'],
    ['Suisse', 'CHE', 'CH'],
    ['España', 'ESP', 'ES'],
    ['ESPANA', 'ESP', 'ES'],
    ["Côte d'Ivoire", 'CIV', 'CI'],
    ['Cote d’Ivoire', 'CIV', 'CI'],
    ['Ivory Coast', 'CIV', 'CI'],
    ['Bosnia & Herzegovina', 'BIH', 'BA'],
    ['St. Lucia', 'LCA', 'LC'],
    ['Türkiye', 'TUR', 'TR'],
    ['Tuerkei', 'TUR', 'TR'],
    ['Danmark', 'DNK', 'DK'],
    ['Sverige', 'SWE', 'SE'],
    ['Polska', 'POL', 'PL'],
    ['Viet Nam', 'VNM', 'VN'],
    ['Republic of Korea', 'KOR', 'KR'],
    ['Россия', 'RUS', 'RU'],
    ['日本', 'JPN', 'JP'],
    ['Ελλάδα', 'GRC', 'GR'],
  ])('%j → %s / %s', (text, alpha3, alpha2) => {
    expect(resolveCountry(text, NO_OVERRIDES)).toEqual({ kind: 'resolved', alpha3, alpha2 });
  });

  it.each([null, undefined, '', '   ', '\t\n'])('%j is blank', (text) => {
    expect(resolveCountry(text, NO_OVERRIDES)).toEqual({ kind: 'blank' });
  });

  it.each(['Atlantis', 'Narnia', 'XX', 'ZZZ', '999', '---', 'United Stats', 'Korea'])('%j is unknown', (text) => {
    expect(resolveCountry(text, NO_OVERRIDES)).toEqual({ kind: 'unknown', text });
  });

  it('keeps the trimmed text of an unknown country', () => {
    expect(resolveCountry('  Atlantis ', NO_OVERRIDES)).toEqual({ kind: 'unknown', text: 'Atlantis' });
  });

  it('does not guess a name that means two countries, and says which', () => {
    expect(resolveCountry('Congo', NO_OVERRIDES)).toEqual({ kind: 'unknown', text: 'Congo', candidates: ['COD', 'COG'] });
    expect(resolveCountry('Kongo', NO_OVERRIDES)).toEqual({ kind: 'unknown', text: 'Kongo', candidates: ['COD', 'COG'] });
    expect(resolveCountry('Republic of the Congo', NO_OVERRIDES)).toMatchObject({ kind: 'resolved', alpha3: 'COG' });
  });

  describe('overrides', () => {
    const overrides = { 'Atlantis ': 'grc', 'Korea': 'KR', 'Deutschland': 'AUT', 'Bayern': 'DEU', 'Congo': 'COD' };

    it('resolve texts the library does not know, with alpha-2 or alpha-3 values in any case', () => {
      expect(resolveCountry('Atlantis', overrides)).toEqual({ kind: 'resolved', alpha3: 'GRC', alpha2: 'GR' });
      expect(resolveCountry('KOREA', overrides)).toEqual({ kind: 'resolved', alpha3: 'KOR', alpha2: 'KR' });
      expect(resolveCountry('Congo', overrides)).toEqual({ kind: 'resolved', alpha3: 'COD', alpha2: 'CD' });
    });

    it('win over library names and compare like names (case, accents, punctuation)', () => {
      expect(resolveCountry('deutschland', overrides)).toMatchObject({ alpha3: 'AUT' });
      expect(resolveCountry('BAYERN.', overrides)).toMatchObject({ alpha3: 'DEU' });
      expect(resolveCountry('Germany', overrides)).toMatchObject({ alpha3: 'DEU' });
    });

    it('are per configuration: other overrides do not leak', () => {
      expect(resolveCountry('Atlantis', overrides)).toMatchObject({ kind: 'resolved' });
      expect(resolveCountry('Atlantis', NO_OVERRIDES)).toMatchObject({ kind: 'unknown' });
      expect(resolveCountry('Atlantis', { atlantis: 'ESP' })).toMatchObject({ alpha3: 'ESP' });
    });

    it('refuse a value that is not an ISO code (the configuration schema should have caught it)', () => {
      expect(() => resolveCountry('Atlantis', { Atlantis: 'Atlantis' })).toThrow(/not an ISO 3166-1/);
    });
  });

  it('gives the same answer on repeated calls', () => {
    const first = resolveCountry('Deutschland', NO_OVERRIDES);
    for (let i = 0; i < 3; i++) expect(resolveCountry('Deutschland', NO_OVERRIDES)).toEqual(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});

describe('countryNameKey', () => {
  it.each([
    ['U.S.A.', 'usa'],
    ['  The   Netherlands ', 'netherlands'],
    ['Côte d’Ivoire', 'cote divoire'],
    ['Bosnia & Herzegovina', 'bosnia and herzegovina'],
    ['Guinea-Bissau', 'guinea bissau'],
    ['Weißrussland', 'weissrussland'],
    ['Østrig', 'ostrig'],
  ])('%j → %j', (text, key) => {
    expect(countryNameKey(text)).toBe(key);
  });

  it('gives the same key for a text asked again, also after more distinct texts than it keeps', () => {
    expect(countryNameKey('Côte d’Ivoire')).toBe('cote divoire');
    for (let i = 0; i <= COUNTRY_NAME_KEY_CACHE_LIMIT; i += 1) expect(countryNameKey(`Land ${i}.`)).toBe(`land ${i}`);
    expect(countryNameKey('Côte d’Ivoire')).toBe('cote divoire');
    expect(countryNameKey('  The   Netherlands ')).toBe('netherlands');
  });
});

describe('countryCodesOf', () => {
  it.each([
    ['DE', { alpha3: 'DEU', alpha2: 'DE' }],
    ['deu', { alpha3: 'DEU', alpha2: 'DE' }],
    ['276', { alpha3: 'DEU', alpha2: 'DE' }],
    [' us ', { alpha3: 'USA', alpha2: 'US' }],
  ])('%j is an ISO code', (code, codes) => {
    expect(countryCodesOf(code)).toEqual(codes);
  });

  it.each(['UK', 'XX', 'ABCD', 'D', '', '12', 'Germany'])('%j is not an ISO code', (code) => {
    expect(countryCodesOf(code)).toBeUndefined();
  });
});
