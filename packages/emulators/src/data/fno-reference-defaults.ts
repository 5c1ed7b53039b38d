import countries from 'i18n-iso-countries';
import english from 'i18n-iso-countries/langs/en.json';
import type { CompanyReferenceData, FnoReferenceData } from '../fno/reference-data';
import { defaultAddressCounties, defaultAddressStates } from './fno-address-states';

countries.registerLocale(english);

const customerGroups = [
  { id: '10', description: 'Wholesale customers', paymentTermId: 'Net30' },
  { id: '20', description: 'Major customers', paymentTermId: 'Net45' },
  { id: '30', description: 'Retail customers', paymentTermId: 'Net10' },
  { id: '40', description: 'Internet customers', paymentTermId: 'COD' },
  { id: '50', description: 'Intercompany customers', paymentTermId: 'Net30' },
  { id: '80', description: 'Other customers', paymentTermId: 'Net30' },
  { id: '90', description: 'Employees', paymentTermId: 'Net10' },
];

const paymentTerms = [
  { id: 'COD', description: 'Cash on delivery', days: 0 },
  { id: 'Net10', description: 'Net 10 days', days: 10 },
  { id: 'Net30', description: 'Net 30 days', days: 30 },
  { id: '2%10Net30', description: '2% 10 days, net 30 days', days: 30 },
  { id: 'Net45', description: 'Net 45 days', days: 45 },
  { id: 'Net60', description: 'Net 60 days', days: 60 },
  { id: 'Net90', description: 'Net 90 days', days: 90 },
];

const deliveryTerms = [
  { id: 'FOB', description: 'Free on board' },
  { id: 'CIF', description: 'Cost, insurance and freight' },
  { id: 'EXW', description: 'Ex works' },
  { id: 'DDP', description: 'Delivered duty paid' },
  { id: 'DAP', description: 'Delivered at place' },
  { id: 'FCA', description: 'Free carrier' },
];

const deliveryModes = [
  { id: 'AIR', description: 'Airborne' },
  { id: 'DHL', description: 'DHL' },
  { id: 'FEDEX', description: 'FedEx' },
  { id: 'UPS', description: 'UPS' },
  { id: 'POSTAL', description: 'Postal mail' },
  { id: 'TRUCK', description: 'Full truck load' },
  { id: 'PICKUP', description: 'Customer pickup' },
];

function company(name: string, sites: Array<[string, string]>, warehouses: Array<[string, string, string]>): CompanyReferenceData {
  return {
    name,
    customerGroups,
    sites: sites.map(([id, siteName]) => ({ id, name: siteName })),
    warehouses: warehouses.map(([id, warehouseName, siteId]) => ({ id, name: warehouseName, siteId })),
    paymentTerms,
    deliveryTerms,
    deliveryModes,
  };
}

/**
 * F&O reference data for the demo companies `usmf` and `demf`, with the template's defaults (customer group 10,
 * site 1, warehouse 13 in site 1, language en-us), realistic neighbours, a dozen currencies and every ISO country
 * (F&O ids are ISO alpha-3, e.g. `USA`, `DEU`). Built fresh on each call so callers may change their copy.
 */
export function defaultFnoReferenceData(): FnoReferenceData {
  return {
    currencies: [
      ['USD', 'US Dollar'],
      ['EUR', 'Euro'],
      ['GBP', 'Pound Sterling'],
      ['CAD', 'Canadian Dollar'],
      ['JPY', 'Japanese Yen'],
      ['CHF', 'Swiss Franc'],
      ['AUD', 'Australian Dollar'],
      ['SEK', 'Swedish Krona'],
      ['DKK', 'Danish Krone'],
      ['NOK', 'Norwegian Krone'],
      ['CNY', 'Yuan Renminbi'],
      ['INR', 'Indian Rupee'],
      ['MXN', 'Mexican Peso'],
      ['BRL', 'Brazilian Real'],
    ].map(([code, name]) => ({ code: code as string, name: name as string })),
    languages: [
      ['en-us', 'English (United States)'],
      ['en-gb', 'English (United Kingdom)'],
      ['en-ca', 'English (Canada)'],
      ['de', 'German'],
      ['de-ch', 'German (Switzerland)'],
      ['fr', 'French'],
      ['fr-ca', 'French (Canada)'],
      ['es', 'Spanish'],
      ['es-mx', 'Spanish (Mexico)'],
      ['it', 'Italian'],
      ['nl', 'Dutch'],
      ['da', 'Danish'],
      ['sv', 'Swedish'],
      ['nb-no', 'Norwegian (Bokmål)'],
      ['ja', 'Japanese'],
      ['zh-hans', 'Chinese (Simplified)'],
      ['pt-br', 'Portuguese (Brazil)'],
    ].map(([id, description]) => ({ id: id as string, description: description as string })),
    countries: Object.entries(countries.getAlpha3Codes())
      .map(([alpha3, alpha2]) => ({ id: alpha3, isoCode: alpha2, name: countries.getName(alpha2, 'en') ?? alpha3 }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    states: defaultAddressStates(),
    counties: defaultAddressCounties(),
    companies: {
      usmf: company(
        'Contoso Entertainment System USA',
        [
          ['1', 'Central site'],
          ['2', 'East site'],
          ['3', 'West site'],
        ],
        [
          ['11', 'Main warehouse', '1'],
          ['12', 'Quality warehouse', '1'],
          ['13', 'Distribution warehouse', '1'],
          ['21', 'East warehouse', '2'],
          ['22', 'East returns', '2'],
          ['31', 'West warehouse', '3'],
        ],
      ),
      demf: company(
        'Contoso Entertainment System Germany',
        [
          ['1', 'Werk Frankfurt'],
          ['2', 'Werk Hamburg'],
        ],
        [
          ['11', 'Hauptlager', '1'],
          ['12', 'Qualitätslager', '1'],
          ['13', 'Versandlager', '1'],
          ['21', 'Lager Hamburg', '2'],
        ],
      ),
    },
  };
}
