/**
 * Sales keeps `address1_country` as free text ("United States", "Deutschland", "U.K."); F&O wants a country/region
 * id (ISO alpha-3) and its ISO alpha-2 code. Names come from i18n-iso-countries in the languages below; locale JSON
 * is imported statically so the module also works inside a bundle (Temporal's workflow bundler).
 */
import { getNames, registerLocale, type LocaleData } from 'i18n-iso-countries/index';
import cs from 'i18n-iso-countries/langs/cs.json';
import da from 'i18n-iso-countries/langs/da.json';
import de from 'i18n-iso-countries/langs/de.json';
import el from 'i18n-iso-countries/langs/el.json';
import en from 'i18n-iso-countries/langs/en.json';
import es from 'i18n-iso-countries/langs/es.json';
import fi from 'i18n-iso-countries/langs/fi.json';
import fr from 'i18n-iso-countries/langs/fr.json';
import hu from 'i18n-iso-countries/langs/hu.json';
import it from 'i18n-iso-countries/langs/it.json';
import ja from 'i18n-iso-countries/langs/ja.json';
import nb from 'i18n-iso-countries/langs/nb.json';
import nl from 'i18n-iso-countries/langs/nl.json';
import pl from 'i18n-iso-countries/langs/pl.json';
import pt from 'i18n-iso-countries/langs/pt.json';
import ro from 'i18n-iso-countries/langs/ro.json';
import ru from 'i18n-iso-countries/langs/ru.json';
import sk from 'i18n-iso-countries/langs/sk.json';
import sv from 'i18n-iso-countries/langs/sv.json';
import tr from 'i18n-iso-countries/langs/tr.json';
import uk from 'i18n-iso-countries/langs/uk.json';
import zh from 'i18n-iso-countries/langs/zh.json';
import { countryCodesOf, type CountryCodes } from './country-codes';
import { countryNameKey } from './country-name-key';

export type CountryResolution =
  | { kind: 'blank' }
  | { kind: 'resolved'; alpha3: string; alpha2: string }
  /** `candidates` (alpha-3) when the text names several countries, e.g. "Congo". */
  | { kind: 'unknown'; text: string; candidates?: string[] };

const LOCALES: readonly LocaleData[] = [en, de, fr, es, it, nl, pt, sv, da, nb, fi, pl, cs, sk, hu, ro, tr, ru, uk, el, ja, zh];

/**
 * Names the library lacks: short or former English names, the UK's nations, and the official long names people
 * type into CRM address forms ("Bundesrepublik Deutschland"). Used only when no locale name matches; anything
 * else belongs in `mapping.countries`.
 */
const SUPPLEMENTARY_NAMES: Readonly<Record<string, string>> = {
  England: 'GB',
  Scotland: 'GB',
  Wales: 'GB',
  'Northern Ireland': 'GB',
  Holland: 'NL',
  Burma: 'MM',
  Laos: 'LA',
  Macedonia: 'MK',
  Moldova: 'MD',
  Swaziland: 'SZ',
  Syria: 'SY',
  Vatican: 'VA',
  'Vatican City': 'VA',
  'Viet Nam': 'VN',
  'Bundesrepublik Deutschland': 'DE',
  'Federal Republic of Germany': 'DE',
  'République française': 'FR',
  'French Republic': 'FR',
  'Republik Österreich': 'AT',
  'Republic of Austria': 'AT',
  'Schweizerische Eidgenossenschaft': 'CH',
  'Confédération suisse': 'CH',
  'Confederazione Svizzera': 'CH',
  'Swiss Confederation': 'CH',
  'Reino de España': 'ES',
  'Kingdom of Spain': 'ES',
  'Repubblica Italiana': 'IT',
  'Italian Republic': 'IT',
  'Koninkrijk der Nederlanden': 'NL',
  'Kingdom of the Netherlands': 'NL',
  'Königreich der Niederlande': 'NL',
  'Rzeczpospolita Polska': 'PL',
  'Republic of Poland': 'PL',
  'United Kingdom of Great Britain and Northern Ireland': 'GB',
  'Vereinigtes Königreich': 'GB',
  'Royaume-Uni': 'GB',
};

interface NameIndex {
  codes: Map<string, CountryCodes>;
  /** Names that mean different countries (in one language or across languages): never guessed. */
  ambiguous: Map<string, string[]>;
}

let nameIndex: NameIndex | undefined;

