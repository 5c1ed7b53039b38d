import { base, de, de_CH, en, en_CA, en_GB, en_US, es_MX, Faker, fr, ja, type LocaleDefinition } from '@faker-js/faker';
import type { AccountValues, BusinessUnit, TransactionCurrency } from '../dataverse/account-row';
import { SeededRandom } from '../shared/seeded-random';
import { businessUnitIds, currencyIdOf, defaultBusinessUnits, defaultTransactionCurrencies } from './dataverse-defaults';

/** An account as the Web API shows it (lookups as `_x_value` GUIDs), ready for the Dataverse emulator's store. */
export type AccountSeed = AccountValues & { accountid: string };

export interface DataverseDataset {
  accounts: AccountSeed[];
  transactioncurrencies: TransactionCurrency[];
  businessunits: BusinessUnit[];
}

export interface GenerateAccountsOptions {
  count: number;
  seed?: number;
}

interface Region {
  weight: number;
  locale: LocaleDefinition[];
  /** How people type this country into the free-text column. */
  countryNames: string[];
  currency: string;
  businessUnit: string;
  phonePrefix: string;
  /**
   * Whether addresses of this region carry a state/province: those the emulated F&O state table knows (USA, CAN,
   * DEU). Elsewhere Sales users seldom fill it, and a state F&O does not hold could not be written.
   */
  hasStates?: true;
}

const regions: Region[] = [
  { weight: 38, locale: [en_US, en, base], countryNames: ['United States', 'USA', 'US', 'U.S.A.', 'United States of America', 'united states'], currency: 'USD', businessUnit: businessUnitIds.usmf, phonePrefix: '+1', hasStates: true },
  { weight: 20, locale: [de, en, base], countryNames: ['Deutschland', 'Germany', 'DE', 'DEU', 'Bundesrepublik Deutschland'], currency: 'EUR', businessUnit: businessUnitIds.demf, phonePrefix: '+49', hasStates: true },
  { weight: 12, locale: [en_GB, en, base], countryNames: ['United Kingdom', 'U.K.', 'UK', 'Great Britain', 'GB'], currency: 'GBP', businessUnit: businessUnitIds.demf, phonePrefix: '+44' },
  { weight: 8, locale: [fr, en, base], countryNames: ['France', 'FR', 'Frankreich', 'République française'], currency: 'EUR', businessUnit: businessUnitIds.demf, phonePrefix: '+33' },
  { weight: 8, locale: [en_CA, en, base], countryNames: ['Canada', 'CA', 'CAN'], currency: 'CAD', businessUnit: businessUnitIds.usmf, phonePrefix: '+1', hasStates: true },
  { weight: 5, locale: [es_MX, en, base], countryNames: ['Mexico', 'México', 'MX'], currency: 'MXN', businessUnit: businessUnitIds.usmf, phonePrefix: '+52' },
  { weight: 5, locale: [de_CH, de, en, base], countryNames: ['Switzerland', 'Schweiz', 'Suisse', 'CH'], currency: 'CHF', businessUnit: businessUnitIds.demf, phonePrefix: '+41' },
  { weight: 4, locale: [ja, en, base], countryNames: ['Japan', 'JP', '日本'], currency: 'JPY', businessUnit: businessUnitIds.usmf, phonePrefix: '+81' },
];

const unknownCountries = ['Atlantis', 'Narnia', 'Elbonia', 'Ruritania', 'Middle Earth', 'Wakanda'];
const apostropheNames = ["O'Brien & Sons", "Dunkin' Supplies", "McDonald's Franchise Group", "L'Atelier du Café", "Smith's Hardware", "Ma'at Logistics"];
const nameSuffixes = ['International Holdings and Distribution Services', 'Consolidated Manufacturing and Engineering Group', 'Regional Wholesale, Logistics and Trade Partners'];
const longCityParts = ['Upon-the-River', 'Saint-Germain-des-Prés', 'Llanfairpwllgwyngyll', 'Bad Neustadt an der Saale', 'Villefranche-sur-Mer'];
const poolSize = 400;

interface Pools {
  companies: string[];
  cities: string[];
  streets: string[];
  secondary: string[];
  states: string[];
  stateAbbreviations: string[];
  zipCodes: string[];
  counties: string[];
  phones: string[];
  domains: string[];
  phrases: string[];
}

