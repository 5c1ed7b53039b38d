// The code tables only (no locale names), so configuration validation can check codes without loading names.
import { alpha2ToAlpha3, alpha3ToAlpha2, numericToAlpha2 } from 'i18n-iso-countries/index';

export interface CountryCodes {
  /** ISO 3166-1 alpha-3: the F&O country/region id (`AddressCountryRegionId`). */
  alpha3: string;
  /** ISO 3166-1 alpha-2: `AddressCountryRegionISOCode`. */
  alpha2: string;
}

const ALPHA = /^[A-Za-z]{2,3}$/;
const NUMERIC = /^\d{3}$/;

/** The codes of an ISO 3166-1 alpha-2, alpha-3 or numeric code (any case), or undefined when it is not one. */
export function countryCodesOf(code: string): CountryCodes | undefined {
  const trimmed = code.trim();
  let alpha2: string | undefined;
  if (ALPHA.test(trimmed)) {
    const upper = trimmed.toUpperCase();
    alpha2 = upper.length === 2 ? (alpha2ToAlpha3(upper) ? upper : undefined) : alpha3ToAlpha2(upper);
  } else if (NUMERIC.test(trimmed)) {
    alpha2 = numericToAlpha2(trimmed);
  }
  const alpha3 = alpha2 === undefined ? undefined : alpha2ToAlpha3(alpha2);
  return alpha2 === undefined || alpha3 === undefined ? undefined : { alpha3, alpha2 };
}
