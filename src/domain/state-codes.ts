import { iso31662 } from 'iso-3166';
import { countryNameKey } from './country-name-key';

/**
 * F&O's `AddressState` is a key into its state table for the address's country/region (`LogisticsAddressStateId`,
 * 10 characters), not free text; Dataverse's `address1_stateorprovince` is free text ("Pennsylvania", "PA",
 * "Bayern"). The code written is the ISO 3166-2 subdivision code without the country prefix (`US-PA` → `PA`,
 * `CA-ON` → `ON`, `DE-BY` → `BY`): the codes F&O's demo data uses for US states. A tenant whose state table uses
 * other codes maps them in `mapping.states`. Names are the ISO names (in the country's own language, e.g. "Bayern"),
 * compared like country names: case, accents and punctuation do not matter.
 */

/** Per ISO alpha-2 country: text key (name, code, full code) → F&O state code. */
let isoIndex: Map<string, Map<string, string>> | undefined;

function subdivisionsOf(alpha2: string): ReadonlyMap<string, string> | undefined {
  if (!isoIndex) {
    isoIndex = new Map();
    for (const subdivision of iso31662) {
      const [country, code] = subdivision.code.split('-') as [string, string | undefined];
      if (code === undefined) continue;
      let byKey = isoIndex.get(country);
      if (!byKey) isoIndex.set(country, (byKey = new Map()));
      // A code is also a spelling people type ("PA", "US-PA"); a name may be shared by two subdivisions
      // (nested ones), in which case the first, top-level one listed wins.
      for (const key of [countryNameKey(code), countryNameKey(subdivision.code), countryNameKey(subdivision.name)]) {
        if (key !== '' && !byKey.has(key)) byKey.set(key, code);
      }
    }
  }
  return isoIndex.get(alpha2.toUpperCase());
}

/** Configured spellings: ISO alpha-2 country → text key → F&O state code. */
export type StateOverrides = Readonly<Record<string, Readonly<Record<string, string>>>>;

export type StateResolution = { kind: 'resolved'; code: string } | { kind: 'unknown' };

/**
 * The F&O state code of a free-text state/province in a country (ISO alpha-2): `mapping.states` first (so a
 * tenant's own codes win), then the ISO 3166-2 names and codes. Never a shortened text: what is not recognised is
 * unknown.
 */
export function resolveState(text: string, alpha2: string, overrides: StateOverrides): StateResolution {
  const key = countryNameKey(text);
  const configured = overrides[alpha2.toUpperCase()]?.[key];
  if (configured !== undefined) return { kind: 'resolved', code: configured };
  const code = subdivisionsOf(alpha2)?.get(key);
  return code === undefined ? { kind: 'unknown' } : { kind: 'resolved', code };
}

/** The key `mapping.states` texts are stored under (the same comparison as country names). */
export const stateNameKey = countryNameKey;