const HAS_UMLAUT = /[äöüÄÖÜ]/;
const UMLAUTS = /[äöüÄÖÜ]/g;
const UMLAUT_SPELLINGS: Readonly<Record<string, string>> = { ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue' };

// "Österreich" is also typed "Oesterreich" (the German spelling without umlauts) and "Osterreich".
function spellingsOf(name: string): string[] {
  return HAS_UMLAUT.test(name) ? [name, name.replace(UMLAUTS, (umlaut) => UMLAUT_SPELLINGS[umlaut] ?? umlaut)] : [name];
}

// Built once, on first use; every lookup after that is one Map access.
function getNameIndex(): NameIndex {
  if (nameIndex) return nameIndex;
  const alpha2sByKey = new Map<string, Set<string>>();
  for (const locale of LOCALES) {
    registerLocale(locale);
    for (const [alpha2, names] of Object.entries(getNames(locale.locale, { select: 'all' }))) {
      for (const name of names) {
        for (const spelling of spellingsOf(name)) {
          const key = countryNameKey(spelling);
          const alpha2s = alpha2sByKey.get(key);
          if (alpha2s) alpha2s.add(alpha2);
          else alpha2sByKey.set(key, new Set([alpha2]));
        }
      }
    }
  }
  const index: NameIndex = { codes: new Map(), ambiguous: new Map() };
  for (const [key, alpha2s] of alpha2sByKey) {
    const codes = [...alpha2s].map((alpha2) => countryCodesOf(alpha2)).filter((c): c is CountryCodes => c !== undefined);
    if (codes.length === 1) index.codes.set(key, Object.freeze(codes[0]!));
    else if (codes.length > 1) index.ambiguous.set(key, codes.map((c) => c.alpha3).sort());
  }
  for (const [name, alpha2] of Object.entries(SUPPLEMENTARY_NAMES)) {
    const key = countryNameKey(name);
    const codes = countryCodesOf(alpha2);
    if (codes && !index.codes.has(key) && !index.ambiguous.has(key)) index.codes.set(key, Object.freeze(codes));
  }
  nameIndex = index;
  return index;
}

const BLANK: CountryResolution = Object.freeze({ kind: 'blank' });
const CODE_LIKE = /^(?:[a-z]{2,3}|\d{3})$/;
const MAX_CACHED_TEXTS = 10_000;

interface OverrideLookup {
  codes: Map<string, CountryCodes>;
  /** Resolutions by trimmed text: accounts repeat a handful of spellings, so most calls end here. */
  results: Map<string, CountryResolution>;
}

const overrideLookups = new WeakMap<Readonly<Record<string, string>>, OverrideLookup>();

function overrideLookupFor(overrides: Readonly<Record<string, string>>): OverrideLookup {
  let lookup = overrideLookups.get(overrides);
  if (lookup) return lookup;
  lookup = { codes: new Map(), results: new Map() };
  for (const [text, code] of Object.entries(overrides)) {
    const codes = countryCodesOf(code);
    // The mapping configuration schema refuses such values; reaching this is a programming error.
    if (!codes) throw new RangeError(`mapping.countries['${text}']: '${code}' is not an ISO 3166-1 alpha-2 or alpha-3 code`);
    lookup.codes.set(countryNameKey(text), Object.freeze(codes));
  }
  overrideLookups.set(overrides, lookup);
  return lookup;
}

function resolved(codes: CountryCodes): CountryResolution {
  return Object.freeze({ kind: 'resolved', alpha3: codes.alpha3, alpha2: codes.alpha2 });
}

function resolveText(text: string, lookup: OverrideLookup): CountryResolution {
  const key = countryNameKey(text);
  const override = lookup.codes.get(key);
  if (override) return resolved(override);
  if (CODE_LIKE.test(key)) {
    const codes = countryCodesOf(key);
    if (codes) return resolved(codes);
  }
  const index = getNameIndex();
  const named = index.codes.get(key);
  if (named) return resolved(named);
  const candidates = index.ambiguous.get(key);
  return Object.freeze(candidates ? { kind: 'unknown', text, candidates: Object.freeze([...candidates]) as string[] } : { kind: 'unknown', text });
}

/**
 * Country/region text → F&O country id (alpha-3) and ISO alpha-2. Order: `overrides` (keys compared like names),
 * ISO codes (alpha-2, alpha-3, numeric), names in any registered language, supplementary names. A name that means
 * different countries ("Congo") stays unknown, with its candidates, rather than being guessed.
 */
export function resolveCountry(
  text: string | null | undefined,
  overrides: Readonly<Record<string, string>>,
): CountryResolution {
  if (text === null || text === undefined) return BLANK;
  const trimmed = text.trim();
  if (trimmed === '') return BLANK;
  const lookup = overrideLookupFor(overrides);
  const cached = lookup.results.get(trimmed);
  if (cached) return cached;
  const resolution = resolveText(trimmed, lookup);
  if (lookup.results.size >= MAX_CACHED_TEXTS) lookup.results.clear();
  lookup.results.set(trimmed, resolution);
  return resolution;
}