/**
 * Seeded, realistic Dataverse accounts for the sync to chew on: many countries written in varied ways (and some
 * blank or unknown), several currencies (NZD unknown to F&O), accounts spread over the USMF and DEMF business units,
 * about 20% without Account Number, some duplicated numbers (a few differing only by case), about 5% inactive,
 * values longer than F&O allows but within Dataverse's limits (names > 100, cities > 60), states by name and by code, unicode and
 * apostrophes, payment/freight/shipping choices. Faker fills per-locale pools once; the accounts are then drawn
 * from the pools with a seeded PRNG, which keeps a million accounts feasible. Same seed, same data.
 */
export function generateAccounts(options: GenerateAccountsOptions): DataverseDataset {
  const seed = options.seed ?? 1;
  const random = new SeededRandom(seed);
  const pools = regions.map((region, index) => buildPools(region, seed * 31 + index));
  const totalWeight = regions.reduce((sum, region) => sum + region.weight, 0);
  const accounts: AccountSeed[] = new Array(options.count);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)] as T;
  const issuedNumbers: string[] = [];

  for (let i = 0; i < options.count; i += 1) {
    let draw = random.next() * totalWeight;
    let regionIndex = 0;
    while (draw >= (regions[regionIndex] as Region).weight && regionIndex < regions.length - 1) {
      draw -= (regions[regionIndex] as Region).weight;
      regionIndex += 1;
    }
    const region = regions[regionIndex] as Region;
    const pool = pools[regionIndex] as Pools;

    let name = pick(pool.companies);
    const nameRoll = random.next();
    if (nameRoll < 0.015) name = `${name} ${pick(nameSuffixes)} ${pick(nameSuffixes)}`; // > 100
    else if (nameRoll < 0.045) name = pick(apostropheNames);

    let city = pick(pool.cities);
    if (random.next() < 0.01) city = `${city} ${pick(longCityParts)} ${pick(longCityParts)} ${pick(longCityParts)}`; // > 60
    // Mostly codes as F&O expects them; some full names ("Pennsylvania", "Nordrhein-Westfalen"), which the sync must
    // map to their codes rather than cut to F&O's 10 characters.
    // (Drawn for every region, so the accounts after it stay what the same seed always gave.)
    const drawnState = random.next() < 0.1 ? pick(pool.states) : pick(pool.stateAbbreviations);
    const state = region.hasStates ? drawnState : null;

    const countryRoll = random.next();
    const country = countryRoll < 0.05 ? null : countryRoll < 0.06 ? pick(unknownCountries) : pick(region.countryNames);

    const currencyRoll = random.next();
    const currency =
      currencyRoll < 0.02 ? 'NZD' : currencyRoll < 0.1 ? pick(defaultTransactionCurrencies).isocurrencycode : region.currency;

    const accountNumber = nextAccountNumber(random, issuedNumbers, i);
    const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '').slice(0, 20) || `account${i}`;
    const domain = `${slug}.${pick(pool.domains)}`;

    accounts[i] = clampToDataverse({
      accountid: guid(random),
      accountnumber: accountNumber,
      name,
      address1_line1: pick(pool.streets),
      address1_line2: random.next() < 0.25 ? pick(pool.secondary) : null,
      address1_line3: random.next() < 0.03 ? `c/o ${pick(pool.companies)}` : null,
      address1_city: city,
      address1_stateorprovince: state,
      address1_postalcode: pick(pool.zipCodes),
      address1_county: random.next() < 0.03 ? pick(pool.counties) : null,
      address1_country: country,
      telephone1: random.next() < 0.9 ? `${region.phonePrefix} ${pick(pool.phones)}` : null,
      fax: random.next() < 0.2 ? `${region.phonePrefix} ${pick(pool.phones)}` : null,
      emailaddress1: random.next() < 0.8 ? `info@${domain}` : null,
      websiteurl: random.next() < 0.7 ? `https://www.${domain}` : null,
      description: random.next() < 0.3 ? pick(pool.phrases) : null,
      creditlimit: random.next() < 0.85 ? Math.round(random.next() * 500_000_00) / 100 : null,
      creditonhold: random.next() < 0.03,
      _transactioncurrencyid_value: currencyIdOf(currency),
      customertypecode: random.next() < 0.85 ? 3 : 8,
      paymenttermscode: random.next() < 0.6 ? 1 + Math.floor(random.next() * 4) : null,
      address1_freighttermscode: random.next() < 0.4 ? 1 + Math.floor(random.next() * 2) : null,
      address1_shippingmethodcode: random.next() < 0.5 ? 1 + Math.floor(random.next() * 7) : null,
      statecode: random.next() < 0.05 ? 1 : 0,
      _owningbusinessunit_value: random.next() < 0.9 ? region.businessUnit : pick([businessUnitIds.usmf, businessUnitIds.demf]),
    });
  }
  return {
    accounts,
    transactioncurrencies: defaultTransactionCurrencies.map((currency) => ({ ...currency })),
    businessunits: defaultBusinessUnits.map((unit) => ({ ...unit })),
  };
}

/**
 * About 20% blank; otherwise one of the numbering styles a CRM accumulates over the years. About 1% repeat an
 * earlier number (duplicates the template cannot handle), a third of those in another letter case.
 */
function nextAccountNumber(random: SeededRandom, issued: string[], index: number): string | null {
  const roll = random.next();
  if (roll < 0.2) return null;
  if (roll < 0.21 && issued.length > 0) {
    const earlier = issued[Math.floor(random.next() * issued.length)] as string;
    return random.next() < 0.33 ? swapCase(earlier) : earlier;
  }
  const style = random.next();
  const serial = 10_000 + index;
  const number =
    style < 0.5 ? `CUST-${String(serial).padStart(6, '0')}` : style < 0.8 ? `A${serial}` : `${random.next() < 0.5 ? 'US' : 'EU'}-${serial}`;
  issued.push(number);
  return number;
}

function swapCase(text: string): string {
  const lower = text.toLowerCase();
  return lower === text ? text.toUpperCase() : lower;
}

const hex = '0123456789abcdef';

/** A version-4-shaped GUID from the seeded PRNG (not crypto: it must repeat for a seed). */
function guid(random: SeededRandom): string {
  let out = '';
  for (let i = 0; i < 32; i += 1) {
    let digit = Math.floor(random.next() * 16);
    if (i === 12) digit = 4;
    if (i === 16) digit = 8 + (digit & 3);
    out += hex[digit];
    if (i === 7 || i === 11 || i === 15 || i === 19) out += '-';
  }
  return out;
}

/** Dataverse's column limits (contract §2): generated text never exceeds them. */
const dataverseLimits: Partial<Record<keyof AccountSeed, number>> = {
  accountnumber: 20,
  name: 160,
  address1_line1: 250,
  address1_line2: 250,
  address1_line3: 250,
  address1_city: 80,
  address1_stateorprovince: 50,
  address1_postalcode: 20,
  address1_county: 50,
  address1_country: 80,
  telephone1: 50,
  fax: 50,
  emailaddress1: 100,
  websiteurl: 200,
  description: 2000,
};

function clampToDataverse(account: AccountSeed): AccountSeed {
  for (const [column, max] of Object.entries(dataverseLimits) as Array<[keyof AccountSeed, number]>) {
    const value = account[column];
    if (typeof value === 'string' && value.length > max) (account as Record<string, unknown>)[column] = value.slice(0, max).trimEnd();
  }
  return account;
}

function buildPools(region: Region, seed: number): Pools {
  const faker = new Faker({ locale: region.locale });
  faker.seed(seed);
  const many = (make: () => string) => Array.from({ length: poolSize }, make);
  const safely = (make: () => string, fallback: () => string) => () => {
    try {
      return make();
    } catch {
      return fallback();
    }
  };
  return {
    companies: many(() => faker.company.name()),
    cities: many(() => faker.location.city()),
    streets: many(() => faker.location.streetAddress()),
    secondary: many(() => faker.location.secondaryAddress()),
    states: many(safely(() => faker.location.state(), () => faker.location.city())),
    stateAbbreviations: many(safely(() => faker.location.state({ abbreviated: true }), () => faker.location.city().slice(0, 3).toUpperCase())),
    zipCodes: many(() => faker.location.zipCode()),
    counties: many(safely(() => faker.location.county(), () => faker.location.city())),
    phones: many(() => faker.string.numeric({ length: { min: 9, max: 11 } })),
    domains: many(() => faker.internet.domainSuffix()),
    phrases: many(() => faker.company.catchPhrase()),
  };
}
